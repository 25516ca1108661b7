"""Every campaign the database holds, with where it stands: upcoming, open, finished or
archived; and archiving a finished one (its planned reminders and digests are dropped, its
data stays)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m


class Stage(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    FINISHED = "finished"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class CampaignState:
    code: str
    name: str
    zone: str  # the campaign's time zone, to show its times in
    stage: Stage
    archived_at: dt.datetime | None
    rounds: int
    first_opens: dt.datetime | None
    last_due: dt.datetime | None
    submissions: int


def stage_of(now: dt.datetime, archived: bool, opens: dt.datetime | None,
             closes: dt.datetime | None) -> Stage:
    """Archived; else upcoming before its first round opens, finished once its last round
    (and its time for late reports) has passed, open in between."""
    if archived:
        return Stage.ARCHIVED
    if opens is not None and now < opens:
        return Stage.UPCOMING
    if closes is not None and now >= closes:
        return Stage.FINISHED
    return Stage.OPEN


async def campaign_states(session: AsyncSession, now: dt.datetime) -> list[CampaignState]:
    # The aggregates keep the columns' type: aware UTC times on both databases.
    rounds = {cid: (n, opens, due, late) for cid, n, opens, due, late in await session.execute(
        select(m.Round.campaign_id, func.count(), func.min(m.Round.opens_at),
               func.max(m.Round.due_at), func.max(m.Round.late_until))
        .where(m.Round.retired_at.is_(None)).group_by(m.Round.campaign_id))}
    submitted = dict((await session.execute(
        select(m.Round.campaign_id, func.count(m.Submission.id))
        .join(m.Submission, m.Submission.round_id == m.Round.id)
        .group_by(m.Round.campaign_id))).all())
    out = []
    for row in await session.scalars(select(m.Campaign).order_by(m.Campaign.id)):
        n, opens, due, late = rounds.get(row.id, (0, None, None, None))
        closes = max(d for d in (due, late) if d is not None) if due or late else None
        out.append(CampaignState(
            code=row.code, name=row.name, zone=row.timezone, rounds=n, first_opens=opens,
            last_due=due, archived_at=row.archived_at,
            stage=stage_of(now, row.archived_at is not None, opens, closes),
            submissions=submitted.get(row.id, 0)))
    return out


async def archive(session: AsyncSession, code: str, now: dt.datetime) -> int:
    """Archive the campaign `code`; returns how many planned items were dropped."""
    row = await session.scalar(select(m.Campaign).where(m.Campaign.code == code))
    assert row is not None
    row.archived_at = now
    result = await session.execute(
        update(m.PlanItem).where(m.PlanItem.campaign_id == row.id,
                                 m.PlanItem.state == m.PlanState.PLANNED)
        .values(state=m.PlanState.SKIPPED, fired_at=now, note="the campaign was archived")
        .execution_options(synchronize_session=False))
    return result.rowcount



async def archive_gone(session: AsyncSession, codes: list[str], now: dt.datetime) -> list[str]:
    """Archive every campaign not among `codes` (its file left the folder): nothing is
    deleted. Returns the codes archived now."""
    gone = list(await session.scalars(select(m.Campaign.code).where(
        m.Campaign.code.not_in(codes), m.Campaign.archived_at.is_(None))
        .order_by(m.Campaign.id)))
    for code in gone:
        await archive(session, code, now)
    return gone
