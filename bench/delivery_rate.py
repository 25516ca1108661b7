"""How fast the delivery engine sends a broadcast, and whether it ever trips Telegram's limit.

1. 2,000 recipients, the stand-in enforcing Telegram's 30 messages a second: the achieved
   rate (target at least 28.5 a second, 95% of the limit) and the number of 429s (target 0).
2. The sender's own ceiling: the same with the stand-in's limit lifted and the bot's pace
   raised to match, on SQLite and on PostgreSQL, against a bare PTB `send_message` loop
   (8 requests at a time, no database) on the same kind of stand-in, in turns, in this
   run. Target: at least 0.8 of the bare loop on both databases. Each line also gives
   the CPU time a message costs the sending process.

The bot runs in a process of its own (`bot.runner.serve`, as `python -m bot run` does); the
stand-in and the clock that measures run in this process. Rates are measured at the
stand-in, from the first message it accepted to the last.

Run:  .venv/bin/python bench/delivery_rate.py [--recipients 2000] [--pg URL] [--ceiling-only]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baselines import run_send_loop, start_child
from bench.pg_database import DEFAULT_ADMIN_URL, fresh_pg_database
from bench.process_stats import cpu_seconds
from bot.runner import serve
from bot.settings import Settings
from flows.services import Services
from reporting.clock import FakeClock
from standin.limits import Limits
from standin.server import StandinServer
from storage import broadcasts
from storage import models as m

START = dt.datetime(2021, 1, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
FIRST_CHAT = 5_000_000


@dataclass(frozen=True)
class Run:
    rate: float  # messages a second at the stand-in
    refused: int  # 429s
    wall: float  # seconds from the broadcast's confirmation to the last message
    cpu_ms: float | None  # the sending process's CPU time per message


def run_bot(config: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.ERROR)
    settings = Settings(_env_file=None, **config)  # type: ignore[call-arg]

    async def main() -> None:
        services = Services.create(settings, clock=FakeClock(START))
        await services.attach()
        await serve(services, asyncio.Event(), poll_timeout=1)

    asyncio.run(main())


async def measure(recipients: int, server_rate: float | None, send_rate: float,
                  database_url: str) -> Run:
    """A broadcast to `recipients` people from the bot in its own process."""
    server = StandinServer(limits=Limits(per_second=server_rate))
    await server.start()
    config = {"telegram_bot_token": server.token, "telegram_api_base_url": server.root,
              "database_url": database_url, "send_rate": send_rate}
    services = Services.create(Settings(_env_file=None, **config),  # type: ignore[arg-type]
                               clock=FakeClock(START))
    await services.initialise()
    await add_recipients(services, recipients)
    child = start_child(run_bot, config)
    await server.wait_until(lambda: bool(server.sent("getUpdates")), timeout=60)
    await broadcast_to_all(services)

    def accepted() -> int:
        return sum(len(c.from_bot) for cid, c in server.chats.items() if cid >= FIRST_CHAT)

    began, cpu_before = time.monotonic(), cpu_seconds(child.pid or 0)
    await server.wait_until(lambda: accepted() >= recipients, timeout=recipients / 10 + 120)
    wall, cpu_after = time.monotonic() - began, cpu_seconds(child.pid or 0)
    rate = rate_at(server, recipients)
    refused = sum(1 for _, code, _ in server.rejections if code == 429)
    child.terminate()
    child.join()
    await services.close()
    await server.stop()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Run(rate, refused, wall, None if cpu is None else cpu / recipients * 1000)


async def add_recipients(services: Services, recipients: int) -> None:
    """`recipients` people who have a chat with the bot, from chat FIRST_CHAT on."""
    async with services.transaction() as session:
        unit_id = (await broadcasts.active_unit_ids(session, services.campaign_id))[0]
        session.add_all([m.Person(telegram_user_id=FIRST_CHAT + i, chat_id=FIRST_CHAT + i,
                                   name=f"联系人{i}", unit_id=unit_id, created_at=START)
                         for i in range(recipients)])


async def broadcast_to_all(services: Services) -> int:
    """A confirmed broadcast to everyone (in the ledger); returns its id."""
    async with services.transaction() as session:
        row = await broadcasts.start_broadcast(session, None, START)
        row.text, row.audience = "请各单位于1月29日18:00前报送阶段性活动情况。", {"all": True}
        await broadcasts.confirm(session, row, services.campaign_id, START, services.outbox)
        return row.id


def rate_at(server: StandinServer, recipients: int) -> float:
    """Messages a second at the stand-in to the recipients' chats, first accepted to last."""
    chats = range(FIRST_CHAT, FIRST_CHAT + recipients)
    times = [t for (method, p), t in zip(server.calls, server.call_times, strict=True)
             if method == "sendMessage" and int(p["chat_id"]) in chats]
    span = max(times) - min(times)
    return (len(times) - 1) / span if span else float("inf")


async def bare_loop(recipients: int) -> Run:
    """PTB alone, `send_message` after `send_message`, 8 at a time."""
    server = StandinServer(limits=Limits(per_second=None))
    await server.start()
    cpu = multiprocessing.get_context("spawn").Value("d", 0.0)
    child = start_child(run_send_loop, {"token": server.token, "root": server.root,
                                        "first": FIRST_CHAT, "chats": recipients,
                                        "concurrency": 8, "cpu": cpu})
    while child.is_alive():
        await asyncio.sleep(0.05)
    rate = rate_at(server, recipients)
    await server.stop()
    return Run(rate, 0, 0.0, cpu.value / recipients * 1000)


def _ms(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--pg", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--ceiling-only", action="store_true",
                        help="skip the 70 s run at Telegram's limit")
    args = parser.parse_args()
    n = args.recipients
    if not args.ceiling_only:
        with tempfile.TemporaryDirectory() as tmp:
            run = await measure(n, 30, 29.5, f"sqlite+aiosqlite:///{tmp}/b.db")
        print(f"Telegram's limit (30/s):  {n} messages at {run.rate:6.1f}/s "
              f"({run.rate / 30:.1%} of the limit), 429s: {run.refused}, wall "
              f"{run.wall:5.1f} s (target at least 28.5/s, zero 429s)", flush=True)
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    try:
        await fresh_pg_database(args.pg, "delivery_bench")
        databases.append(("PostgreSQL", args.pg))
    except Exception as exc:  # no server: say so, do not pretend
        print(f"PostgreSQL not measured: {exc.__class__.__name__}: {exc}")
    for name, admin_url in databases:
        bare = await bare_loop(n)
        with tempfile.TemporaryDirectory() as tmp:
            url = (await fresh_pg_database(admin_url, "delivery_bench") if admin_url
                   else f"sqlite+aiosqlite:///{tmp}/b.db")
            run = await measure(n, None, 5000, url)
        print(f"limit lifted, {name:<10}: sender {run.rate:6.1f}/s "
              f"(CPU {_ms(run.cpu_ms)}/message), bare PTB loop {bare.rate:6.1f}/s "
              f"(CPU {_ms(bare.cpu_ms)}/message): {run.rate / bare.rate:.2f}x "
              f"(target at least 0.80x), 429s: {run.refused}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
