"""What the bot waits for from a person at the province: one slot each, with its kind.

A coordinator who tapped 退回 is asked for the reason; an admin who began `/broadcast` is
asked for the notice. Whatever is asked last replaces what was asked before, so a mistaken
退回 followed by `/broadcast` makes the next message a notice, never a "reason". A slot
expires after SLOT_LIFETIME, and `/cancel` empties it. (A reporter's answers go by the
form's cursor, `storage.drafts`.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m

SLOT_LIFETIME = dt.timedelta(minutes=30)


class Awaiting(StrEnum):
    RETURN_REASON = "return"  # target: the submission to return
    BROADCAST_TEXT = "broadcast"  # target: the broadcast being written


@dataclass(frozen=True)
class Slot:
    kind: Awaiting
    target_id: int


async def wait_for(session: AsyncSession, person_id: int, kind: Awaiting, target_id: int,
                   now: dt.datetime) -> None:
    """Ask `person_id` for `kind`, in place of anything asked before."""
    await clear(session, person_id)
    session.add(m.PendingAction(contact_id=person_id, action=kind, target_id=target_id,
                                created_at=now))


async def slot_of(session: AsyncSession, person_id: int, now: dt.datetime) -> Slot | None:
    """What the bot waits for from `person_id`; None if nothing, or if it expired."""
    row = await session.get(m.PendingAction, person_id)
    if row is None or now - row.created_at > SLOT_LIFETIME:
        return None
    return Slot(kind=Awaiting(row.action), target_id=row.target_id)


async def clear(session: AsyncSession, person_id: int) -> bool:
    """Empty the slot; True if something was waited for."""
    result = await session.execute(delete(m.PendingAction).where(
        m.PendingAction.contact_id == person_id))
    return bool(result.rowcount)


async def clear_if(session: AsyncSession, person_id: int, kind: Awaiting, target_id: int) -> bool:
    """Empty the slot if it waits for `kind` about `target_id` (a cancel button pressed on
    an old prompt leaves a newer question alone); True if it did."""
    result = await session.execute(delete(m.PendingAction).where(
        m.PendingAction.contact_id == person_id, m.PendingAction.action == kind,
        m.PendingAction.target_id == target_id))
    return bool(result.rowcount)
