"""Generated updates into the running bot: hostile text, forged buttons, odd message kinds,
edits, group chats, Word files (bombs, broken XML, deep nesting, reports full of
characters XML cannot hold), and such text stored in a submitted report. No unhandled
error, every reply valid for Telegram, the data sound; after every sequence each round's
digest renders (chat, Word with its chart, Excel) and every due item fires."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from bot.runner import serve
from flows.digests import fire_digests
from flows.reminders import fire_due
from flows.services import Services
from reporting.clock import FakeClock
from reporting.digest_files import render_all
from standin.limits import Limits
from standin.server import StandinServer
from storage import models as m
from storage.digest_data import load_digest
from tests.conftest import make_settings
from tests.hostile import (
    BAD_CHARACTERS,
    WORD_MIME,
    broken_xml_word_file,
    deeply_nested_word_file,
    not_a_zip,
    raw_word_file,
    word_bomb,
)
from tests.people import joined

SPECIAL = "<>&\"'`*_[]()~#+-=|{}.!\\/\u200b\u200e\u200f\u202e😀🧧"
hostile_text = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
    st.text(alphabet=SPECIAL + "abc中文1234567890 ", max_size=80),
    st.sampled_from(["'; DROP TABLE contacts; --", "<b>&", "</b>", "&amp;", "1,234.5万元",
                     "-5", "１２３", "2021-02-30", "\u202e反向", "   ", "\n\n"]),
    st.integers(min_value=3000, max_value=10_000).map(lambda n: "长" * n),
)
commands = st.sampled_from(["/start", "/help", "/report", "/status", "/deadlines", "/cancel",
                            "/language", "/progress", "/digest", "/remind", "/broadcast",
                            "/contacts", "/nosuch"])
callback_data = st.one_of(
    st.text(max_size=64).filter(lambda s: 1 <= len(s.encode()) <= 64),
    st.builds(lambda p, a, b: f"{p}:{a}:{b}"[:64],
              st.sampled_from(["f:c", "f:t", "f:s", "f:b", "f:d", "f:y", "rv:s", "rv:q",
                               "rd", "ra", "dg", "pg", "rt", "rm", "bc", "ct:d", "ct:i",
                               "lang"]),
              st.one_of(st.integers(-5, 99_999).map(str), st.text(max_size=8)),
              st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789:", max_size=20)),
)
kinds = st.sampled_from(["unbound", "contact", "coordinator", "admin"])
# Characters XML cannot hold, among ordinary ones: they reach the Word and Excel renderers.
xml_hostile_text = st.text(alphabet=BAD_CHARACTERS + "=+-@<&>长$案例 1", min_size=1,
                           max_size=40)
word_files = st.one_of(
    st.sampled_from(["bomb", "broken", "deep", "not a zip"]),
    st.lists(xml_hostile_text, min_size=1, max_size=6).map(tuple),  # a report, paragraphs
)
actions = st.one_of(
    st.tuples(kinds, st.just("text"), hostile_text),
    st.tuples(kinds, st.just("command"), st.tuples(commands, hostile_text).map(
        lambda c: f"{c[0]} {c[1][:100]}".strip())),
    st.tuples(kinds, st.just("button"), callback_data),
    st.tuples(kinds, st.sampled_from(["sticker", "location", "voice", "edited", "group",
                                      "contact_card"]), st.just("")),
    st.tuples(st.just("contact"), st.just("word"), word_files),
    st.tuples(st.just("contact"), st.just("stored"), xml_hostile_text),
)
WORD_FILES = {"bomb": lambda: word_bomb(1_000_000), "broken": broken_xml_word_file,
              "deep": deeply_nested_word_file, "not a zip": not_a_zip}


class BotInThread:
    """The real bot and the stand-in, running in a loop of their own, for hypothesis."""

    def __init__(self, workdir: Path):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.run(self._start(workdir))

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _start(self, workdir: Path) -> None:
        self.server = StandinServer(limits=Limits(per_second=None, chat_burst=None))
        await self.server.start()
        clock = FakeClock(dt.datetime(2021, 1, 25, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        self.services = Services.create(
            make_settings(f"sqlite+aiosqlite:///{workdir / 'fuzz.db'}", self.server), clock=clock)
        await self.services.initialise()
        self.stop = asyncio.Event()
        started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(serve(self.services, self.stop, poll_timeout=1,
                                              started=started))
        await started
        self.users = {
            "unbound": self.server.user("陌生人"),
            "contact": await joined(self.server, self.services, "dalian", "大连联系人"),
            "coordinator": await joined(self.server, self.services, "province", "协调人",
                                        m.Role.COORDINATOR),
            "admin": await joined(self.server, self.services, "province", "管理员",
                                  m.Role.ADMIN),
        }

    async def act(self, kind: str, what: str, value: str) -> None:
        user = self.users[kind]
        if what in ("text", "command"):
            await user.send(value)
        elif what == "button":
            message = user.messages[-1] if user.messages else None
            if message is not None:
                await user.press_data(value, message)
        elif what == "sticker":
            await user.send_other(sticker={"file_id": "s", "file_unique_id": "s", "width": 1,
                                           "height": 1, "is_animated": False,
                                           "is_video": False, "type": "regular"})
        elif what == "location":
            await user.send_other(location={"latitude": 41.8, "longitude": 123.4})
        elif what == "voice":
            await user.send_other(voice={"file_id": "v", "file_unique_id": "v", "duration": 3})
        elif what == "contact_card":
            await user.share_contact("13800000000", user_id=user.id + 1)
        elif what == "edited":
            await self.server.push_update({"edited_message": {
                "message_id": 1, "date": 0, "edit_date": 1, "text": "改过的",
                "from": user.as_json(), "chat": user.chat.as_json()}})
        elif what == "word":
            content = (WORD_FILES[value]() if isinstance(value, str)
                       else raw_word_file("一、活动特点", *value, "二、活动成效", *value))
            await user.send_document(content, "报告.docx", WORD_MIME)
        elif what == "stored":
            await self.store_raw(value)
        elif what == "group":
            await self.server.push_update({"message": {
                "message_id": 1, "date": 0, "text": "/report",
                "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
                "from": user.as_json(), "chat": {"id": -1001, "type": "supergroup",
                                                 "title": "群"}}})

    async def store_raw(self, text: str) -> None:
        """Text in a submitted report and its review note as rows written before the way in
        was guarded held them: the renderers must be safe on their own."""
        async with self.services.transaction() as session:
            unit = await session.scalar(select(m.Unit).where(m.Unit.code == "dalian"))
            rnd = await session.scalar(select(m.Round).where(m.Round.code == "r1"))
            assert unit is not None and rnd is not None
            sub = await session.scalar(select(m.Submission).where(
                m.Submission.unit_id == unit.id, m.Submission.round_id == rnd.id)
                .order_by(m.Submission.version.desc()).limit(1))
            if sub is None:
                sub = m.Submission(unit_id=unit.id, round_id=rnd.id, version=1,
                                   submitted_at=self.services.clock.now())
                session.add(sub)
                await session.flush()
            await session.execute(delete(m.Answer).where(m.Answer.submission_id == sub.id,
                                                         m.Answer.question_id == "features"))
            session.add(m.Answer(submission_id=sub.id, question_id="features", value=text))
            await session.execute(update(m.Submission).where(m.Submission.id == sub.id)
                                  .values(review_note=text))

    async def digests_render_and_items_fire(self) -> None:
        """The next digest of every round renders in every format; every due item fires."""
        now = self.services.clock.now()
        for rnd in self.services.campaign.rounds:
            async with self.services.readers() as session:
                digest = await load_digest(session, self.services.campaign,
                                           self.services.campaign_id, rnd.code, now)
            rendered = render_all(digest)
            assert rendered.parts and all(f.content for f in rendered.files)
        await fire_due(self.services)
        await fire_digests(self.services)
        async with self.services.readers() as session:
            waiting = await session.scalar(select(func.count()).select_from(m.PlanItem).where(
                m.PlanItem.state == "planned", m.PlanItem.at <= now))
        assert waiting == 0

    async def quiet(self) -> None:
        """Wait until the bot has taken every update and answered."""
        for _ in range(200):
            if self.server.pending_updates == 0:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.25)

    async def invariants(self) -> None:
        async with self.services.readers() as session:
            rows = await session.execute(
                select(m.Submission.unit_id, m.Submission.round_id,
                       func.count(), func.max(m.Submission.version))
                .group_by(m.Submission.unit_id, m.Submission.round_id))
            for _, _, count, top in rows:
                assert count == top  # versions 1..n, none lost, none twice
            orphans = await session.scalar(
                select(func.count()).select_from(m.DraftAnswer).outerjoin(
                    m.Draft, m.Draft.id == m.DraftAnswer.draft_id).where(m.Draft.id.is_(None)))
            assert orphans == 0
            strangers = await session.scalar(select(func.count()).select_from(m.Person).where(
                m.Person.telegram_user_id == self.users["unbound"].id))
            assert strangers == 0  # nobody joins by fuzzing

    def close(self) -> None:
        async def shut() -> None:
            self.stop.set()
            await self.task
            await self.services.close()
            await self.server.stop()
        self.run(shut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("handlers", "bot", "scheduler", "telegram.ext.Application")):
            self.records.append(record)


@pytest.fixture(scope="module")
def bot_thread(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotInThread]:
    bot = BotInThread(tmp_path_factory.mktemp("fuzz"))
    yield bot
    bot.close()


@pytest.fixture(scope="module")
def errors() -> Iterator[ErrorCounter]:
    counter = ErrorCounter()
    logging.getLogger().addHandler(counter)
    yield counter
    logging.getLogger().removeHandler(counter)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(actions, min_size=1, max_size=8))
def test_generated_updates_never_break_the_bot(
    bot_thread: BotInThread, errors: ErrorCounter, steps: list[tuple[str, str, str]]
) -> None:
    for kind, what, value in steps:
        bot_thread.run(bot_thread.act(kind, what, value))
    bot_thread.run(bot_thread.quiet())
    assert [r.getMessage() for r in errors.records] == []
    assert bot_thread.server.rejections == []  # every reply was valid for Telegram
    for user in bot_thread.users.values():
        assert not [m_ for m_ in user.messages if "出了点问题" in m_.text]
        assert all(len(m_.text) <= 4096 for m_ in user.messages)
    assert not bot_thread.server.chat(-1001).from_bot  # groups get nothing
    bot_thread.run(bot_thread.invariants())
    bot_thread.run(bot_thread.digests_render_and_items_fire())
