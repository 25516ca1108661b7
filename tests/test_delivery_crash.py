"""The sender killed with SIGKILL in the middle of a broadcast, and two senders on one
database: every recipient gets one message, or (only for a request in flight at the kill)
an `uncertain` row and at most one. Never two."""

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
from tests.ledger import (
    add_people,
    assert_never_twice,
    delivered,
    ledger_states,
    queue_broadcast,
    settled,
)
from tests.people import joined
from tests.processes import SEEDS, BotProcess

FAST = {"SEND_RATE": "300", "SEND_LEASE": "2", "SEND_TIMEOUT": "1", "SEND_BACKOFF": "0.1"}


@pytest.fixture
def limits() -> Limits:
    return Limits(per_second=None)


def sends_to(standin: StandinServer, first_chat: int = 900_000) -> int:
    return sum(1 for method, p in standin.calls
               if method == "sendMessage" and int(p["chat_id"]) >= first_chat)


@pytest.mark.parametrize("seed", SEEDS)
async def test_sigkill_during_a_broadcast_never_sends_twice(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path, seed: int
) -> None:
    """Three kills at points drawn from the seed (CRASH_SEEDS=1,2,...,30 for many)."""
    people = await add_people(services, 100)
    standin.faults.delay_all(0.05)  # requests stay in flight long enough to be cut
    row = await queue_broadcast(services)
    bot = BotProcess(standin, database_url, tmp_path, **FAST)
    # Each kill may leave its requests in flight uncertain (never resent): the later
    # kill points stay within what can still be sent.
    points = sorted(random.Random(seed).sample(range(1, len(people) - 2 * CONCURRENCY), 3))
    for kill_after in points:
        await bot.start()
        # Liveness, not speed: a loaded CI machine can take a while to start a process.
        await standin.wait_until(lambda n=kill_after: sends_to(standin) >= n, timeout=180)
        await bot.kill()
    await bot.start()
    result = await settled(services, row, timeout=60)
    assert await bot.stop() == 0
    states = await ledger_states(services)
    got = delivered(standin)
    assert len(states) == len(people) == result.total
    assert_never_twice(states, got)
    uncertain = [c for c, s in states.items() if s == "uncertain"]
    assert len(uncertain) <= 3 * CONCURRENCY  # at most the requests in flight at the kills


async def test_two_senders_on_one_database_never_send_a_row_twice(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    people = await add_people(services, 150)
    standin.faults.delay_all(0.01)
    # Slow enough (150 rows at 60/s: 2.5 s) that the second sender wakes while the first is
    # still sending, however loaded the machine: both must take part for this to prove much.
    paced = {**FAST, "SEND_RATE": "60"}
    first = BotProcess.behind_webhook(standin, database_url, tmp_path / "a", **paced)
    second = BotProcess.behind_webhook(standin, database_url, tmp_path / "b", **paced)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    await first.start()
    await second.start()
    await asyncio.sleep(1)
    row = await queue_broadcast(services)
    result = await settled(services, row, timeout=60)
    await first.stop()
    await second.stop()
    assert result.counts == {"sent": 150}
    assert delivered(standin) == {p.chat_id: 1 for p in people}
    async with services.readers() as session:
        workers = {token.split("@")[0] for token in await session.scalars(
            select(m.Delivery.claimed_by))}
    assert len(workers) == 2  # both took part


async def test_sigterm_mid_broadcast_finishes_in_flight_and_loses_nothing(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    people = await add_people(services, 60)
    standin.faults.delay_all(0.05)
    row = await queue_broadcast(services)
    bot = BotProcess(standin, database_url, tmp_path, **FAST)
    await bot.start()
    await standin.wait_until(lambda: sends_to(standin) >= 15, timeout=60)
    assert await bot.stop() == 0  # SIGTERM: a clean exit
    states = await ledger_states(services)
    assert "sending" not in states.values() and "uncertain" not in states.values()
    assert 15 <= list(states.values()).count("sent") < 60
    await bot.start()
    result = await settled(services, row, timeout=60)
    await bot.stop()
    assert result.counts == {"sent": 60}
    assert delivered(standin) == {p.chat_id: 1 for p in people}


async def test_a_second_poller_on_one_database_refuses_to_start(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = BotProcess(standin, database_url, tmp_path / "a", **FAST)
    await first.start()
    second = BotProcess(standin, database_url, tmp_path / "b", **FAST)
    await second.spawn()
    assert second.process is not None
    code = await asyncio.wait_for(second.process.wait(), 30)
    said = second.log.read_text(encoding="utf-8")
    assert code == 1
    assert "另一个实例" in said and "webhook" in said and "Traceback" not in said
    assert first.process is not None and first.process.returncode is None  # still polling
    user = await joined(standin, services, "dalian")  # the first answers
    assert user.messages
    await first.kill()  # a poller that died on this machine gives way at once
    third = BotProcess(standin, database_url, tmp_path / "b", **FAST)
    await third.start()
    assert await third.stop() == 0


async def test_outcomes_not_yet_recorded_at_a_kill_are_never_sent_again(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    """The sender records outcomes in groups: a kill between a request and the record of
    its outcome leaves the row `sending` (never `pending`), so the restarted sender calls
    it uncertain instead of sending it again."""
    people = await add_people(services, 200)
    row = await queue_broadcast(services)
    bot = BotProcess(standin, database_url, tmp_path, **FAST)
    await bot.start()
    await standin.wait_until(lambda: sends_to(standin) >= 40, timeout=120)
    await bot.kill()
    at_kill = await ledger_states(services)
    got = delivered(standin)
    assert got  # the kill landed while sending
    for chat in got:
        assert at_kill[chat] in ("sent", "sending"), (chat, at_kill[chat])
    unrecorded = {chat for chat in got if at_kill[chat] == "sending"}
    await bot.start()
    result = await settled(services, row, timeout=60)
    assert await bot.stop() == 0
    states = await ledger_states(services)
    assert len(states) == len(people) == result.total
    assert_never_twice(states, delivered(standin))
    assert all(states[chat] == "uncertain" for chat in unrecorded)
    assert all(n == 1 for n in delivered(standin).values())
