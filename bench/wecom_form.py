"""How quickly the bot answers each step of the report form on WeCom: the real 年货节 form
(typed answers, choices and several choices on cards, yes/no, review, submit), filled by
every unit at once, each member waiting for the bot's reply before the next step.

Path of a step: the stand-in WeCom encrypts and signs a callback and POSTs it to the
bot's HTTP server → the bot checks and decrypts it, records it once, runs the form step
(one SQLite commit), renders the next card, and sends it with `message/send` (and, after a
click, closes the clicked card with `update_template_card`) → the request is answered.
WeCom retries a callback that gets no answer in 5 seconds, so that is the hard limit; a
person notices well before. WeCom's 30 messages a minute to one member are lifted here:
we measure the bot, not WeCom's limits.

Run:  .venv/bin/python bench/wecom_form.py [--units 15]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import statistics
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
from standin.wecom import WeComStandin
from standin.wecom_scripted import WeComScriptedContact
from storage import models as m
from storage.contacts import unit_by_code
from storage.invites import create_invite
from wecom_io.pacer import MemberLimits

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
GOAL_P95 = 0.5  # seconds a step may take, at the 95th percentile, with every unit at once
LIMIT = 5.0  # WeCom posts the callback again after this


class TimedContact(WeComScriptedContact):
    """Each callback's round trip: posted → answered (the reply already sent)."""

    trips: list[float]

    async def _post(self, sent: tuple[dict[str, str], bytes]) -> list[Any]:
        started = time.perf_counter()
        fresh = await super()._post(sent)
        self.trips.append(time.perf_counter() - started)
        return fresh


async def run(units: int) -> None:
    telegram = StandinServer(limits=Limits(per_second=None, chat_burst=None,
                                           group_per_minute=None))
    wecom = WeComStandin(limits=MemberLimits.per_minute(100_000))
    await telegram.start()
    await wecom.start()
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=telegram.token,  # type: ignore[arg-type]
        telegram_api_base_url=telegram.root, database_url=f"sqlite+aiosqlite:///{folder}/b.db",
        campaign_file=Path(__file__).resolve().parent.parent / "reporting" / "campaigns"
        / "liaoning-2021.yaml", wake_interval=3600,
        wecom_corp_id=wecom.corp_id, wecom_agent_id=wecom.agent_id,
        wecom_secret=wecom.secret, wecom_token=wecom.callback_token,  # type: ignore[arg-type]
        wecom_aes_key=wecom.aes_key,  # type: ignore[arg-type]
        wecom_api_base_url=wecom.root, wecom_member_per_minute=100_000,
        webhook_listen="127.0.0.1", webhook_port=0)
    opened = dt.datetime(2021, 1, 22, 10, tzinfo=SHANGHAI)  # round 1 open
    services = Services.create(settings, clock=FakeClock(opened))
    await services.initialise()
    stop = asyncio.Event()
    started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    bot = asyncio.create_task(serve(services, stop, poll_timeout=1, started=started))
    try:
        app = await asyncio.wait_for(started, 30)
        url = f"http://127.0.0.1:{app.bot_data['webhook'].port}{settings.wecom_callback_path}"
        contacts = []
        for i, unit in enumerate(services.campaign.units[:units]):
            user = f"member-{i}"
            wecom.member(user, f"联络员{i}")
            async with services.transaction() as session:
                row = await unit_by_code(session, unit.code)
                assert row is not None
                code, _ = await create_invite(session, row, m.Role.CONTACT,
                                              services.clock.now())
            assert await wecom.post(url, *wecom.text_callback(user, code)) == 200
            contact = TimedContact(wecom, url, user, [services.campaign], seed=i)
            contact.trips = []
            contacts.append(contact)
        began = time.perf_counter()
        receipts = await asyncio.gather(*(c.report(round_code="r1") for c in contacts))
        elapsed = time.perf_counter() - began
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await bot
        await services.close()
        await telegram.stop()
        await wecom.stop()
    trips = sorted(t for c in contacts for t in c.trips)
    p50 = statistics.median(trips)
    p95 = trips[int(len(trips) * 0.95) - 1]
    submitted = sum("已提交" in r for r in receipts)
    print(f"{units} members on WeCom filled the 年货节 form at once: {submitted} submitted, "
          f"{len(trips)} steps in {elapsed:.1f} s")
    print(f"step round trip: median {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {trips[-1] * 1000:.0f} ms  (goal p95 < {GOAL_P95 * 1000:.0f} ms: "
          f"{'✔' if p95 < GOAL_P95 else '✘'}; WeCom retries after {LIMIT:.0f} s: "
          f"{'✔ never reached' if trips[-1] < LIMIT else '✘ reached'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=15)
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.WARNING)
    asyncio.run(run(args.units))


if __name__ == "__main__":
    main()
