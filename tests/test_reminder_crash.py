"""The bot killed with SIGKILL at random moments of a reminder's wake-up: while it starts,
while it claims the plan item and queues the messages, and while the sender sends them.

After the last restart: the reminder was fired once; every contact of a unit that has not
submitted has exactly one reminder (at most one where a request was in flight at a kill,
and then its ledger row says `uncertain`); contacts of units that submitted have none.
CRASH_SEEDS=1,2,...,30 runs many seeds.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.services import Services
from scheduler.sender import CONCURRENCY
from standin.limits import Limits
from standin.server import StandinServer
from storage import models as m
from tests.campaign_run import drained, submit
from tests.ledger import add_people, assert_never_twice, delivered
from tests.processes import SEEDS, BotProcess

FAST = {"WAKE_INTERVAL": "0.3", "SEND_RATE": "300", "SEND_LEASE": "2", "SEND_TIMEOUT": "1",
        "SEND_BACKOFF": "0.1"}
SUBMITTED = ["dalian", "anshan"]
PEOPLE = 120


@pytest.fixture
def limits() -> Limits:
    return Limits(per_second=None)


async def reminder_item(services: Services) -> m.PlanItem:
    async with services.readers() as session:
        item = await session.scalar(select(m.PlanItem).where(
            m.PlanItem.ref == "r1", m.PlanItem.label == "d3@0900"))
    assert item is not None
    return item


async def reminder_rows(services: Services) -> list[tuple[int, str]]:
    """(chat, state) of every reminder in the ledger."""
    async with services.readers() as session:
        rows = await session.execute(select(m.Delivery.chat_id, m.Delivery.state).where(
            m.Delivery.purpose == "reminder"))
    return [(chat, state) for chat, state in rows]


async def phase(services: Services, standin: StandinServer) -> str:
    """Where a kill landed, as the database and the stand-in tell it."""
    if (await reminder_item(services)).state == "planned":
        return "before the claim"
    sent, queued = sum(delivered(standin).values()), len(await reminder_rows(services))
    if sent == 0:
        return "claimed, none sent"
    return f"{sent} of {queued} sent" if sent < queued else "all sent"


@pytest.mark.parametrize("seed", SEEDS)
async def test_sigkill_during_a_reminder_wakeup_sends_each_reminder_once(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    people = await add_people(services, PEOPLE)
    for code in SUBMITTED:
        await submit(services, code, "r1")
    standin.faults.delay_all(0.05)  # the sends take a while, so kills land among them
    # Each start is shortly after 1月26日 09:00, when round 1's d3 reminder is due: the
    # wake-up at start-up fires it.
    starts = [f"2021-01-26T09:0{i}:00+08:00" for i in range(4)]
    landed = []
    # The first kill lands in start-up or the wake-up's claim; the others while sending.
    for start, window in zip(starts[:3], [(0.6, 1.5), (0.3, 2.0), (0.3, 2.0)], strict=True):
        bot = BotProcess(standin, database_url, tmp_path, clock_start=start, **FAST)
        began = asyncio.get_running_loop().time()
        await bot.spawn()
        await asyncio.sleep(rng.uniform(*window))
        await bot.kill()
        landed.append((round(asyncio.get_running_loop().time() - began, 2),
                       await phase(services, standin)))
    bot = BotProcess(standin, database_url, tmp_path, clock_start=starts[3], **FAST)
    await bot.start()
    item = await reminder_item(services)
    deadline = asyncio.get_running_loop().time() + 30
    while item.state != "done" and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
        item = await reminder_item(services)
    await drained(services)
    assert await bot.stop() == 0
    assert item.state == "done"
    async with services.readers() as session:
        units = dict((await session.execute(select(m.Unit.id, m.Unit.code))).all())
    waiting = {p.chat_id for p in people if units[p.unit_id] not in SUBMITTED}
    ledger = await reminder_rows(services)
    rows = dict(ledger)
    got = delivered(standin)
    # one ledger row for each waiting contact, none for units that submitted
    assert sorted(chat for chat, _ in ledger) == sorted(waiting)
    assert not set(got) - waiting
    assert_never_twice(rows, got)
    uncertain = [c for c, s in rows.items() if s == "uncertain"]
    print(f"seed {seed}: kills at {landed}; {len(rows)} reminders, "
          f"{len(uncertain)} uncertain")
    assert len(uncertain) <= 3 * CONCURRENCY  # at most the requests in flight at the kills
    assert sum(got.values()) >= len(waiting) - len(uncertain)
