"""The offline demo: the real bot against the stand-in Bot API server on this machine.

No Telegram account, no token, no internet: a simulated contact joins with an invite and
talks to the bot, and the conversation is printed as it happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from pathlib import Path

from bot.catalog import t
from bot.runner import serve
from bot.services import Services
from bot.settings import Settings
from reporting.clock import FakeClock
from standin.limits import Limits
from standin.server import SentMessage, StandinServer
from storage import models as m
from storage.contacts import unit_by_code
from storage.invites import create_invite


async def run_demo(out_dir: str | Path = "out") -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    database = out / "demo.db"
    for stale in out.glob("demo.db*"):
        stale.unlink()
    logging.getLogger("telegram").setLevel(logging.WARNING)

    server = StandinServer(limits=Limits(chat_burst=100))
    await server.start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=server.token,  # type: ignore[arg-type]
        telegram_api_base_url=server.root,
        database_url=f"sqlite+aiosqlite:///{database}",
    )
    campaign_start = dt.datetime(2021, 1, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    services = Services.create(settings, clock=FakeClock(campaign_start))
    await services.initialise()
    print(t("demo.started", campaign=services.campaign.name.zh, url=server.root))

    stop = asyncio.Event()
    bot_task = asyncio.create_task(serve(services, stop, poll_timeout=1))
    try:
        async with services.transaction() as session:
            unit = await unit_by_code(session, services.campaign_id, "dalian")
            assert unit is not None
            code, _ = await create_invite(session, unit, m.Role.CONTACT, services.clock.now())
        contact = server.user("李娜")
        for text in ("/start", "/help"):
            print(t("demo.says", who=contact.first_name, text=text))
            await contact.send(text)
            for message in await contact.read_all(settle=0.5):
                _show(message)
        print(t("demo.invite_made", unit=unit.name, code=code))
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await bot_task
        await services.close()
        await server.stop()
    print(t("demo.done", path=database))
    return 0


def _show(message: SentMessage) -> None:
    body = "\n".join(f"    {line}" for line in message.text.splitlines())
    print(t("demo.bot_says", text=body.lstrip()))
