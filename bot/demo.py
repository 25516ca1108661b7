"""The offline demo: the whole 2021 Liaoning campaign, 1月20日 to 2月19日, in a minute or two,
and beside it the monthly e-commerce statistics (电子商务统计月报) the same cities report
through the same people: January's figures are due on 2月5日.

The real bot runs against the stand-in Bot API server on this machine, on a campaign
clock that jumps from one moment to the next, serving both campaign files from one folder
(the shipped monthly file, re-dated to the demo's year 2021). Fifteen simulated contacts
(one per unit) and a coordinator join once with invite links; the contacts fill in their
reports through the chat at various times (丹东 late, 抚顺 never), choosing the campaign
when both are open; reminders, overdue notices, escalations and digests go out as planned,
each naming its campaign. One city, 大连, works in WeCom (企业微信), as the province's
offices do: its contact joins, is reminded and fills in every report through the stand-in
WeCom server, on cards, in the same campaigns. The account below is what their phones
received, in campaign time; the digests the coordinator received are written to `out/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.demo_answers import WORD_ROUND, WORD_UNIT, demo_answers, demo_word, monthly_answers
from bot.runner import serve
from bot.settings import Settings
from flows.services import Services
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE
from reporting.campaign_folder import DEFAULT_CAMPAIGNS_DIR
from reporting.clock import FakeClock
from standin.limits import Limits
from standin.scripted import ScriptedContact
from standin.server import StandinServer
from standin.users import SimulatedUser
from standin.wecom import WeComStandin
from standin.wecom_scripted import WeComScriptedContact
from storage import models as m
from storage.contacts import unit_by_code
from storage.invites import create_invite
from texts.catalog import t
from texts.dates import moment
from wecom_io.pacer import MemberLimits

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LATE, NEVER = "dandong", "fushun"
ON_WECOM, WECOM_USER = "dalian", "dalian-lianluoyuan"  # the city that works in WeCom
WECOM_PACE = 6000  # messages a minute to one WeCom member, in the demo only
DEFAULT_SPEED = 60_000.0  # campaign seconds per real second: the month in about a minute
FESTIVAL = "liaoning-2021"
MONTHLY, MONTHLY_FILE = "ec-monthly-2021", "ec-monthly-2026.yaml"
JANUARY = "2021-01"  # the monthly report's round for January, due 2月5日
QUOTED = re.compile(r"“([^”]+)”")  # a round's title in a reminder


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, month, day, hour, minute, tzinfo=SHANGHAI)


class Demo:
    def __init__(self, out: Path, speed: float):
        self.out = out
        self.speed = speed
        # Telegram's per-chat pace holds; the overall 30 a second is lifted so that fifteen
        # people typing at once do not slow the demo (bench/delivery_rate.py measures it).
        self.server = StandinServer(limits=Limits(per_second=None, chat_burst=200))
        # WeCom's 30 a minute to one member likewise lifted: the month passes in a minute.
        self.wecom = WeComStandin(corp_id="ww-liaoning-demo",
                                  limits=MemberLimits.per_minute(WECOM_PACE))
        self.wecom.member(WECOM_USER, "大连联络员", "13800000001")
        self.clock = FakeClock(at(1, 20, 9))
        self.contacts: dict[str, ScriptedContact | WeComScriptedContact] = {}
        self.coordinator: SimulatedUser | None = None
        self.counts: dict[str, int] = defaultdict(int)
        self.digests: list[Path] = []

    # -- what happens when ---------------------------------------------------------------

    def schedule(self, codes: list[str]) -> dict[dt.datetime, list[Callable[[], Awaitable[Any]]]]:
        events: dict[dt.datetime, list[Callable[[], Awaitable[Any]]]] = defaultdict(list)
        festival, monthly = self.served[FESTIVAL], self.served[MONTHLY]
        on_time = [c for c in codes if c not in (LATE, NEVER)]
        for i, code in enumerate(on_time):
            # Round 1: a few early, most after the first reminders; rounds 2 and 3 likewise.
            day, hour = (22 + i % 3, 10 + i % 6) if i < 5 else (27 + i % 3, 9 + i % 8)
            events[at(1, day, hour)].append(self._submit(code, festival, "r1"))
            events[at(2, 2 + i % 6, 10 + i % 7)].append(self._submit(code, festival, "r2"))
            events[at(2, 9, 10) if i < 4 else at(2, 18, 10 + i % 6)].append(
                self._submit(code, festival, "r3"))
            # January's statistics, while the festival's second round is open too.
            events[at(2, 1 + i % 4, 15 + i % 3)].append(self._submit(code, monthly, JANUARY))
        events[at(1, 30, 10)].append(self._submit(LATE, festival, "r1"))       # a day late
        events[at(2, 8, 15)].append(self._submit(LATE, festival, "r2"))
        events[at(2, 18, 11)].append(self._submit(LATE, festival, "r3"))
        events[at(2, 8, 16)].append(self._submit(LATE, monthly, JANUARY))
        return events

    def _submit(self, code: str, served: Services,
                round_code: str) -> Callable[[], Awaitable[Any]]:
        async def act() -> None:
            contact = self.contacts[code]
            title = served.round_title(round_code, "zh")
            word = None
            if (code, round_code) == (WORD_UNIT, WORD_ROUND):  # one city sends its Word file
                word = demo_word(code, round_code, self.unit_full_names[code],
                                 served.campaign.round(round_code).title.zh)
                self.counts["word"] += 1
                self.say(t("demo.word", unit=self.unit_names[code]))
            answers = (monthly_answers(code) if served.campaign.code == MONTHLY
                       else demo_answers(code, round_code))
            if isinstance(contact, WeComScriptedContact):
                receipt = await contact.report(answers, round_code, served.campaign_id)
            else:
                receipt = (await contact.report(answers, round_code, word,
                                                served.campaign_id)).text
            self.counts["submitted"] += 1
            late = "（逾期）" if "逾期" in receipt else ""
            self.say(t("demo.submitted", unit=self.unit_names[code], round=title, late=late))
        return act

    def campaign_folder(self) -> Path:
        """The folder the demo serves: the 年货节 as shipped, and the shipped monthly
        report re-dated to 2021, the year the demo plays."""
        folder = self.out / "campaigns"
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.yaml"):
            stale.unlink()
        (folder / DEFAULT_CAMPAIGN_FILE.name).write_bytes(DEFAULT_CAMPAIGN_FILE.read_bytes())
        monthly = (DEFAULT_CAMPAIGNS_DIR / MONTHLY_FILE).read_text(encoding="utf-8")
        (folder / f"{MONTHLY}.yaml").write_text(monthly.replace("2026", "2021"),
                                                encoding="utf-8")
        return folder

    # -- running ----------------------------------------------------------------------------

    async def run(self) -> int:
        self.out.mkdir(parents=True, exist_ok=True)
        for stale in self.out.glob("demo.db*"):
            stale.unlink()
        await self.server.start()
        await self.wecom.start()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=self.server.token,  # type: ignore[arg-type]
            telegram_api_base_url=self.server.root,
            database_url=f"sqlite+aiosqlite:///{self.out / 'demo.db'}",
            campaigns_dir=self.campaign_folder(), wake_interval=3600, send_rate=500,
            wecom_corp_id=self.wecom.corp_id, wecom_agent_id=self.wecom.agent_id,
            wecom_secret=self.wecom.secret,  # type: ignore[arg-type]
            wecom_token=self.wecom.callback_token,  # type: ignore[arg-type]
            wecom_aes_key=self.wecom.aes_key,  # type: ignore[arg-type]
            wecom_api_base_url=self.wecom.root, wecom_member_per_minute=WECOM_PACE,
            webhook_listen="127.0.0.1", webhook_port=0,
        )
        services = Services.create(settings, clock=self.clock)
        await services.initialise()
        self.services = services
        self.served = {s.campaign.code: s for s in services.each()}
        campaign = self.served[FESTIVAL].campaign
        self.unit_names = {u.code: u.short_name for u in campaign.units}
        self.unit_full_names = {u.code: u.name for u in campaign.units}
        print(t("demo.started", campaign="”和“".join(s.campaign.name.zh for s in services.each()),
                url=self.server.root))
        stop = asyncio.Event()
        started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        bot = asyncio.create_task(serve(services, stop, poll_timeout=1, started=started))
        try:
            await asyncio.wait({started, bot}, timeout=30,
                               return_when=asyncio.FIRST_COMPLETED)
            if bot.done():  # it could not start: say why, not that it was slow
                bot.result()
            application = await asyncio.wait_for(started, 1)
            self.callback_url = (f"http://127.0.0.1:{application.bot_data['webhook'].port}"
                                 f"{settings.wecom_callback_path}")
            await self.join_everyone()
            await self.live(application, self.schedule([u.code for u in campaign.units]))
            await self.report_files()
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await bot
            await services.close()
            await self.server.stop()
            await self.wecom.stop()
        print(t("demo.done", path=self.out))
        return 0

    async def join_everyone(self) -> None:
        services = self.services
        campaigns = [s.campaign for s in services.each()]
        for i, unit in enumerate(self.served[FESTIVAL].campaign.units):
            if unit.code == ON_WECOM:  # the invite code sent to the WeCom app
                code = await self._invite(unit.code, m.Role.CONTACT)
                if await self.wecom.post(self.callback_url,
                                         *self.wecom.text_callback(WECOM_USER, code)) != 200:
                    raise RuntimeError("the bot refused the WeCom callback")
                self.contacts[unit.code] = WeComScriptedContact(
                    self.wecom, self.callback_url, WECOM_USER, campaigns, seed=i)
                continue
            user = self.server.user(f"{unit.short_name}联络员")
            await user.command("start", await self._invite(unit.code, m.Role.CONTACT))
            await user.next_message()
            self.contacts[unit.code] = ScriptedContact(user, campaigns, seed=i)
        self.coordinator = self.server.user("杜四龙")
        await self.coordinator.command("start", await self._invite("province", m.Role.COORDINATOR))
        await self.coordinator.next_message()
        self.say(t("demo.joined", n=len(self.contacts)))
        self.say(t("demo.on_wecom", unit=self.unit_names[ON_WECOM]))

    async def _invite(self, code: str, role: m.Role) -> str:
        async with self.services.transaction() as session:
            unit = await unit_by_code(session, code)
            assert unit is not None
            invite, _ = await create_invite(session, unit, role, self.clock.now())
        return invite

    async def live(self, application: Any,
                   events: dict[dt.datetime, list[Callable[[], Awaitable[Any]]]]) -> None:
        """Visit every planned moment and every event in order, up to 2月19日."""
        async with self.services.readers() as session:
            planned = set(await session.scalars(select(m.PlanItem.at)))
        moments = {*(p.astimezone(dt.UTC) for p in planned),
                   *(e.astimezone(dt.UTC) for e in events)}
        by_moment = {e.astimezone(dt.UTC): acts for e, acts in events.items()}
        wakeup, sender = application.bot_data["wakeup"], application.bot_data["sender"]
        wecom_sender = application.bot_data["wecom_sender"]
        previous = self.clock.now()
        while moments:
            when = min(moments)
            moments.discard(when)
            if when > at(2, 19, 23):
                break
            if self.speed > 0:
                await asyncio.sleep(min((when - previous).total_seconds() / self.speed, 3.0))
            previous = when
            self.clock.set(when)
            for act in by_moment.get(when, []):
                await act()
            seen = {code: len(self.inbox(code)) for code in self.contacts}
            province_seen = len(self.coordinator.messages) if self.coordinator else 0
            if await wakeup.tick():
                sender.nudge()
                wecom_sender.nudge()
                await self._settled()
            self.account(seen, province_seen)
            async with self.services.readers() as session:  # planned since (a late report)
                moments |= {p.astimezone(dt.UTC) for p in await session.scalars(
                    select(m.PlanItem.at).where(m.PlanItem.state == m.PlanState.PLANNED,
                                                m.PlanItem.at > when))}

    async def _settled(self) -> None:
        for _ in range(600):
            async with self.services.readers() as session:
                left = await session.scalar(select(func.count()).select_from(m.Delivery).where(
                    m.Delivery.state.in_([m.DeliveryState.PENDING, m.DeliveryState.SENDING])))
            if not left:
                return
            await asyncio.sleep(0.05)

    def account(self, seen: dict[str, int], province_seen: int) -> None:
        """Say what the phones received at this moment, round by round."""
        heard: dict[tuple[str, str], list[str]] = defaultdict(list)  # (kind, round): units
        for code in self.contacts:
            for text in self.inbox(code)[seen[code]:]:
                quoted = QUOTED.search(text)
                title = quoted.group(1) if quoted else ""
                unit = self.unit_names[code] + ("（企业微信）" if code == ON_WECOM else "")
                if text.startswith("⏰ 节前提醒"):
                    heard["before_holiday", title].append(unit)
                elif text.startswith("⏰"):
                    heard["reminded", title].append(unit)
                elif text.startswith("⚠️"):
                    heard["overdue", title].append(unit)
        for (kind, title), names in heard.items():
            self.counts["reminders" if kind == "reminded" else kind] += len(names)
            self.say(t(f"demo.{kind}", round=title, names="、".join(names)))
        if self.coordinator is None:
            return
        for message in self.coordinator.messages[province_seen:]:
            first = message.text.splitlines()[0] if message.text else ""
            if message.document is not None:
                path = self.out / message.document.name
                path.write_bytes(message.document.content)
                self.digests.append(path)
            elif first.startswith("🔔"):
                self.counts["changes"] += 1
                self.say(t("demo.changes", text=_flat(message.text)))
            elif first.startswith("🔄"):
                self.counts["updated"] += 1
                self.say(t("demo.updated", text=first.removeprefix("🔄 ")))
            elif first.startswith("📋") and "截止" in first:
                self.counts["escalations"] += 1
                self.say(t("demo.escalation", text=_flat(message.text)))
            elif first.startswith("📊"):
                self.counts["digests"] += 1
                counts = message.text.splitlines()[1] if "\n" in message.text else ""
                self.say(t("demo.digest", title=first.removeprefix("📊 "), counts=counts))
            elif first.startswith("📅"):
                self.counts["upstream"] += 1
                self.say(t("demo.upstream", text=_flat(message.text)))

    def inbox(self, code: str) -> list[str]:
        """What a unit's contact has received: on Telegram, or on WeCom."""
        contact = self.contacts[code]
        if isinstance(contact, WeComScriptedContact):
            return [r.content for r in contact.messages()]
        return [message.text for message in contact.user.messages]

    async def report_files(self) -> None:
        self.say(t("demo.summary", reminders=self.counts["reminders"],
                   overdue=self.counts["overdue"], escalations=self.counts["escalations"],
                   submitted=self.counts["submitted"], digests=self.counts["digests"]))
        for path in self.digests:
            print(t("demo.file", path=path))

    def say(self, text: str) -> None:
        print(f"{moment(self.clock.now(), SHANGHAI)}  {text}", flush=True)


def _flat(text: str) -> str:
    """A message on one line, without its leading emoji."""
    return " ".join(text.splitlines()).split(" ", 1)[-1]


async def run_demo(out_dir: str | Path = "out", speed: float = DEFAULT_SPEED) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    return await Demo(Path(out_dir), speed).run()
