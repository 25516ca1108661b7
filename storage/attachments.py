"""Files people sent: one row per distinct content per unit, and what a unit has stored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m
from storage.submissions import latest_versions
from storage.taking_part import campaign_order, taking_part


async def same_file(session: AsyncSession, unit_id: int, sha256: str) -> m.Attachment | None:
    """The unit's file with exactly this content, if it sent it before."""
    return await session.scalar(select(m.Attachment).where(
        m.Attachment.unit_id == unit_id, m.Attachment.sha256 == sha256).limit(1))


async def described(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    """How each file reads in a list: its caption if the contact wrote one, else its name."""
    if not ids:
        return {}
    rows = await session.execute(select(m.Attachment.id, m.Attachment.file_name,
                                        m.Attachment.caption).where(m.Attachment.id.in_(ids)))
    return {i: (caption or name) for i, name, caption in rows}


async def unit_usage(session: AsyncSession, unit_id: int) -> int:
    """Bytes the unit's files take."""
    return int(await session.scalar(select(func.coalesce(func.sum(m.Attachment.size), 0))
                                     .where(m.Attachment.unit_id == unit_id)) or 0)


@dataclass(frozen=True)
class StoredFile:
    """A kept file as the sender needs it: its bytes, or Telegram's id once it has one."""

    name: str
    content: bytes
    telegram_file_id: str | None


async def stored_file(session: AsyncSession, attachment_id: int) -> StoredFile:
    row = await session.get_one(m.Attachment, attachment_id)
    return StoredFile(name=row.file_name, content=row.content,
                      telegram_file_id=row.telegram_file_id)


async def remember_telegram_id(session: AsyncSession, attachment_id: int, file_id: str) -> None:
    """Telegram's id for a file it has stored: later sendings give the id, not the bytes."""
    await session.execute(update(m.Attachment).where(m.Attachment.id == attachment_id)
                          .values(telegram_file_id=file_id))


@dataclass(frozen=True)
class UnitFile:
    unit_name: str
    file_name: str
    content: bytes


async def round_files(session: AsyncSession, campaign_id: int, round_id: int,
                      attachment_questions: set[str]) -> list[UnitFile]:
    """Every file units sent for a round: those their latest reports attach, and those they
    sent while filling it in (their Word reports). Each once, in the units' order."""
    latest = latest_versions(m.Submission.round_id == round_id).subquery()
    answers = await session.execute(
        select(m.Answer.value).join(latest, latest.c.id == m.Answer.submission_id)
        .where(m.Answer.question_id.in_(attachment_questions)))
    attached = {int(i) for (value,) in answers for i in (value or [])}
    rows = await session.execute(
        select(m.Attachment, m.Unit).join(m.Unit, m.Unit.id == m.Attachment.unit_id)
        .where(taking_part(campaign_id, retired=None),
               m.Attachment.id.in_(attached) | (m.Attachment.round_id == round_id))
        .order_by(campaign_order(campaign_id), m.Attachment.id))
    return [UnitFile(unit_name=unit.name, file_name=a.file_name, content=a.content)
            for a, unit in rows]
