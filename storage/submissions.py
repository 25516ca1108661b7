"""Submitted reports: the query every view of "where do the units stand" starts from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.digest import ReviewState
from storage import models as m


def latest_versions(*where: Any) -> Select[tuple[m.Submission]]:
    """The latest version of each unit's report for each round, among the submissions
    that match `where` (for example one round, or one unit)."""
    newest = (select(m.Submission.unit_id, m.Submission.round_id,
                     func.max(m.Submission.version).label("v"))
              .where(*where).group_by(m.Submission.unit_id, m.Submission.round_id).subquery())
    return select(m.Submission).join(newest, (m.Submission.unit_id == newest.c.unit_id)
                                      & (m.Submission.round_id == newest.c.round_id)
                                      & (m.Submission.version == newest.c.v))


@dataclass(frozen=True)
class Change:
    """A version the province did not have when its digest was made: one that came after
    the deadline, or one that came back after a return."""

    unit_code: str
    unit_name: str
    version: int
    submitted_at: dt.datetime
    late: bool  # the unit's first version came after the deadline
    after_return: bool  # the version before it had been returned
    changed: tuple[str, ...]  # question ids whose answer differs from the version before
    before: dict[str, Any]  # those answers in the version before, and now
    after: dict[str, Any]


async def changes_in(session: AsyncSession, round_id: int, due_at: dt.datetime,
                     start: dt.datetime, end: dt.datetime) -> list[Change]:
    """The versions submitted in [start, end) that the province must hear of, in order."""
    rows = list(await session.execute(
        select(m.Submission, m.Unit).join(m.Unit, m.Unit.id == m.Submission.unit_id)
        .where(m.Submission.round_id == round_id, m.Submission.submitted_at >= start,
               m.Submission.submitted_at < end)
        .order_by(m.Submission.submitted_at, m.Submission.id)))
    out = []
    for submission, unit in rows:
        before = None
        if submission.version > 1:
            before = await session.scalar(select(m.Submission).where(
                m.Submission.unit_id == submission.unit_id, m.Submission.round_id == round_id,
                m.Submission.version == submission.version - 1))
        after_return = before is not None and before.review_state == ReviewState.RETURNED
        if submission.submitted_at <= due_at and not after_return:
            continue  # on time, and nobody asked for it: the digest will have it
        changed: tuple[str, ...] = ()
        old: dict[str, Any] = {}
        new: dict[str, Any] = {}
        if before is not None:
            old = await _answers(session, before.id)
            new = await _answers(session, submission.id)
            changed = tuple(q for q in new if new.get(q) != old.get(q))
        out.append(Change(unit_code=unit.code, unit_name=unit.name,
                          version=submission.version, submitted_at=submission.submitted_at,
                          late=submission.late, after_return=after_return, changed=changed,
                          before={q: old.get(q) for q in changed},
                          after={q: new.get(q) for q in changed}))
    return out


async def _answers(session: AsyncSession, submission_id: int) -> dict[str, Any]:
    rows = await session.execute(select(m.Answer.question_id, m.Answer.value)
                                 .where(m.Answer.submission_id == submission_id))
    return dict(rows.all())
