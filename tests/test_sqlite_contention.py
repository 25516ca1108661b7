"""SQLite under contention: contacts writing at once from several connections while a
second process (the bot) claims reminders and sends a broadcast. Zero "database is
locked", no lost write. The long variant (100 rounds) runs with `-m slow`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from flows.services import Services
from standin.limits import Limits
from standin.server import StandinServer
from storage import drafts
from storage import models as m
from tests.campaign_run import submit
from tests.conftest import make_settings
from tests.ledger import add_people, queue_broadcast, settled
from tests.processes import BotProcess

WRITERS = 50


@pytest.fixture
def limits() -> Limits:
    return Limits(per_second=None)


async def contend(services: Services, standin: StandinServer, database_url: str,
                  tmp_path: Path, rounds: int) -> dict[str, int]:
    if not database_url.startswith("sqlite"):
        pytest.skip("contention of SQLite's single writer")
    people = await add_people(services, WRITERS)
    row = await queue_broadcast(services)
    # The bot in its own process, at a reminder's time: it claims reminders and sends.
    bot = BotProcess(standin, database_url, tmp_path, clock_start="2021-01-26T09:00:00+08:00",
                     WAKE_INTERVAL="0.2", SEND_RATE="300")
    await bot.start()
    # Five connections of this process write at the same time as the bot.
    pools = [Services.create(make_settings(database_url), clock=services.clock)
             for _ in range(5)]
    for pool in pools:
        await pool.attach()
    locked = written = 0
    rnd = next(r for r in services.rounds if r.code == "r1")

    async def answer(i: int, n: int) -> None:
        nonlocal locked, written
        pool = pools[i % len(pools)]
        try:
            async with pool.transaction() as session:
                draft = await drafts.open_draft(session, people[i].unit_id, rnd.id,
                                                pool.clock.now())
                await drafts.save_answer(session, draft.id, f"q{i}", f"{n}", people[i].id,
                                         pool.clock.now())
            written += 1
        except OperationalError as exc:
            if "locked" in str(exc):
                locked += 1
            raise

    for n in range(rounds):
        await asyncio.gather(*(answer(i, n) for i in range(WRITERS)))
    units = ["dalian", "anshan", "fushun"]
    await asyncio.gather(*(submit(pools[i], code, "r2") for i, code in enumerate(units)))
    result = await settled(services, row, timeout=120)
    await bot.stop()
    async with services.readers() as session:
        kept = await session.scalar(select(func.count()).select_from(m.DraftAnswer).where(
            m.DraftAnswer.question_id.like("q%")))
        r2 = await session.scalar(select(func.count()).select_from(m.Submission).join(
            m.Round, m.Round.id == m.Submission.round_id).where(m.Round.code == "r2"))
    for pool in pools:
        await pool.close()
    assert result.counts == {"sent": WRITERS}
    print(f"\nSQLite contention: {rounds} rounds x {WRITERS} writers from 5 connections "
          f"beside the bot's process: written {written}, locked {locked}, "
          f"broadcast {result.counts}")
    return {"locked": locked, "written": written, "kept": kept or 0, "submitted": r2 or 0}


async def test_sqlite_under_contention(services: Services, standin: StandinServer,
                                       database_url: str, tmp_path: Path) -> None:
    rounds = int(os.environ.get("CONTENTION_ROUNDS", "5"))
    figures = await contend(services, standin, database_url, tmp_path, rounds)
    assert figures["locked"] == 0
    assert figures["written"] == WRITERS * rounds
    assert figures["kept"] == WRITERS  # one answer per question, the latest kept
    assert figures["submitted"] == 3


@pytest.mark.slow
async def test_sqlite_under_contention_100_rounds(services: Services, standin: StandinServer,
                                                  database_url: str, tmp_path: Path) -> None:
    figures = await contend(services, standin, database_url, tmp_path, 100)
    assert figures["locked"] == 0 and figures["written"] == WRITERS * 100
