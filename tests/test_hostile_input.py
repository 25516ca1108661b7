"""Hostile files, odd characters and forged buttons never hurt anyone: each refused with a
clear message in chat, nothing stored that a report cannot hold, no error for the admins."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import tracemalloc

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from flows.digests import fire_digests
from flows.reminders import fire_due
from flows.services import Services
from reporting.digest_files import render_all
from reporting.docx_sections import UnreadableWordFile, paragraphs
from reporting.reminder_plan import Kind
from standin.server import StandinServer
from storage import drafts
from storage import models as m
from storage.digest_data import load_digest
from tests.hostile import (
    BAD_CHARACTERS,
    WORD_MIME,
    broken_xml_word_file,
    deeply_nested_word_file,
    not_a_zip,
    padded_word_file,
    word_bomb,
    word_file,
)
from tests.people import answer_current, joined, question_id, submit_report


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR)
    return caplog


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def at_question(user, wanted: str):  # type: ignore[no-untyped-def]
    await user.command("report")
    screen = await user.next_message()
    while question_id(screen) != wanted:
        screen = await answer_current(user, screen)
    return screen


# -- Word files ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1_000_000, 50_000_000])
def test_a_word_bomb_is_refused_before_parsing_in_bounded_memory(count: int) -> None:
    bomb = word_bomb(count)
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    with pytest.raises(UnreadableWordFile) as refused:
        paragraphs(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.too_big
    assert peak < 16 * 1024 * 1024  # the bomb unpacks to 6 MB and 300 MB


@pytest.mark.parametrize("content", [broken_xml_word_file(), deeply_nested_word_file(),
                                     not_a_zip(), b""])
def test_a_malformed_word_file_is_unreadable_not_an_error(content: bytes) -> None:
    with pytest.raises(UnreadableWordFile) as refused:
        paragraphs(content)
    assert not refused.value.too_big


async def test_a_contact_sending_a_word_bomb_is_told_and_others_keep_being_answered(
    running_bot: Services, standin: StandinServer, errors: pytest.LogCaptureFixture
) -> None:
    user = await joined(standin, running_bot, "tieling")
    other = await joined(standin, running_bot, "dalian", "王强")
    await at_question(user, "features")
    await user.send_document(word_bomb(50_000_000), "总结.docx", WORD_MIME)
    await other.command("status")
    refused = await user.next_message()
    assert "解压后过大" in refused.text
    assert (await other.next_message()).text
    await user.send_document(broken_xml_word_file(), "坏文件.docx", WORD_MIME)
    assert "无法读取这个 Word 文件" in (await user.next_message()).text
    await user.send_document(deeply_nested_word_file(), "嵌套.docx", WORD_MIME)
    assert "无法读取这个 Word 文件" in (await user.next_message()).text
    assert error_lines(errors) == []
    admin_notes = [t for t in (m_.text for m_ in user.messages) if "出了点问题" in t]
    assert admin_notes == []


async def test_the_same_file_sent_five_times_is_kept_once(
    running_bot: Services, standin: StandinServer
) -> None:
    user = await joined(standin, running_bot, "tieling")
    await at_question(user, "features")
    report = word_file("一、活动特点", "直播带货进乡村。", "二、成效", "销售额增长。")
    for _ in range(5):
        await user.send_document(report, "总结.docx", WORD_MIME)
        await user.next_message()
    async with running_bot.readers() as session:
        kept = await session.scalar(select(func.count()).select_from(m.Attachment))
    assert kept == 1


async def test_a_unit_past_its_storage_bound_is_told_so(
    running_bot: Services, standin: StandinServer
) -> None:
    running_bot.settings.unit_storage_mb = 1
    user = await joined(standin, running_bot, "tieling")
    await at_question(user, "features")
    big, other = padded_word_file("甲", 700_000), padded_word_file("乙", 700_000)
    await user.send_document(big, "一.docx", WORD_MIME)
    await user.next_message()
    await user.send_document(other, "二.docx", WORD_MIME)
    assert "已达上限（1 MB）" in (await user.next_message()).text


# -- characters XML cannot hold, formulas, long answers ------------------------------------


async def test_characters_xml_cannot_hold_are_dropped_at_the_way_in(
    running_bot: Services, standin: StandinServer
) -> None:
    user = await joined(standin, running_bot, "dalian")
    await at_question(user, "features")
    await user.send(f"线上{BAD_CHARACTERS}线下联动")
    await user.next_message()
    async with running_bot.readers() as session:
        draft = await session.scalar(select(m.Draft))
        assert draft is not None
        stored = await drafts.draft_answers(session, draft.id)
    assert stored["features"].value == "线上线下联动"


async def test_the_digest_renders_and_fires_with_hostile_text_already_stored(
    running_bot: Services, standin: StandinServer, clock
) -> None:
    """Rows written before the way in was guarded: the renderers are safe on their own."""
    user = await joined(standin, running_bot, "dalian")
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    await submit_report(user)
    hostile = f"=HYPERLINK(\"http://example.invalid\",\"点我\"){BAD_CHARACTERS}"
    async with running_bot.transaction() as session:
        answer = await session.scalar(select(m.Answer).where(m.Answer.question_id == "features"))
        assert answer is not None
        answer.value = hostile
        sub = await session.get_one(m.Submission, answer.submission_id)
        sub.review_note = "-cmd|' /C calc'!A0"
    clock.set(dt.datetime(2021, 1, 29, 19, 0, tzinfo=clock.now().tzinfo))
    async with running_bot.readers() as session:
        digest = await load_digest(session, running_bot.campaign, running_bot.campaign_id,
                                   "r1", clock.now())
    rendered = render_all(digest)
    book = load_workbook(io.BytesIO(rendered.file("xlsx").content))
    texts = [c for row in book["全部答案"].iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert texts and all(c.data_type == "s" for c in texts)
    note = [c for row in book["报送情况"].iter_rows() for c in row if c.value and
            str(c.value).startswith("-cmd")]
    assert note and note[0].data_type == "s"
    await fire_digests(running_bot)  # here, or by the running bot's own wake-up
    async with running_bot.readers() as session:
        states = set(await session.scalars(select(m.PlanItem.state).where(
            m.PlanItem.kind == Kind.DIGEST, m.PlanItem.ref == "r1")))
    assert states == {"done"}
    await standin.wait_until(lambda: any(
        m_.document is not None and (m_.document.name or "").endswith(".xlsx")
        for m_ in standin.chat(coordinator.chat.id).from_bot))


async def test_one_item_that_cannot_be_composed_does_not_hold_up_the_others(
    running_bot: Services, clock
) -> None:
    clock.set(dt.datetime(2021, 1, 26, 9, 1, tzinfo=clock.now().tzinfo))
    now = clock.now()
    async with running_bot.transaction() as session:  # an upstream deadline the file lost
        session.add(m.PlanItem(campaign_id=running_bot.campaign_id, kind=Kind.UPSTREAM,
                               ref="gone", label="x", at=now - dt.timedelta(minutes=2),
                               due=now + dt.timedelta(days=1), state="planned"))
    await fire_due(running_bot)
    async with running_bot.readers() as session:
        rows = {(r.ref, r.state) for r in await session.scalars(
            select(m.PlanItem).where(m.PlanItem.at <= clock.now()))}
    assert ("gone", "planned") in rows
    assert ("r1", "done") in rows


async def test_a_long_answer_counts_as_telegram_counts_and_is_shown_again(
    running_bot: Services, standin: StandinServer
) -> None:
    user = await joined(standin, running_bot, "dalian")
    await at_question(user, "features")
    await user.send("😀" * 2045)  # 2,045 characters, 4,090 UTF-16 units
    refused = await user.next_message()
    assert "内容过长" in refused.text
    assert question_id(refused) == "features"
    await user.send("😀" * 1490)  # 2,980 units: within the limit of 3,000
    following = await user.next_message()
    await user.press("⬅️ 上一题", following)  # the answer is shown again, to edit
    shown = await user.read_all(settle=0.5)
    assert standin.rejections == []
    assert shown[-1].buttons
    assert sum(m_.text.count("😀") for m_ in shown) == 1490


# -- forged buttons ----------------------------------------------------------------------


@pytest.mark.parametrize("data", ["f:c:²:features:x", "f:y:1:features:²", "rt:" + "9" * 30, "ct:u:nosuch",
                                  "bc:missing:1:nosuch", "f:c:1", "rv:s:-1", "lang:xx:yy",
                                  "dg:", "pg:r9"])
async def test_a_forged_button_is_refused_quietly(
    running_bot: Services, standin: StandinServer, errors: pytest.LogCaptureFixture,
    data: str,
) -> None:
    admin = await joined(standin, running_bot, "province", "管理员", m.Role.ADMIN)
    await admin.command("help")
    screen = await admin.next_message()
    await admin.press_data(data, screen)
    await standin.wait_until(lambda: bool(standin.sent("answerCallbackQuery")))
    await asyncio.sleep(0.3)  # anything the tap causes arrives
    assert error_lines(errors) == []
    assert not [m_ for m_ in admin.messages if "出了点问题" in m_.text]


async def test_an_edited_message_never_changes_a_stored_answer(
    running_bot: Services, standin: StandinServer
) -> None:
    user = await joined(standin, running_bot, "dalian")
    screen = await at_question(user, "enterprises")
    await standin.push_update({"edited_message": {
        "message_id": screen.message_id - 1, "date": 0, "edit_date": 1, "text": "120",
        "from": user.as_json(), "chat": user.chat.as_json()}})
    assert "不会改变已保存的内容" in (await user.next_message()).text
    async with running_bot.readers() as session:
        draft = await session.scalar(select(m.Draft))
        assert draft is not None
        stored = await drafts.draft_answers(session, draft.id)
    assert "enterprises" not in stored
    assert stored["launch_date"].value == "2021-01-20"
