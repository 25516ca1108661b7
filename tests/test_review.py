"""The province reviews a report from `/progress`: 通过 accepts it and the unit hears so;
the digest shows it; an accepted report needs no more buttons."""

from __future__ import annotations

import datetime as dt

from flows.services import Services
from standin.server import StandinServer
from storage import models as m
from tests.people import answer_until_review, joined, submit_report


async def test_a_coordinator_accepts_a_report_and_the_unit_is_told(
    running_bot: Services, standin: StandinServer
) -> None:
    reporter = await joined(standin, running_bot, "dalian")
    await submit_report(reporter)
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("progress", "r1")
    screen = await coordinator.next_message()
    assert [label for label, _ in screen.buttons] == ["✅ 通过大连", "↩️ 退回大连",
                                                      "⏰ 提醒尚未报送的 14 个单位"]
    await coordinator.press("✅ 通过大连", screen)
    assert (await coordinator.next_message()).text == "已通过大连市商务局的报告，已通知 1 位联系人。"
    await standin.wait_until(lambda: any("已由省厅审核通过" in m_.text
                                         for m_ in reporter.messages))
    await coordinator.command("progress", "r1")
    again = await coordinator.next_message()
    assert "已通过" in again.text
    assert not [data for _, data in again.buttons if data.startswith(("ac:", "rt:"))]
    await coordinator.command("digest", "r1")
    assert any("大连（已通过）" in m_.text for m_ in await coordinator.read_all(settle=0.5))


async def test_a_returned_unit_is_reminded_until_it_resubmits(
    running_app, standin: StandinServer
) -> None:
    services: Services = running_app.bot_data["services"]
    reporter = await joined(standin, services, "dalian")
    await submit_report(reporter)
    coordinator = await joined(standin, services, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("progress", "r1")
    await coordinator.press("↩️ 退回大连", await coordinator.next_message())
    await coordinator.next_message()
    await coordinator.send("请补充直播数据")
    assert "已退回" in (await coordinator.next_message()).text
    await reporter.read_all(settle=0.5)
    reporter.mark_read()

    await coordinator.command("progress", "r1")  # reminded from /progress's own button
    screen = await coordinator.next_message()
    await coordinator.press("⏰ 提醒尚未报送的 15 个单位", screen)
    assert "发出提醒（1 人）" in (await coordinator.next_message()).text
    reminder = await reporter.next_message()
    assert "报告已被省厅退回，尚未重新提交" in reminder.text

    # /report takes the unit straight back into the returned round, and it resubmits.
    await reporter.command("report")
    review = await answer_until_review(reporter, await reporter.next_message())
    await reporter.press("✅ 提交", review)
    assert "第 2 版" in (await reporter.next_message()).text
    clock = services.clock
    clock.set(clock.now() + dt.timedelta(minutes=11))  # type: ignore[attr-defined]
    await coordinator.command("remind", "r1")
    again = (await coordinator.next_message()).text
    assert again.startswith("“第一次阶段性活动情况”尚未报送的单位中，没有能接收提醒的人。")
    assert "大连" not in again  # 大连 resubmitted: nothing owed
