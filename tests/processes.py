"""The bot as a separate process (`python -m bot run`), to kill and start again."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path

from standin.server import StandinServer

ROOT = Path(__file__).resolve().parent.parent
# The 年货节 alone unless a test says otherwise (CAMPAIGN_FILE="": every shipped campaign).
ONE_CAMPAIGN = str(ROOT / "reporting" / "campaigns" / "liaoning-2021.yaml")
RUNNING: set[asyncio.subprocess.Process] = set()  # killed after each test, pass or fail


def kill_leftovers() -> None:
    for process in list(RUNNING):
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        RUNNING.discard(process)


class BotProcess:
    def __init__(self, standin: StandinServer, database_url: str, cwd: Path,
                 clock_start: str = "2021-01-20T09:00+08:00", **env: str):
        self.standin = standin
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        self.env.update(PYTHONPATH=str(ROOT), TELEGRAM_BOT_TOKEN=standin.token,
                        TELEGRAM_API_BASE_URL=standin.root, DATABASE_URL=database_url,
                        CLOCK_START=clock_start, LOG_LEVEL="WARNING",
                        CAMPAIGN_FILE=ONE_CAMPAIGN)
        self.env.update(env)
        self.process: asyncio.subprocess.Process | None = None
        self.log = cwd / "bot.log"

    async def spawn(self) -> None:
        """Start the bot's process and return at once."""
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self.cwd, env=self.env,
                stdout=log, stderr=log)
        RUNNING.add(self.process)

    @classmethod
    def behind_webhook(cls, standin: StandinServer, database_url: str, cwd: Path,
                       **env: str) -> BotProcess:
        """A bot in webhook mode on a port of its own: how several instances run."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return cls(standin, database_url, cwd, WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook",
                   WEBHOOK_SECRET="s3cret-for-tests", WEBHOOK_LISTEN="127.0.0.1",
                   WEBHOOK_PORT=str(port), **env)

    async def start(self) -> None:
        """Start the bot and wait until it polls for updates (or, behind a webhook, until
        it has told Telegram where to post them)."""
        method = "setWebhook" if self.env.get("WEBHOOK_URL") else "getUpdates"
        calls = len(self.standin.sent(method))
        await self.spawn()
        await self.standin.wait_until(lambda: len(self.standin.sent(method)) > calls,
                                      timeout=30)

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM, and wait for a clean exit."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)


SEEDS = [int(s) for s in os.environ.get("CRASH_SEEDS", "1,2").split(",")]


async def run_cli(cwd: Path, *args: str, **env: str) -> tuple[int, str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "CAMPAIGN_FILE"}
    }
    environment["PYTHONPATH"] = str(ROOT)
    environment["CAMPAIGN_FILE"] = ONE_CAMPAIGN
    environment.update(env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
