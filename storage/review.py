"""The province's review of a submitted version: accepted (通过), or returned (退回) for
revision with a reason (asked for through `storage.waiting`). Only the latest version of a
unit's report can be reviewed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.digest import ReviewState
from storage import models as m
from storage.records import RoundRecord, joined_somewhere, round_record

Reviewed = tuple[m.Submission, m.Unit, m.Round, list[m.Person]]


async def return_submission(session: AsyncSession, submission_id: int, reason: str,
                            coordinator_id: int, now: dt.datetime) -> Reviewed | None:
    """Mark the latest version returned; None if it is no longer the latest."""
    return await _review(session, submission_id, ReviewState.RETURNED, reason,
                         coordinator_id, now)


async def accept_submission(session: AsyncSession, submission_id: int, coordinator_id: int,
                            now: dt.datetime) -> Reviewed | None:
    """Mark the latest version accepted; None if it is no longer the latest."""
    return await _review(session, submission_id, ReviewState.ACCEPTED, None, coordinator_id,
                         now)


async def _review(session: AsyncSession, submission_id: int, state: ReviewState,
                  note: str | None, coordinator_id: int, now: dt.datetime) -> Reviewed | None:
    """The version, its unit, round and reporters (to tell them), once its state is set."""
    submission = await session.get(m.Submission, submission_id)
    if submission is None:
        return None
    latest = await session.scalar(select(m.Submission).where(
        m.Submission.unit_id == submission.unit_id, m.Submission.round_id == submission.round_id)
        .order_by(m.Submission.version.desc()).limit(1))
    if latest is None or latest.id != submission.id:
        return None
    submission.review_state, submission.review_note = state, note
    action = "return" if state is ReviewState.RETURNED else "accept"
    session.add(m.AuditEntry(at=now, actor_id=coordinator_id, action=action,
                             detail={"submission": submission.id, "reason": note}))
    unit = await session.get_one(m.Unit, submission.unit_id)
    rnd = await session.get_one(m.Round, submission.round_id)
    reporters = list(await session.scalars(select(m.Person).where(
        m.Person.unit_id == unit.id, m.Person.active.is_(True),
        joined_somewhere(), m.Person.reachable.is_(True))))
    return submission, unit, rnd, reporters


async def submission_round(session: AsyncSession, submission_id: int) -> RoundRecord | None:
    """The round a submitted version belongs to; None if there is no such version."""
    row = await session.scalar(select(m.Round).join(
        m.Submission, m.Submission.round_id == m.Round.id).where(m.Submission.id == submission_id))
    return None if row is None else round_record(row)
