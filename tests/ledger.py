"""Helpers for tests of the delivery ledger: people who joined, a broadcast queued, waiting
until it settles, and what the stand-in delivered."""

from __future__ import annotations

import asyncio
import collections
import time

from sqlalchemy import select, update

from flows.services import Services
from standin.server import StandinServer
from storage import broadcasts
from storage import models as m


async def add_people(services: Services, n: int, unit_code: str = "dalian",
                     first_chat: int = 900_000) -> list[m.Person]:
    """`n` contacts who joined (they have a chat with the bot). Whatever the plan has due
    at this moment is marked done first (round 1's opening notice, due at 09:00 on the
    first day): a ledger test counts only what it sends them itself."""
    await nothing_else_due(services)
    async with services.transaction() as session:
        units = list(await session.scalars(select(m.Unit).where(m.Unit.is_province.is_(False))
                                           .order_by(m.Unit.position)))
        people = [m.Person(telegram_user_id=first_chat + i, chat_id=first_chat + i,
                            name=f"联络员{i}", unit_id=units[i % len(units)].id,
                            created_at=services.clock.now()) for i in range(n)]
        session.add_all(people)
    return people


async def nothing_else_due(services: Services) -> None:
    """Mark what the plan has due now as done (round 1's opening notice, at 09:00 on the
    first day): a test of the broadcast's ledger counts only the broadcast."""
    async with services.transaction() as session:
        await session.execute(update(m.PlanItem).where(
            m.PlanItem.at <= services.clock.now(), m.PlanItem.state == "planned")
            .values(state="skipped", fired_at=services.clock.now(), note="not this test's"))


async def queue_broadcast(services: Services, text: str = "请于1月29日前报送。",
                          audience: dict | None = None, sender: str = "") -> m.Broadcast:
    async with services.transaction() as session:
        row = await broadcasts.start_broadcast(session, None, services.clock.now())
        row.text, row.audience = text, audience or {"all": True}
        await broadcasts.confirm(session, row, services.campaign_id, services.clock.now(),
                                 services.outbox, sender)
    return row


async def settled(services: Services, row: m.Broadcast, timeout: float = 60) -> broadcasts.Report:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        async with services.readers() as session:
            result = await broadcasts.report(session, row.id)
        if result.finished:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"not settled: {result.counts}")


def delivered(standin: StandinServer) -> collections.Counter[int]:
    """Messages each chat actually has (the stand-in keeps only what it accepted)."""
    return collections.Counter({cid: len(chat.from_bot) for cid, chat in standin.chats.items()
                                if cid >= 900_000 and chat.from_bot})


async def ledger_states(services: Services) -> dict[int, str]:
    async with services.readers() as session:
        rows = await session.execute(select(m.Delivery.chat_id, m.Delivery.state))
    return {chat: state for chat, state in rows}


def assert_never_twice(states: dict[int, str], got: collections.Counter[int]) -> None:
    assert set(states.values()) <= {"sent", "uncertain"}, states
    for chat, state in states.items():
        if state == "sent":
            assert got[chat] == 1, (chat, got[chat])
        else:
            assert got[chat] <= 1, (chat, got[chat])
    assert max(got.values()) == 1
