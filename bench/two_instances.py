"""Scale-out in numbers: two bot processes on one PostgreSQL database in webhook mode, behind
a small local proxy that spreads Telegram's updates across them (round robin), against
one process behind the same proxy.

Each setup runs, on a fresh database and a stand-in with Telegram's limits lifted:
- a form run: 40 simulated people answer 20 questions each, one message at a time, each
  waiting for the bot's reply (answers/s);
- a broadcast to 2,000 recipients (messages/s at the stand-in), then a count of messages
  sent twice (target: 0) and of the processes whose sender took part.

On a 2-core machine the stand-in, the proxy and the simulated people share the cores
with the bots, so two processes cannot double the figures here; what the run shows is
that they share the load without stepping on each other.

Run:  .venv/bin/python bench/two_instances.py [--pg URL] [--recipients 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bench.delivery_rate import (
    FIRST_CHAT,
    START,
    add_recipients,
    broadcast_to_all,
    rate_at,
)
from bench.form_throughput import bench_campaign, drive
from bench.pg_database import DEFAULT_ADMIN_URL, fresh_pg_database
from bot.settings import Settings
from flows.services import Services
from reporting.clock import FakeClock
from standin.limits import Limits
from standin.server import StandinServer
from storage import models as m
from storage.contacts import unit_by_code
from storage.invites import create_invite

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"
PATH = "/tg/hook"
NO_LIMITS = Limits(per_second=None, chat_burst=None, group_per_minute=None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Proxy:
    """Takes Telegram's webhook posts and hands each to the next instance in turn."""

    def __init__(self, targets: list[str]):
        self.targets = itertools.cycle(targets)
        self.port = free_port()
        self.runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None
        self.passed = 0

    async def start(self) -> None:
        self.session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post(PATH, self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def forward(self, request: web.Request) -> web.Response:
        assert self.session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        async with self.session.post(next(self.targets), data=body, headers=headers) as resp:
            self.passed += 1
            return web.Response(status=resp.status, body=await resp.read())

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
        if self.session is not None:
            await self.session.close()


@dataclass(frozen=True)
class Figures:
    answers_per_s: float
    messages_per_s: float
    sent_twice: int
    senders: int


async def run_setup(instances: int, database_url: str, recipients: int, users: int,
                    answers: int, workdir: Path) -> Figures:
    server = StandinServer(limits=NO_LIMITS)
    await server.start()
    campaign = bench_campaign(workdir / "campaign.yaml", answers + 1, users)
    services = Services.create(Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, campaign_file=campaign),
        clock=FakeClock(START))
    await services.initialise()
    ports = [free_port() for _ in range(instances)]
    proxy = Proxy([f"http://127.0.0.1:{port}{PATH}" for port in ports])
    await proxy.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": server.token,
           "TELEGRAM_API_BASE_URL": server.root, "DATABASE_URL": database_url,
           "CAMPAIGN_FILE": str(campaign), "CLOCK_START": START.isoformat(),
           "LOG_LEVEL": "ERROR", "SEND_RATE": "5000", "WEBHOOK_SECRET": SECRET,
           "WEBHOOK_URL": f"http://127.0.0.1:{proxy.port}{PATH}",
           "WEBHOOK_LISTEN": "127.0.0.1"}
    processes = [subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=workdir,
                                  env={**env, "WEBHOOK_PORT": str(port)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for port in ports]
    try:
        await server.wait_until(lambda: len(server.sent("setWebhook")) >= instances,
                                timeout=60)
        await asyncio.sleep(0.5)
        people = []
        for i in range(users):
            async with services.transaction() as session:
                unit = await unit_by_code(session, f"u{i}")
                assert unit is not None
                code, _ = await create_invite(session, unit, m.Role.CONTACT, START)
            user = server.user(f"联系人{i}")
            await user.command("start", code)
            await user.next_message(timeout=30)
            people.append(user)
        for user in people:
            await user.command("report")
            await user.next_message(timeout=30)
        form = await drive(people, answers, processes[0].pid)
        messages_per_s, twice, senders = await broadcast(server, services, recipients)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        await proxy.stop()
        await services.close()
        await server.stop()
    return Figures(form.rate, messages_per_s, twice, senders)


async def broadcast(server: StandinServer, services: Services,
                    recipients: int) -> tuple[float, int, int]:
    await add_recipients(services, recipients)
    broadcast_id = await broadcast_to_all(services)
    wanted = range(FIRST_CHAT, FIRST_CHAT + recipients)

    def got() -> collections.Counter[int]:
        return collections.Counter({cid: len(c.from_bot) for cid, c in server.chats.items()
                                    if cid in wanted and c.from_bot})

    await server.wait_until(lambda: len(got()) >= recipients, timeout=recipients / 10 + 120)
    await asyncio.sleep(1)  # anything sent twice would arrive now
    twice = sum(n - 1 for n in got().values() if n > 1)
    async with services.readers() as session:
        tokens = await session.scalars(select(m.Delivery.claimed_by).where(
            m.Delivery.key.startswith(f"broadcast:{broadcast_id}:")))
        senders = len({token.split("@")[0] for token in tokens if token})
    return rate_at(server, recipients), twice, senders


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--answers", type=int, default=20)
    args = parser.parse_args()
    try:
        await fresh_pg_database(args.pg, "two_instances_bench")
    except Exception as exc:
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}: {exc}): "
              "several instances need it; nothing measured")
        return
    print(f"PostgreSQL, webhook mode behind a round-robin proxy, stand-in limits lifted; "
          f"{args.users} people x {args.answers} answers, a broadcast to {args.recipients}")
    for instances in (1, 2):
        url = await fresh_pg_database(args.pg, "two_instances_bench")
        began = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            figures = await run_setup(instances, url, args.recipients, args.users,
                                      args.answers, Path(tmp))
        print(f"{instances} instance(s): form {figures.answers_per_s:6.1f} answers/s, "
              f"broadcast {figures.messages_per_s:6.1f} messages/s, sent twice: "
              f"{figures.sent_twice} (target 0), senders that took part: {figures.senders}"
              f"  [{time.monotonic() - began:.0f} s]", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
