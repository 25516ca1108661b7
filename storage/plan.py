"""The plan in the database: synced from the campaign at `init`, claimed when due.

Sync updates what has not fired (a changed deadline moves its reminders), adds what is
new, drops planned items the file no longer asks for, and never touches what fired.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.reminder_plan import PlannedItem
from storage import models as m
from storage.db import insert_for
from texts.catalog import t

PLANNED, DONE, SKIPPED = m.PlanState.PLANNED, m.PlanState.DONE, m.PlanState.SKIPPED
FIRING = m.PlanState.FIRING
# An item still `firing` this long after it was taken was left by a process that stopped
# half way: it is taken again (queuing is idempotent, so taking it early costs only work).
RESUME_AFTER = dt.timedelta(seconds=30)
MANUAL = "manual@"  # label of a coordinator's /remind
CHANGES = "changes@"  # label of a window of changes the province is told of
NOT_FROM_THE_FILE = (MANUAL, CHANGES)  # items that `sync_plan` leaves alone


async def add_manual(session: AsyncSession, campaign_id: int, kind: str, ref: str,
                     bucket: str, now: dt.datetime, due: dt.datetime) -> m.PlanItem | None:
    """A one-off item due now; None if one with this bucket exists (a double tap)."""
    from sqlalchemy.exc import IntegrityError

    try:
        async with session.begin_nested():
            item = m.PlanItem(campaign_id=campaign_id, kind=kind, ref=ref,
                              label=f"{MANUAL}{bucket}", at=now, due=due, state=PLANNED)
            session.add(item)
            await session.flush()
    except IntegrityError:
        return None
    return item


async def add_change_window(session: AsyncSession, campaign_id: int, kind: str, ref: str,
                            window: int, at: dt.datetime, due: dt.datetime) -> None:
    """The item that tells the province of the changes in one window of a few minutes;
    several changes in the window share it (the first one adds it)."""
    await session.execute(insert_for(session)(m.PlanItem.__table__).on_conflict_do_nothing().values(
        campaign_id=campaign_id, kind=kind, ref=ref, label=f"{CHANGES}{window}", at=at,
        due=due, state=PLANNED))


async def fired_at(session: AsyncSession, campaign_id: int, kind: str,
                   ref: str) -> dt.datetime | None:
    """When an item of this kind for `ref` last fired (None: never)."""
    return await session.scalar(
        select(func.max(m.PlanItem.fired_at)).where(
            m.PlanItem.campaign_id == campaign_id, m.PlanItem.kind == kind,
            m.PlanItem.ref == ref, m.PlanItem.state == DONE))


async def sync_plan(session: AsyncSession, campaign_id: int,
                    items: list[PlannedItem], lang: str = "zh") -> list[str]:
    existing = {(r.kind, r.ref, r.label): r for r in await session.scalars(
        select(m.PlanItem).where(m.PlanItem.campaign_id == campaign_id))}
    added = moved = 0
    for item in items:
        at, due = item.at.astimezone(dt.UTC), item.due.astimezone(dt.UTC)
        row = existing.pop(item.key, None)
        if row is None:
            session.add(m.PlanItem(campaign_id=campaign_id, kind=item.kind, ref=item.ref,
                                   label=item.label, at=at, due=due, state=PLANNED))
            added += 1
        elif row.state == PLANNED and (row.at != at or row.due != due):
            row.at, row.due = at, due
            moved += 1
    gone = [r.id for r in existing.values()
            if r.state == PLANNED and not r.label.startswith(NOT_FROM_THE_FILE)]
    if gone:
        await session.execute(delete(m.PlanItem).where(m.PlanItem.id.in_(gone)))
    await session.flush()
    if not (added or moved or gone):
        return []
    return [t("sync.plan", lang, added=added, moved=moved, dropped=len(gone))]


def _takeable(now: dt.datetime) -> ColumnElement[bool]:
    """Planned, or left `firing` by a process that stopped half way."""
    return or_(m.PlanItem.state == PLANNED,
               and_(m.PlanItem.state == FIRING, m.PlanItem.fired_at <= now - RESUME_AFTER))


async def due_items(session: AsyncSession, campaign_id: int, now: dt.datetime,
                    kinds: list[str], limit: int = 100) -> list[m.PlanItem]:
    """Planned items whose time has come, and items left half fired by a stopped process."""
    return list(await session.scalars(
        select(m.PlanItem).where(
            m.PlanItem.campaign_id == campaign_id, m.PlanItem.at <= now,
            m.PlanItem.kind.in_(kinds), _takeable(now))
        .order_by(m.PlanItem.at, m.PlanItem.id).limit(limit)))


async def campaigns_due(session: AsyncSession, campaign_ids: list[int],
                        now: dt.datetime) -> set[int]:
    """The campaigns with an item whose time has come: one query for all of them, so an
    idle wake-up costs the same however many campaigns the bot serves."""
    return set(await session.scalars(
        select(m.PlanItem.campaign_id).where(
            m.PlanItem.campaign_id.in_(campaign_ids), m.PlanItem.at <= now, _takeable(now))
        .distinct()))


async def take(session: AsyncSession, item_id: int, state: str, now: dt.datetime,
               note: str | None = None) -> bool:
    """Compare-and-set `planned` (or `firing` left by a stopped process) → `state`: True
    for the one process that got it."""
    result = await session.execute(
        update(m.PlanItem).where(m.PlanItem.id == item_id, _takeable(now))
        .values(state=state, fired_at=now, note=note)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


async def untake(session: AsyncSession, item_id: int) -> None:
    """`firing` → `planned`: none of its messages could be queued."""
    await session.execute(
        update(m.PlanItem).where(m.PlanItem.id == item_id, m.PlanItem.state == FIRING)
        .values(state=PLANNED, fired_at=None).execution_options(synchronize_session=False))


async def fired(session: AsyncSession, item_id: int) -> None:
    """`firing` → `done`: every message of the item is in the ledger."""
    await session.execute(
        update(m.PlanItem).where(m.PlanItem.id == item_id, m.PlanItem.state == FIRING)
        .values(state=DONE).execution_options(synchronize_session=False))
