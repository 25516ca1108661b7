"""Answers per second along the whole path of the report form, against a bare echo bot.

Each bot runs in a process of its own, as it would in production, against the same kind
of stand-in Bot API server over loopback HTTP (in this process, with the simulated people),
with its rate limits lifted (we measure the bot, not Telegram's limits). The same number of
simulated people each send the same number of messages, one at a time, waiting for each
reply:

- the report bot: stand-in HTTP → PTB → guard → form engine → SQLite commit → reply
  (the next question);
- the echo bot: stand-in HTTP → PTB → reply with the same text.

Both bots are measured in turns (report, echo, report, echo, ...), `--trials` times each,
and the ratio is of the median rates: on a shared machine one trial can be 30 % off.
Each trial also prints the bot process's CPU time per answer (from /proc), the cost of an
answer to the bot itself, which the stand-in and the simulated people do not share.

Run:  .venv/bin/python bench/form_throughput.py [--users 40] [--answers 20] [--trials 3]
      [--synchronous FULL|NORMAL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.baselines import run_echo_bot, start_child
from bench.process_stats import cpu_seconds
from bot.runner import serve
from bot.settings import Settings
from flows.services import Services
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE
from reporting.clock import FakeClock
from standin.limits import Limits
from standin.server import StandinServer
from standin.users import SimulatedUser
from storage import models as m
from storage.contacts import unit_by_code
from storage.invites import create_invite

NO_LIMITS = Limits(per_second=None, chat_burst=None, group_per_minute=None)


def bench_campaign(path: Path, questions: int, units: int) -> Path:
    """The default campaign with one unit per person and `questions` short text questions,
    so every answer is the same kind of step: validate, commit, ask the next."""
    data = yaml.safe_load(DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8"))
    data["units"] = [{"code": f"u{i}", "name": f"单位{i}"} for i in range(units)]
    data["questions"] = [
        {"id": f"q{i}", "type": "short_text", "prompt": {"zh": f"问题 {i}"}}
        for i in range(questions)
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Trial:
    elapsed: float
    trips: list[float]
    cpu_seconds: float | None  # the bot process's, while the people answered

    @property
    def rate(self) -> float:
        return len(self.trips) / self.elapsed

    @property
    def cpu_ms_per_answer(self) -> float | None:
        return None if self.cpu_seconds is None else self.cpu_seconds / len(self.trips) * 1000


async def drive(users: list[SimulatedUser], answers: int, pid: int) -> Trial:
    """Every user sends `answers` messages, each after the previous reply."""
    trips: list[float] = []

    async def one(user: SimulatedUser) -> None:
        for i in range(answers):
            start = time.perf_counter()
            await user.send(f"答案 {i}")
            await user.next_message(timeout=60)
            trips.append(time.perf_counter() - start)

    cpu_before = cpu_seconds(pid)
    begin = time.perf_counter()
    await asyncio.gather(*(one(u) for u in users))
    elapsed = time.perf_counter() - begin
    cpu_after = cpu_seconds(pid)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Trial(elapsed, trips, cpu)


async def report_bot(n_users: int, answers: int, workdir: Path,
                     synchronous: str = "FULL") -> Trial:
    server = StandinServer(limits=NO_LIMITS)
    await server.start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=server.token,  # type: ignore[arg-type]
        telegram_api_base_url=server.root,
        database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        campaign_file=bench_campaign(workdir / "campaign.yaml", answers + 1, n_users),
    )
    start = dt.datetime(2021, 1, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    services = Services.create(settings, clock=FakeClock(start))
    await services.initialise()
    child = start_child(run_report_bot, {
        "telegram_bot_token": server.token, "telegram_api_base_url": server.root,
        "database_url": settings.database_url, "campaign_file": str(settings.campaign_file),
        "synchronous": synchronous})
    await server.wait_until(lambda: bool(server.sent("getUpdates")), timeout=30)
    units = [u.code for u in services.campaign.units]
    users = []
    for i in range(n_users):
        async with services.transaction() as session:
            unit = await unit_by_code(session, units[i % len(units)])
            assert unit is not None
            code, _ = await create_invite(session, unit, m.Role.CONTACT, start)
        user = server.user(f"联系人{i}")
        await user.command("start", code)
        await user.next_message()
        users.append(user)
    for user in users:
        await user.command("report")
        await user.next_message()
    assert child.pid is not None
    result = await drive(users, answers, child.pid)
    child.terminate()
    child.join()
    await services.close()
    await server.stop()
    return result


async def echo_bot(n_users: int, answers: int) -> Trial:
    server = StandinServer(limits=NO_LIMITS)
    await server.start()
    child = start_child(run_echo_bot, {"token": server.token, "root": server.root})
    await server.wait_until(lambda: bool(server.sent("getUpdates")), timeout=30)
    users = [server.user(f"用户{i}") for i in range(n_users)]
    assert child.pid is not None
    result = await drive(users, answers, child.pid)
    child.terminate()
    child.join()
    await server.stop()
    return result


# -- the bots, each in a child process ---------------------------------------------------


def run_report_bot(config: dict[str, Any]) -> None:
    """The report bot as `python -m bot run` runs it, less Telegram's rate limits."""
    logging.basicConfig(level=logging.WARNING)
    from storage import sqlite_inline

    sqlite_inline.SYNCHRONOUS = config.pop("synchronous")
    settings = Settings(_env_file=None, **config)  # type: ignore[call-arg]
    start = dt.datetime(2021, 1, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))

    async def main() -> None:
        services = Services.create(settings, clock=FakeClock(start))
        await services.attach()
        await serve(services, asyncio.Event(), poll_timeout=1, rate_limited=False)

    asyncio.run(main())


def describe(name: str, trial: Trial) -> None:
    trips = sorted(trial.trips)
    p50 = statistics.median(trips) * 1000
    p95 = trips[int(len(trips) * 0.95) - 1] * 1000
    cost = trial.cpu_ms_per_answer
    cpu = "" if cost is None else f"   bot CPU {cost:5.2f} ms/answer"
    print(f"{name:<12} {len(trips):>6} answers in {trial.elapsed:6.2f} s = {trial.rate:7.1f} /s"
          f"   round trip p50 {p50:6.1f} ms, p95 {p95:6.1f} ms{cpu}", flush=True)


def median_cpu(trials: list[Trial]) -> str:
    costs = [c for c in (t.cpu_ms_per_answer for t in trials) if c is not None]
    return f"{statistics.median(costs):.2f} ms" if costs else "unknown"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL",
                        help="SQLite's synchronous mode for the bot (FULL is what it runs)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"{args.users} simulated people, {args.answers} answers each, SQLite "
          f"(synchronous={args.synchronous}), "
          f"stand-in limits lifted, {args.trials} trials of each bot in turns")
    reports: list[Trial] = []
    echoes: list[Trial] = []
    for _ in range(args.trials):
        with tempfile.TemporaryDirectory() as tmp:
            reports.append(await report_bot(args.users, args.answers, Path(tmp),
                                            args.synchronous))
        describe("report bot", reports[-1])
        echoes.append(await echo_bot(args.users, args.answers))
        describe("echo bot", echoes[-1])
    report = statistics.median(t.rate for t in reports)
    echo = statistics.median(t.rate for t in echoes)
    print(f"median: report bot {report:.1f} /s (bot CPU {median_cpu(reports)}/answer), "
          f"echo bot {echo:.1f} /s (bot CPU {median_cpu(echoes)}/answer)")
    print(f"ratio report/echo: {report / echo:.2f} (target at least 0.60)")

if __name__ == "__main__":
    asyncio.run(main())
