"""Returning a unit's report for revision, with a reason (asked for through
`storage.waiting`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.digest import ReviewState
from storage import models as m


async def return_submission(session: AsyncSession, submission_id: int, reason: str,
                            coordinator_id: int, now: dt.datetime
                            ) -> tuple[m.Submission, m.Unit, m.Round, list[m.Contact]] | None:
    """Mark the latest version returned; None if it is no longer the latest."""
    submission = await session.get(m.Submission, submission_id)
    if submission is None:
        return None
    latest = await session.scalar(select(m.Submission).where(
        m.Submission.unit_id == submission.unit_id, m.Submission.round_id == submission.round_id)
        .order_by(m.Submission.version.desc()).limit(1))
    if latest is None or latest.id != submission.id:
        return None
    submission.review_state, submission.review_note = ReviewState.RETURNED, reason
    session.add(m.AuditEntry(at=now, actor_id=coordinator_id, action="return",
                             detail={"submission": submission.id, "reason": reason}))
    unit = await session.get_one(m.Unit, submission.unit_id)
    rnd = await session.get_one(m.Round, submission.round_id)
    contacts = list(await session.scalars(select(m.Contact).where(
        m.Contact.unit_id == unit.id, m.Contact.active.is_(True),
        m.Contact.chat_id.is_not(None), m.Contact.reachable.is_(True))))
    return submission, unit, rnd, contacts
