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
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m
from storage.db import insert_for
from storage.notices import NewDelivery, Notice

State = m.DeliveryState
FINAL = (State.SENT, State.BLOCKED, State.FAILED, State.UNCERTAIN, State.CANCELLED)
_LEDGER = m.Delivery.__table__


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


async def enqueue(session: AsyncSession, messages: Sequence[NewDelivery], now: dt.datetime) -> int:
    """Add rows for messages whose key is new; returns how many were added. Call it in the
    same transaction as the decision to send."""
    if not messages:
        return 0
    rows = [{"key": o.key, "purpose": o.purpose, "contact_id": o.contact_id,
             "chat_id": o.chat_id, "payload": o.notice.to_payload(), "state": State.PENDING,
             "attempts": 0, "not_before": o.not_before or now, "created_at": now,
             "updated_at": now} for o in messages]
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


async def claim(session: AsyncSession, worker: str, now: dt.datetime, lease: dt.timedelta,
                limit: int) -> list[ClaimedDelivery]:
    """Take up to `limit` due rows for `worker`: a compare-and-set on state and lease."""
    candidates = (
        select(m.Delivery.id)
        .where(m.Delivery.state == State.PENDING, m.Delivery.not_before <= now,
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
        .where(m.Delivery.id.in_(ids), m.Delivery.state == State.PENDING,
               or_(m.Delivery.lease_until.is_(None), m.Delivery.lease_until < now))
        .values(lease_until=now + lease, claimed_by=token, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(_LEDGER.c.id, _LEDGER.c.key, _LEDGER.c.chat_id, _LEDGER.c.contact_id,
               _LEDGER.c.payload, _LEDGER.c.attempts)
        .where(_LEDGER.c.claimed_by == token, _LEDGER.c.state == State.PENDING)
        .order_by(_LEDGER.c.id))
    return [ClaimedDelivery(id=r.id, key=r.key, chat_id=r.chat_id, person_id=r.contact_id,
                            notice=Notice.from_payload(r.payload), attempts=r.attempts,
                            token=token) for r in rows]


async def mark_sending(session: AsyncSession, delivery_id: int, token: str,
                       now: dt.datetime, lease: dt.timedelta) -> bool:
    """The last step before the request leaves; False if the claim was lost."""
    result = await session.execute(
        update(m.Delivery)
        .where(m.Delivery.id == delivery_id, m.Delivery.claimed_by == token,
               m.Delivery.state == State.PENDING)
        .values(state=State.SENDING, attempts=m.Delivery.attempts + 1, updated_at=now,
                lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def settle(session: AsyncSession, delivery_id: int, state: State, now: dt.datetime,
                 error: str | None = None, message_id: int | None = None) -> None:
    values: dict[str, Any] = {"state": state, "updated_at": now, "error": error,
                              "lease_until": None}
    if state is State.SENT:
        values.update(sent_at=now, message_id=message_id)
    await session.execute(update(m.Delivery).where(m.Delivery.id == delivery_id).values(**values))


async def settle_blocked(session: AsyncSession, delivery_id: int, person_id: int | None,
                         now: dt.datetime, error: str) -> None:
    """The person blocked the bot or is gone: this row is settled, and nothing more is
    sent to them until they write to the bot again."""
    await settle(session, delivery_id, State.BLOCKED, now, error)
    if person_id is not None:
        await session.execute(update(m.Person).where(m.Person.id == person_id)
                              .values(reachable=False))


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
