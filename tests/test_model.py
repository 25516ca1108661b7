"""A model of the whole: hypothesis drives answers, submissions, amendments, the clock,
crashes and restarts, broadcasts and users who block the bot, and checks after each step:
nothing sent twice, every due reminder fired while the bot was up, no acknowledged answer
lost, versions only grow."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import tempfile
import threading
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select

from bot.runner import serve
from flows.report_form import ReportFlow
from flows.screens import QuestionScreen, ReviewScreen
from flows.services import Services
from reporting.clock import FakeClock
from standin.limits import Limits
from standin.server import StandinServer
from storage import models as m
from tests.campaign_run import drained
from tests.conftest import make_settings
from tests.ledger import queue_broadcast

UNITS = ["dalian", "anshan", "fushun"]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TEXT_QUESTIONS = ["reporter", "features", "results", "cases", "shortcomings", "suggestions"]


class Loop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


LOOP = Loop()


class Campaign(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.clock = FakeClock(dt.datetime(2021, 1, 25, 10, tzinfo=SHANGHAI))
        self.acknowledged: dict[str, dict[str, str]] = {u: {} for u in UNITS}
        self.versions: dict[str, int] = dict.fromkeys(UNITS, 0)
        self.blocked: set[str] = set()
        LOOP.run(self._boot())

    async def _boot(self) -> None:
        self.server = StandinServer(limits=Limits(per_second=None, chat_burst=None))
        await self.server.start()
        self.services = Services.create(make_settings(
            f"sqlite+aiosqlite:///{Path(self.tmp.name) / 'model.db'}", self.server,
            send_rate=500, wake_interval=3600), clock=self.clock)
        await self.services.initialise()
        self.contacts: dict[str, m.Person] = {}
        async with self.services.transaction() as session:
            for i, code in enumerate(UNITS):
                unit = await session.scalar(select(m.Unit).where(m.Unit.code == code))
                assert unit is not None
                contact = m.Person(telegram_user_id=810_000 + i, chat_id=810_000 + i,
                                    name=f"{code}联系人", unit_id=unit.id,
                                    created_at=self.clock.now())
                session.add(contact)
                self.contacts[code] = contact
        await self._start_bot()

    async def _start_bot(self) -> None:
        self.stop = asyncio.Event()
        started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(serve(self.services, self.stop, poll_timeout=0.5,
                                              started=started))
        self.app = await asyncio.wait_for(started, 20)

    # -- rules --------------------------------------------------------------------------

    @rule(unit=st.sampled_from(UNITS), question=st.sampled_from(TEXT_QUESTIONS),
          text=st.text(alphabet="报送数据成效案例abc123 <&>", min_size=1, max_size=30))
    def answer(self, unit: str, question: str, text: str) -> None:
        if not text.strip():
            return
        LOOP.run(self._answer(unit, question, text.strip()))

    async def _answer(self, unit: str, question: str, text: str) -> None:
        flow = ReportFlow(self.services, self.contacts[unit], "zh")
        screen = await flow.start()
        if not isinstance(screen, QuestionScreen | ReviewScreen):
            return  # a choice of rounds, or an offer to amend: not this rule's business
        screen = await flow.review_action(screen.draft_id, "edit_question", question)
        if not isinstance(screen, QuestionScreen) or screen.question.id != question:
            return
        reply = await flow.answer_text(text)
        if isinstance(reply, QuestionScreen | ReviewScreen) and \
                not (isinstance(reply, QuestionScreen) and reply.error):
            self.acknowledged[unit][question] = text  # the bot answered: it is kept

    @rule(unit=st.sampled_from(UNITS))
    def submit(self, unit: str) -> None:
        from tests.campaign_run import submit

        async def go() -> None:
            rnd = self._open_round()
            if rnd is None:
                return
            async with self.services.readers() as session:
                latest = await session.scalar(select(func.max(m.Submission.version)).join(
                    m.Unit, m.Unit.id == m.Submission.unit_id).where(
                    m.Unit.code == unit, m.Submission.round_id == rnd.id))
            await submit(self.services, unit, rnd.code, dict(self.acknowledged[unit]))
            self.versions[unit] = (latest or 0) + 1
            self.acknowledged[unit] = {}
        LOOP.run(go())

    @rule(hours=st.integers(min_value=1, max_value=60))
    def advance(self, hours: int) -> None:
        self.clock.advance(dt.timedelta(hours=hours))
        LOOP.run(self._tick())

    async def _tick(self) -> None:
        await self.app.bot_data["wakeup"].tick()
        self.app.bot_data["sender"].nudge()
        await drained(self.services)

    @rule()
    def crash_and_restart(self) -> None:
        async def go() -> None:
            self.task.cancel()  # abrupt: no clean stop
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
            await self._start_bot()
        LOOP.run(go())

    @rule()
    def broadcast(self) -> None:
        async def go() -> None:
            await queue_broadcast(self.services, "请核对数据。")
            self.app.bot_data["sender"].nudge()
            await drained(self.services)
        LOOP.run(go())

    @rule(unit=st.sampled_from(UNITS))
    def block(self, unit: str) -> None:
        self.server.faults.block(self.contacts[unit].chat_id or 0)
        self.blocked.add(unit)

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def nothing_sent_twice(self) -> None:
        async def check() -> None:
            async with self.services.readers() as session:
                rows = await session.execute(select(m.Delivery.chat_id, m.Delivery.state))
            settled = collections.Counter((chat, state) for chat, state in rows)
            for code, contact in self.contacts.items():
                chat = self.server.chats.get(contact.chat_id or 0)
                got = len(chat.from_bot) if chat else 0
                sent = settled[(contact.chat_id, "sent")]
                uncertain = settled[(contact.chat_id, "uncertain")]
                assert sent <= got <= sent + uncertain, (code, got, sent, uncertain)
        LOOP.run(check())

    @invariant()
    def due_items_fired_while_up(self) -> None:
        async def check() -> None:
            await self._tick()
            async with self.services.readers() as session:
                overdue = await session.scalar(select(func.count()).select_from(m.PlanItem).where(
                    m.PlanItem.state == "planned", m.PlanItem.at <= self.clock.now()))
            assert overdue == 0
        LOOP.run(check())

    @invariant()
    def no_acknowledged_answer_lost(self) -> None:
        async def check() -> None:
            async with self.services.readers() as session:
                for code, answers in self.acknowledged.items():
                    if not answers:
                        continue
                    rows = dict((await session.execute(
                        select(m.DraftAnswer.question_id, m.DraftAnswer.value)
                        .join(m.Draft, m.Draft.id == m.DraftAnswer.draft_id)
                        .join(m.Unit, m.Unit.id == m.Draft.unit_id)
                        .where(m.Unit.code == code))).all())
                    for question, value in answers.items():
                        assert rows.get(question) == value, (code, question)
        LOOP.run(check())

    @invariant()
    def versions_only_grow(self) -> None:
        async def check() -> None:
            async with self.services.readers() as session:
                rows = await session.execute(
                    select(m.Submission.unit_id, m.Submission.round_id, func.count(),
                           func.max(m.Submission.version))
                    .group_by(m.Submission.unit_id, m.Submission.round_id))
                for _, _, count, top in rows:
                    assert count == top
        LOOP.run(check())

    def teardown(self) -> None:
        async def shut() -> None:
            self.stop.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self.task, 10)
            await self.services.close()
            await self.server.stop()
        LOOP.run(shut())
        self.tmp.cleanup()

    def _open_round(self) -> m.Round | None:
        now = self.clock.now()
        open_rounds = [r for r in self.services.rounds if r.opens_at <= now]
        return open_rounds[-1] if open_rounds else None


Campaign.TestCase.settings = settings(
    max_examples=8, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestCampaignModel = Campaign.TestCase
