"""Restarts and two instances: a reminder whose time passes while the bot is down goes
out once; the scheduler's job count does not grow; two instances send each once."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from bot.runner import serve
from flows.services import Services
from standin.server import StandinServer
from storage import models as m
from tests.people import invite_code
from tests.processes import BotProcess

FAST = {"WAKE_INTERVAL": "0.3", "SEND_RATE": "200"}


async def join_units(services: Services, standin: StandinServer, codes: list[str]):
    """Contacts who joined earlier (their invites redeemed by the running bot)."""
    users = []
    for code in codes:
        user = standin.user(f"{code}联系人")
        await user.command("start", await invite_code(services, code))
        users.append(user)
    return users


async def sent_reminders(services: Services) -> int:
    async with services.readers() as session:
        return await session.scalar(select(func.count()).select_from(m.Delivery).where(
            m.Delivery.purpose == "reminder", m.Delivery.state == "sent")) or 0


async def test_a_reminder_due_while_the_bot_was_down_goes_out_once(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    # Up on 1月26日 08:59:57, for a few seconds: it joins the people, nothing is due yet.
    bot = BotProcess(standin, database_url, tmp_path, clock_start="2021-01-26T08:59:57+08:00",
                     **FAST)
    await bot.start()
    users = await join_units(services, standin, ["dalian", "anshan"])
    await standin.wait_until(lambda: all(u.messages for u in users), timeout=20)
    await bot.stop()
    assert await sent_reminders(services) == 0
    # Down across 09:00; up again at 09:20 (within the grace period): sent at start-up.
    for start in ("2021-01-26T09:20:00+08:00", "2021-01-26T09:25:00+08:00"):
        bot = BotProcess(standin, database_url, tmp_path, clock_start=start, **FAST)
        await bot.start()
        await standin.wait_until(lambda: all(
            any("⏰" in m_.text for m_ in u.messages) for u in users), timeout=20)
        await asyncio.sleep(1)
        await bot.stop()
    for user in users:
        assert len([m_ for m_ in user.messages if "⏰" in m_.text]) == 1
    assert await sent_reminders(services) == 2


async def test_a_reminder_missed_by_more_than_the_grace_period_is_skipped(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    bot = BotProcess(standin, database_url, tmp_path,
                     clock_start="2021-01-27T06:00:00+08:00",  # 21 h after 1月26日 09:00
                     LOG_LEVEL="INFO", **FAST)
    await bot.start()
    await asyncio.sleep(1.5)
    await bot.stop()
    async with services.readers() as session:
        item = await session.scalar(select(m.PlanItem).where(
            m.PlanItem.ref == "r1", m.PlanItem.label == "d3@0900"))
    assert item is not None and item.state == "skipped"
    assert "not running" in (item.note or "")
    assert "skipped reminder r1 d3@0900" in bot.log.read_text()


async def test_ten_restarts_in_a_row_each_start_and_leave_the_plan_as_it_was(
    services: Services, standin: StandinServer
) -> None:
    """Each stop gives the polling lease back (else the next start, in this same process,
    would be refused), and starting never adds to the plan or fires anything twice."""
    services.clock.set(services.clock.now() - dt.timedelta(minutes=30))  # type: ignore[attr-defined]
    async with services.readers() as session:  # (before round 1's opening notice at 09:00)
        plan_before = await session.scalar(select(func.count()).select_from(m.PlanItem))
    for _ in range(10):
        stop = asyncio.Event()
        started: asyncio.Future = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(serve(services, stop, poll_timeout=0.2, started=started))
        await asyncio.wait_for(started, 10)
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
    async with services.readers() as session:
        plan_after = await session.scalar(select(func.count()).select_from(m.PlanItem))
        leases_left = await session.scalar(select(func.count()).select_from(m.Lease))
        fired = await session.scalar(select(func.count()).select_from(m.PlanItem).where(
            m.PlanItem.state != "planned"))
    assert plan_after == plan_before and leases_left == 0 and fired == 0
