"""Accepting what people type, and saying back what was understood: numbers in 亿 and 万
and in Chinese numerals, dates as they are written, 无 for an optional question, and the
figures to verify as they are typed (a running total below last round's, a part above its
whole)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flows.services import Services
from reporting.answers import AnswerError, parse_typed
from reporting.clock import FakeClock
from reporting.numbers import read_number
from standin.server import StandinServer
from tests.campaign_run import local, submit
from tests.people import answer_current, campaign, joined, question_id

Q = {q.id: q for q in campaign().questions}


@pytest.mark.parametrize(("typed", "unit", "value", "said"), [
    ("3.2亿", "万元", "32000", "3.2亿 = 32,000 万元"),
    ("3.2亿元", "万元", "32000", "3.2亿元 = 32,000 万元"),
    ("32000万", "万元", "32000", "32000万 = 32,000 万元"),
    ("32000万元", "万元", "32000", None),
    ("5000元", "万元", "0.5", "5000元 = 0.5 万元"),
    ("1.2万", "家", "12000", "1.2万 = 12,000 家"),
    ("三千二百", "家", "3200", "三千二百 = 3,200 家"),
    ("一万二", "单", "12000", "一万二 = 12,000 单"),
    ("两千零五", "家", "2005", "两千零五 = 2,005 家"),
    ("十二", "场", "12", "十二 = 12 场"),
    ("１２，０００．５", "万元", "12000.5", None),
    ("1 234 567", "单", "1234567", None),
    ("120家", "家", "120", None),
])
def test_numbers_as_people_type_them(typed: str, unit: str, value: str,
                                     said: str | None) -> None:
    reading = read_number(typed, unit)
    assert reading is not None and reading.value == Decimal(value)
    assert reading.said == said


@pytest.mark.parametrize("typed", ["大约一百", "3.2亿亿x", "", "万", "1..2"])
def test_what_is_no_number_is_refused(typed: str) -> None:
    assert read_number(typed, "万元") is None


@pytest.mark.parametrize(("typed", "day"), [
    ("1月20号", "2021-01-20"), ("1.20", "2021-01-20"), ("元月20日", "2021-01-20"),
    ("20日", "2021-01-20"), ("２０２１年１月２０日", "2021-01-20"), ("2/3", "2021-02-03"),
])
def test_dates_as_people_write_them(typed: str, day: str) -> None:
    assert parse_typed(Q["launch_date"], typed, 2021, 1) == day


def test_an_integer_figure_stays_whole() -> None:
    assert parse_typed(Q["enterprises"], "1.2万", 2021) == 12000
    assert isinstance(parse_typed(Q["enterprises"], "十二点五", 2021), AnswerError)


async def test_the_form_says_what_it_understood_and_what_to_verify(
    running_bot: Services, standin: StandinServer, clock: FakeClock
) -> None:
    """Round 2 of 大连, whose round 1 said 800 万元: 700 is warned about with last round's
    value shown (and no "same as last time" for a running total); 3.2亿元 of live-stream
    sales is read as 32,000 万元 and warned about as more than the online sales; a bare
    5000000 万元 is asked about as likely typed in 元; 暂无 skips an optional question."""
    user = await joined(standin, running_bot, "dalian")
    await submit(running_bot, "dalian", "r1", {"online_retail": "800"})
    clock.set(local(2, 3, 10))
    await user.command("report")
    screen = await user.next_message()
    if any(d.startswith("rd:") for _, d in screen.buttons):
        await user.press("rd:r2:1", screen)
        screen = await user.next_message()
    seen: dict[str, str] = {}
    for _ in range(40):
        if any(d.startswith("rv:s:") for _, d in screen.buttons):
            break
        qid = question_id(screen)
        if qid == "online_retail":
            assert "上一节点填报：800 万元" in screen.text
            assert not [label for label, _ in screen.buttons if "同上次" in label]
            await user.send("700")
        elif qid == "livestream_sales":
            await user.send("3.2亿元")
        elif qid == "crossborder_imports":
            await user.send("暂无")
        elif qid == "rural_sales":
            await user.send("5000000")  # 500 万元 typed in 元
        else:
            screen = await answer_current(user, screen)
            continue
        screen = await user.next_message()
        seen[qid] = screen.text
    assert "⚠️ 请核实：活动期间网络零售额（累计）为累计数，本次 700 万元，比上一节点的 800 万元减少了" \
        in seen["online_retail"]
    assert "✔️ 已按 3.2亿元 = 32,000 万元 记录。" in seen["livestream_sales"]
    assert ("⚠️ 请核实：直播带货销售额（累计）为 32000 万元，大于活动期间网络零售额（累计）的 700 万元"
            in seen["livestream_sales"])
    assert "✔️ 已按“暂无”跳过此题。" in seen["crossborder_imports"]
    assert "⚠️ 请核实单位：5,000,000 万元即 500.00 亿元。如果您填的是“元”，应填 500 万元" \
        in seen["rural_sales"]


async def test_a_tapped_answer_stays_under_its_question(
    running_bot: Services, standin: StandinServer
) -> None:
    """Tapping an option, as typing does, leaves the answer visible in the chat."""
    user = await joined(standin, running_bot, "dalian")
    await user.command("report")
    screen = await user.next_message()
    while question_id(screen) != "launch_form":
        screen = await answer_current(user, screen)
    await user.press("线上启动仪式", screen)
    following = await user.next_message()
    await standin.wait_until(lambda: "✔️ 您的回答：线上启动仪式" in screen.text)
    assert screen.buttons == [] and "本地启动形式" in screen.text
    screen = following
    while question_id(screen) != "activities":
        screen = await answer_current(user, screen)
    await user.press("⬜ 电商直播带货", screen)
    await standin.wait_until(lambda: "☑️ 电商直播带货" in [b for b, _ in screen.buttons])
    await user.press("⬜ 农产品网上行", screen)
    await standin.wait_until(lambda: "☑️ 农产品网上行" in [b for b, _ in screen.buttons])
    await user.press("✔️ 完成", screen)
    await user.next_message()
    await standin.wait_until(lambda: "✔️ 您的回答：电商直播带货、农产品网上行" in screen.text)
