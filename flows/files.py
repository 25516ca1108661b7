"""A round's files for the province (`/files ROUND`, `python -m bot files ROUND`): every
attachment and Word report units sent, zipped by unit."""

from __future__ import annotations

from flows.services import Services
from reporting.campaign import QuestionType
from reporting.file_bundle import SEND_LIMIT, Packed, pack
from storage.attachments import round_files


async def round_bundle(services: Services, round_code: str,
                       limit: int = SEND_LIMIT) -> list[Packed]:
    """The zip(s), each at most about `limit` bytes (Telegram's, or WeCom's smaller one);
    empty if no unit sent a file for the round."""
    rnd = next(r for r in services.rounds if r.code == round_code)
    questions = {q.id for q in services.campaign.questions_for(round_code)
                 if q.type is QuestionType.ATTACHMENT}
    async with services.readers() as session:
        files = await round_files(session, services.campaign_id, rnd.id, questions)
    stem = f"{services.campaign.name.zh}_{rnd.title}_附件".replace(" ", "")
    return pack(stem, [(f.unit_name, f.file_name, f.content) for f in files], limit)
