"""What `/progress` shows of the units that owe a round a report: how far each has got
(a draft in progress, `填写中 12/18`, or not started), and whom to call (its people, with
the roster's phone numbers), or that nobody in it can be reached."""

from __future__ import annotations

from dataclasses import dataclass

from flows.services import Services
from reporting.form import FormState
from storage import drafts
from storage.contacts import unit_contacts
from storage.progress import round_status


@dataclass(frozen=True)
class Owing:
    unit: str  # short name
    answered: int | None  # questions answered in its draft; None: no draft
    total: int
    returned: bool  # it submitted and the province sent it back
    people: list[tuple[str, str | None]]  # (name, phone) of its active people
    reachable: bool  # someone in it can receive a reminder


async def owing_units(services: Services, round_code: str) -> list[Owing]:
    questions = services.campaign.questions_for(round_code)
    async with services.readers() as session:
        status = await round_status(session, services.campaign_id, round_code)
        answers = await drafts.round_drafts(session, status.round.id)
        people = [p for p in await unit_contacts(session, services.campaign_id)
                  if p.active]
    returned = {u.id for u in status.returned}
    out = []
    for unit in status.to_remind:
        draft = answers.get(unit.id)
        state = None if draft is None else FormState(questions, draft)
        answered = None if state is None else sum(1 for q in questions if state.is_answered(q))
        out.append(Owing(unit=unit.short_name, answered=answered, total=len(questions),
                         returned=unit.id in returned,
                         people=[(p.name, p.phone) for p in people if p.unit_id == unit.id],
                         reachable=bool(status.contacts.get(unit.id))))
    return out
