"""The delivery ledger: one row per (purpose, recipient), sent at most once.

One word for one thing: a *delivery* is a notice on its way to one person; the *ledger* is
the table of them (`m.Delivery`). Producers hand in a `NewDelivery` (through the outbox);
the sender claims `ClaimedDelivery` records and settles each.

A row's life: `pending` → (claimed: a lease and a claim token, still pending) →
`sending` (committed just before the request leaves) → `sent`, or `blocked`, `failed`,
`uncertain`. Claims are compare-and-set updates, so two senders, in one process or two,
on SQLite or PostgreSQL, never take the same row. A crash leaves claimed rows to be taken
again when their lease runs out, and a row in `sending` (its request may have reached
Telegram) as `uncertain`, never resent by itself.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.digest import ReviewState
from storage import models as m
from storage.db import insert_for
from storage.notices import NewDelivery, Notice
from storage.records import reached_on
from storage.submissions import latest_versions

State = m.DeliveryState
FINAL = (State.SENT, State.BLOCKED, State.FAILED, State.UNCERTAIN, State.CANCELLED)
_LEDGER = m.Delivery.__table__


def _still(state: State) -> ColumnElement[bool]:
    """`state` checked on rows found by id or claim: written as an expression so that
    SQLite looks the rows up by id rather than walking the state index (without
    statistics it takes `state = ?` for the narrower condition; on a ledger with thousands
    of pending rows that cost half a millisecond a statement)."""
    return type_coerce(m.Delivery.state, String).concat("") == state.value


@dataclass(frozen=True)
class ClaimedDelivery:
    """A row a sender holds: what to send, to whom, and the claim that lets it."""

    id: int
    key: str
    chat_id: int
    person_id: int | None
    notice: Notice
    attempts: int
    token: str
    wecom_user: str | None = None  # sent on WeCom to this member instead


async def enqueue(session: AsyncSession, messages: Sequence[NewDelivery], now: dt.datetime) -> int:
    """Add rows for messages whose key is new; returns how many were added. Call it in the
    same transaction as the decision to send."""
    if not messages:
        return 0
    rows = [{"key": o.key, "purpose": o.purpose, "contact_id": o.contact_id,
             "chat_id": o.chat_id, "payload": o.notice.to_payload(), "state": State.PENDING,
             "attempts": 0, "not_before": o.not_before or now, "created_at": now,
             "updated_at": now, "wecom_user": None} for o in messages]
    await _route(session, rows)
    insert = insert_for(session)
    added = 0
    statement = (insert(_LEDGER).on_conflict_do_nothing(index_elements=["key"])
                 .returning(_LEDGER.c.id))
    for start in range(0, len(rows), 500):
        # RETURNING counts what was added on both databases (asyncpg has no rowcount for
        # many rows at once).
        result = await session.execute(statement, rows[start:start + 500])
        added += len(result.all())
    return added


async def _route(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    """Each person's messages go where they take them: WeCom for someone who chose it, or
    who joined only there; Telegram otherwise."""
    ids = {r["contact_id"] for r in rows if r["contact_id"] is not None}
    if not ids:
        return
    on_wecom = {pid: user for pid, user, chat, channel in await session.execute(
        select(m.Person.id, m.Person.wecom_user_id, m.Person.chat_id, m.Person.channel)
        .where(m.Person.id.in_(ids), m.Person.wecom_user_id.is_not(None)))
        if reached_on(chat, user, channel) == "wecom"}
    for row in rows:
        user = on_wecom.get(row["contact_id"])  # type: ignore[arg-type]
        if user is not None:
            row["wecom_user"], row["chat_id"] = user, 0


async def claim(session: AsyncSession, worker: str, now: dt.datetime, lease: dt.timedelta,
                limit: int, wecom: bool = False) -> list[ClaimedDelivery]:
    """Take up to `limit` due rows for `worker`: a compare-and-set on state and lease.
    Telegram's rows, or with `wecom` WeCom's."""
    channel = m.Delivery.wecom_user.is_not(None) if wecom else m.Delivery.wecom_user.is_(None)
    candidates = (
        select(m.Delivery.id)
        .where(m.Delivery.state == State.PENDING, m.Delivery.not_before <= now, channel,
               or_(m.Delivery.lease_until.is_(None), m.Delivery.lease_until < now))
        .order_by(m.Delivery.not_before, m.Delivery.id)
        .limit(limit)
    )
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    if dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(await session.scalars(candidates))
    if not ids:
        return []
    token = f"{worker}@{secrets.token_hex(6)}"  # one per claim, even within one instant
    await session.execute(
        update(m.Delivery)
        .where(m.Delivery.id.in_(ids), _still(State.PENDING),
               or_(m.Delivery.lease_until.is_(None), m.Delivery.lease_until < now))
        .values(lease_until=now + lease, claimed_by=token, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(_LEDGER.c.id, _LEDGER.c.key, _LEDGER.c.chat_id, _LEDGER.c.contact_id,
               _LEDGER.c.payload, _LEDGER.c.attempts, _LEDGER.c.wecom_user)
        .where(m.Delivery.id.in_(ids), m.Delivery.claimed_by == token,
               _still(State.PENDING))
        .order_by(_LEDGER.c.id))
    return [ClaimedDelivery(id=r.id, key=r.key, chat_id=r.chat_id, person_id=r.contact_id,
                            notice=Notice.from_payload(r.payload), attempts=r.attempts,
                            token=token, wecom_user=r.wecom_user) for r in rows]


@dataclass(frozen=True)
class Outcome:
    """How one delivery ended, to be recorded with others in one transaction."""

    delivery_id: int
    state: State
    error: str | None = None
    message_id: int | None = None
    person_id: int | None = None  # blocked: nothing more is sent to this person


async def start_sending(session: AsyncSession, rows: Sequence[ClaimedDelivery],
                        now: dt.datetime, lease: dt.timedelta) -> list[ClaimedDelivery]:
    """The last step before a group of requests leaves: claimed rows become `sending` in one
    statement. Reminders to a unit that has submitted since are settled `cancelled`
    instead. Returns the rows to send (those whose claim still holds)."""
    if not rows:
        return []
    submitted = await _submitted(session, {r.notice.unless_submitted for r in rows
                                           if r.notice.unless_submitted is not None})
    cancelled = [r for r in rows if r.notice.unless_submitted in submitted]
    if cancelled:
        await settle_all(session, [Outcome(r.id, State.CANCELLED,
                                           "no longer needed: the unit submitted")
                                   for r in cancelled], now)
    wanted = [r for r in rows if r.notice.unless_submitted not in submitted]
    if not wanted:
        return []
    marked = set(await session.scalars(
        update(m.Delivery)
        .where(m.Delivery.id.in_([r.id for r in wanted]),
               m.Delivery.claimed_by.in_({r.token for r in wanted}),
               _still(State.PENDING))
        .values(state=State.SENDING, attempts=m.Delivery.attempts + 1, updated_at=now,
                lease_until=now + lease)
        .returning(m.Delivery.id)
        .execution_options(synchronize_session=False)))
    return [r for r in wanted if r.id in marked]


async def _submitted(session: AsyncSession,
                     pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (unit, round) pairs among `pairs` whose latest version stands (not returned)."""
    if not pairs:
        return set()
    latest = latest_versions(
        tuple_(m.Submission.unit_id, m.Submission.round_id).in_(list(pairs))).subquery()
    rows = await session.execute(select(latest.c.unit_id, latest.c.round_id).where(
        latest.c.review_state != ReviewState.RETURNED))
    return {(unit_id, round_id) for unit_id, round_id in rows}


async def settle_all(session: AsyncSession, outcomes: Sequence[Outcome],
                     now: dt.datetime) -> None:
    """Record many outcomes in one transaction (one statement, run for each row); the
    people who blocked the bot are marked unreachable."""
    if not outcomes:
        return
    await session.execute(
        update(_LEDGER).where(_LEDGER.c.id == bindparam("row_id")).values(
            state=bindparam("new_state"), error=bindparam("why"),
            message_id=bindparam("sent_as"), sent_at=bindparam("sent_when"),
            lease_until=None, updated_at=now),
        [{"row_id": o.delivery_id, "new_state": o.state, "why": o.error,
          "sent_as": o.message_id, "sent_when": now if o.state is State.SENT else None}
         for o in outcomes])
    gone = {o.person_id for o in outcomes if o.state is State.BLOCKED and o.person_id}
    if gone:
        await session.execute(update(m.Person).where(m.Person.id.in_(gone))
                              .values(reachable=False))


async def mark_sending(session: AsyncSession, delivery_id: int, token: str,
                       now: dt.datetime, lease: dt.timedelta) -> bool:
    """The last step before the request leaves; False if the claim was lost."""
    result = await session.execute(
        update(m.Delivery)
        .where(m.Delivery.id == delivery_id, m.Delivery.claimed_by == token,
               _still(State.PENDING))
        .values(state=State.SENDING, attempts=m.Delivery.attempts + 1, updated_at=now,
                lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def unsend(session: AsyncSession, delivery_id: int, token: str, now: dt.datetime,
                 error: str) -> None:
    """Not delivered (Telegram said so): pending again, still claimed by `token`."""
    await session.execute(update(m.Delivery).where(
        m.Delivery.id == delivery_id, m.Delivery.claimed_by == token,
    ).values(state=State.PENDING, error=error, updated_at=now))


async def release(session: AsyncSession, token: str, now: dt.datetime) -> None:
    """Give back claimed rows that were never started (on a clean stop)."""
    await session.execute(update(m.Delivery).where(
        m.Delivery.claimed_by == token, m.Delivery.state == State.PENDING,
    ).values(lease_until=None, claimed_by=None, updated_at=now))


async def recover(session: AsyncSession, now: dt.datetime) -> int:
    """Settle rows a crashed sender left in `sending` past their lease: `uncertain`."""
    result = await session.execute(
        update(m.Delivery)
        .where(m.Delivery.state == State.SENDING,
               or_(m.Delivery.lease_until.is_(None), m.Delivery.lease_until < now))
        .values(state=State.UNCERTAIN, lease_until=None, updated_at=now,
                error="the sender stopped while this message was in flight")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def tally(session: AsyncSession, key_prefix: str) -> dict[str, int]:
    """Rows by state among keys starting with `key_prefix` (a broadcast's, say)."""
    rows = await session.execute(
        select(m.Delivery.state, func.count()).where(m.Delivery.key.startswith(key_prefix))
        .group_by(m.Delivery.state))
    return {state: n for state, n in rows}


async def rows_in(session: AsyncSession, key_prefix: str,
                  states: Sequence[str]) -> list[tuple[m.Delivery, m.Person | None]]:
    rows = await session.execute(
        select(m.Delivery, m.Person)
        .outerjoin(m.Person, m.Person.id == m.Delivery.contact_id)
        .where(and_(m.Delivery.key.startswith(key_prefix), m.Delivery.state.in_(states)))
        .order_by(m.Delivery.id))
    return [(d, c) for d, c in rows]
