"""Every text exists in both languages with the same placeholders; English users get it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flows.services import Services
from standin.server import StandinServer
from tests.people import joined
from texts.catalog import placeholders, texts
from texts.dates import day, moment, remaining, short_moment


def test_every_key_exists_in_both_languages() -> None:
    assert set(texts("zh")) == set(texts("en"))


def test_every_placeholder_matches() -> None:
    """The same values in both languages; the campaign's names of its offices (filled in by
    the catalog itself) may be said in English without them ("the province")."""
    zh, en = texts("zh"), texts("en")
    names = {"province", "office", "upstream"}
    mismatched = [k for k in zh if placeholders(zh[k]) - names != placeholders(en[k]) - names]
    assert mismatched == []


def test_dates_are_written_the_way_people_there_write_them() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    deadline = dt.datetime(2021, 1, 29, 10, 0, tzinfo=dt.UTC)
    assert day(dt.date(2021, 1, 29)) == "1月29日（周五）"
    assert moment(deadline, zone) == "1月29日（周五）18:00"
    assert short_moment(deadline, zone) == "1月29日 18:00"
    assert moment(deadline, zone, "en") == "Fri 29 Jan 18:00"
    assert remaining(dt.timedelta(days=2, hours=3)) == "还剩 2 天"
    assert remaining(dt.timedelta(hours=5)) == "还剩约 5 小时"
    assert remaining(dt.timedelta(hours=2, minutes=59, seconds=50)) == "还剩约 3 小时"
    assert remaining(dt.timedelta(seconds=-1)) == "已截止"  # 逾期 is a unit's, not a date's


async def test_an_english_user_is_answered_in_english_and_can_switch(
    running_bot: Services, standin: StandinServer
) -> None:
    user = await joined(standin, running_bot, "dalian", "Anna", language_code="en")
    await user.command("report")
    question = await user.next_message()
    assert "question 1/18" in question.text and "Name and phone" in question.text
    await user.command("language")
    choice = await user.next_message()
    await user.press("简体中文", choice)
    await standin.wait_until(lambda: choice.text == "已切换为简体中文。")
    await user.command("deadlines")
    assert "报送日历" in (await user.next_message()).text
    assert next(c["command"] for c in standin.commands[f"chat:{user.id}"]) == "report"
