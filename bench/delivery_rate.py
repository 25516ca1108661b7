"""How fast the delivery engine sends a broadcast, and whether it ever trips Telegram's limit.

1. 2,000 recipients, the stand-in enforcing Telegram's 30 messages a second: the achieved
   rate (target at least 28.5 a second, 95% of the limit) and the number of 429s (target 0).
2. The same with the stand-in's limit lifted to 1,000 a second and the bot's pace raised to
   match: the sender's own ceiling.

The bot runs in a process of its own (`bot.runner.serve`, as `python -m bot run` does) on
SQLite; the stand-in and the clock that measures run in this process. Rates are measured
at the stand-in, from the first message it accepted to the last.

Run:  .venv/bin/python bench/delivery_rate.py [--recipients 2000]
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def run_bot(config: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.ERROR)
    settings = Settings(_env_file=None, **config)  # type: ignore[call-arg]

    async def main() -> None:
        services = Services.create(settings, clock=FakeClock(START))
        await services.attach()
        await serve(services, asyncio.Event(), poll_timeout=1)

    asyncio.run(main())


async def measure(recipients: int, server_rate: float, send_rate: float,
                  workdir: Path) -> tuple[float, int, float]:
    server = StandinServer(limits=Limits(per_second=server_rate))
    await server.start()
    config = {"telegram_bot_token": server.token, "telegram_api_base_url": server.root,
              "database_url": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
              "send_rate": send_rate}
    services = Services.create(Settings(_env_file=None, **config),  # type: ignore[arg-type]
                               clock=FakeClock(START))
    await services.initialise()
    async with services.transaction() as session:
        unit_id = (await broadcasts.active_unit_ids(session, services.campaign_id))[0]
        session.add_all([m.Person(telegram_user_id=FIRST_CHAT + i, chat_id=FIRST_CHAT + i,
                                   name=f"联系人{i}", unit_id=unit_id, created_at=START)
                         for i in range(recipients)])
    child = multiprocessing.get_context("spawn").Process(target=run_bot, args=(config,),
                                                         daemon=True)
    child.start()
    await server.wait_until(lambda: bool(server.sent("getUpdates")), timeout=60)
    async with services.transaction() as session:
        row = await broadcasts.start_broadcast(session, None, START)
        row.text, row.audience = "请各单位于1月29日18:00前报送阶段性活动情况。", {"all": True}
        await broadcasts.confirm(session, row, services.campaign_id, START,
                                 services.outbox)

    def accepted() -> int:
        return sum(len(c.from_bot) for cid, c in server.chats.items() if cid >= FIRST_CHAT)

    began = time.monotonic()
    await server.wait_until(lambda: accepted() >= recipients, timeout=recipients / 10 + 120)
    wall = time.monotonic() - began
    times = [t for (method, p), t in zip(server.calls, server.call_times, strict=True)
             if method == "sendMessage" and int(p["chat_id"]) >= FIRST_CHAT]
    refused = sum(1 for _, code, _ in server.rejections if code == 429)
    child.terminate()
    child.join()
    await services.close()
    await server.stop()
    span = max(times) - min(times)
    return (recipients - 1) / span if span else float("inf"), refused, wall


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000)
    args = parser.parse_args()
    n = args.recipients
    with tempfile.TemporaryDirectory() as tmp:
        rate, refused, wall = await measure(n, 30, 29.5, Path(tmp))
    print(f"Telegram's limit (30/s):  {n} messages at {rate:6.1f}/s "
          f"({rate / 30:.1%} of the limit), 429s: {refused}, wall {wall:5.1f} s "
          f"(target at least 28.5/s, zero 429s)")
    with tempfile.TemporaryDirectory() as tmp:
        rate, refused, wall = await measure(n, 1000, 1000, Path(tmp))
    print(f"limit lifted (1000/s):    {n} messages at {rate:6.1f}/s, 429s: {refused}, "
          f"wall {wall:5.1f} s  (the sender's own ceiling)")


if __name__ == "__main__":
    asyncio.run(main())
