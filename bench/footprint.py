"""The bot's footprint when it does nothing: start-up time and idle memory, against a bare
PTB echo bot on the same kind of stand-in, in the same run.

- start-up: from the process's spawn to its first `getUpdates` at the stand-in (polling);
  `python -m bot run` on an initialised SQLite database, as an operator starts it.
  Target: under 1 s.
- idle memory: resident memory (RSS) after the bot has polled for a few seconds with
  nothing to do. Target: at most 1.9 times the echo bot's.
- for reference, a bare process that imports what the bot is built on (PTB, SQLAlchemy's
  asyncio extension, pydantic-settings, APScheduler, aiohttp, PyYAML, chinesecalendar).

Each is measured `--trials` times in turns; medians are printed.

Run:  .venv/bin/python bench/footprint.py [--trials 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.process_stats import rss_mb
from standin.limits import Limits
from standin.server import StandinServer

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
IDLE_SECONDS = 4
ECHO = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
        "from bench.baselines import run_echo_bot; "
        "run_echo_bot({{'token': '{token}', 'root': '{root}'}})")
FOUNDATIONS = ("import telegram.ext, sqlalchemy.ext.asyncio, pydantic_settings, apscheduler, "
               "aiohttp, yaml, chinese_calendar, time; time.sleep({idle})")


async def one(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first getUpdates, idle RSS in MB) of the process `argv`, on a
    stand-in of its own; `{token}` and `{root}` in `argv` are the stand-in's."""
    server = StandinServer(limits=Limits(per_second=None))
    await server.start()
    env = {**env, "TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_API_BASE_URL": server.root}
    argv = [a.format(token=server.token, root=server.root) for a in argv]
    began = time.monotonic()
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        await server.wait_until(lambda: bool(server.sent("getUpdates")), timeout=60)
        started = time.monotonic() - began
        await asyncio.sleep(IDLE_SECONDS)
        rss = rss_mb(process.pid) or float("nan")
    finally:
        process.terminate()
        process.wait(timeout=30)
        await server.stop()
    return started, rss


def foundations_rss() -> float:
    process = subprocess.Popen([PYTHON, "-c", FOUNDATIONS.format(idle=IDLE_SECONDS)], cwd=ROOT)
    time.sleep(IDLE_SECONDS - 1)
    rss = rss_mb(process.pid) or float("nan")
    process.wait()
    return rss


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bot.db",
               "LANG": "C.UTF-8"}
        subprocess.run([PYTHON, "-m", "bot", "init"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        bots, echoes = [], []
        for _ in range(args.trials):
            bots.append(await one([PYTHON, "-m", "bot", "run"], env))
            echoes.append(await one([PYTHON, "-c", ECHO], env))
    bot_start = statistics.median(b[0] for b in bots)
    echo_start = statistics.median(e[0] for e in echoes)
    bot_rss = statistics.median(b[1] for b in bots)
    echo_rss = statistics.median(e[1] for e in echoes)
    print(f"start-up to polling: bot {bot_start:.2f} s, echo bot {echo_start:.2f} s "
          f"(target: bot under 1 s)")
    print(f"idle memory (RSS):   bot {bot_rss:.0f} MB, echo bot {echo_rss:.0f} MB: "
          f"{bot_rss / echo_rss:.2f}x (target at most 1.90x); "
          f"the foundations imported alone: {foundations_rss():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
