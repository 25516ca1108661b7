"""The province reviews a report from `/progress`: it opens a unit's latest version; 通过
accepts it and the unit hears so; the digest shows it; an accepted report needs no more
buttons. The check list under `/progress` names the figures to verify, and returns a report
with a reason worded from them."""

from __future__ import annotations

import datetime as dt

from flows.services import Services
from standin.server import StandinServer
from storage import models as m
from tests.campaign_run import submit
from tests.people import answer_until_review, joined, submit_report


async def test_a_coordinator_accepts_a_report_and_the_unit_is_told(
    running_bot: Services, standin: StandinServer
) -> None:
    reporter = await joined(standin, running_bot, "dalian")
    await submit_report(reporter)
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("progress", "r1")
    screen = await coordinator.next_message()
    assert [label for label, _ in screen.buttons] == ["📄 查看大连", "✅ 通过大连", "↩️ 退回大连",
                                                      "⏰ 提醒尚未报送的 14 个单位"]
    await coordinator.press("✅ 通过大连", screen)
    assert (await coordinator.next_message()).text == "已通过大连市商务局的报告，已通知 1 位联络员。"
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


async def test_a_coordinator_opens_a_units_latest_report_and_accepts_it_there(
    running_bot: Services, standin: StandinServer
) -> None:
    reporter = await joined(standin, running_bot, "dalian")
    await submit_report(reporter)
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("progress", "r1")
    await coordinator.press("📄 查看大连", await coordinator.next_message())
    opened = await coordinator.next_message()
    assert opened.text.startswith("📄 大连市商务局 · 第一次阶段性活动情况\n第 1 版，")
    assert "，待审" in opened.text
    assert "活动期间网络零售额（累计）：32000.5 万元" in opened.text
    assert "本地启动形式：线上启动仪式" in opened.text
    assert "典型案例：某企业通过直播销售海参 2 万单。" in opened.text
    assert "请核实" not in opened.text  # nothing on the check list
    assert [label for label, _ in opened.buttons] == ["✅ 通过大连", "↩️ 退回大连"]
    await coordinator.press("✅ 通过大连", opened)
    assert "已通过大连市商务局的报告" in (await coordinator.next_message()).text
    await coordinator.press("📄 查看大连", await _progress(coordinator))
    again = await coordinator.next_message()
    assert "，已通过" in again.text and not again.buttons  # decided: nothing more to tap


async def _progress(coordinator):  # type: ignore[no-untyped-def]
    await coordinator.command("progress", "r1")
    return await coordinator.next_message()


async def test_the_check_list_names_each_figure_to_verify_and_returns_with_it(
    running_bot: Services, standin: StandinServer
) -> None:
    """大连's live-stream sales are above its online sales, and 鞍山 left a required figure
    blank: /progress and /digest list both; 大连 is returned with the reason worded from its
    item, confirmed with one tap, and its reporter reads it."""
    reporter = await joined(standin, running_bot, "dalian")
    await submit(running_bot, "dalian", "r1", {"online_retail": "800",
                                               "livestream_sales": "1200.5"})
    await submit(running_bot, "anshan", "r1", {"enterprises": None})
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    screen = await _progress(coordinator)
    assert "转报前请核实（2 项）" in screen.text
    assert ("• 大连：直播带货销售额（累计）为 1,200.5 万元，大于活动期间网络零售额（累计）的 800 万元"
            in screen.text)
    assert "• 鞍山：参与活动的企业数量未填写" in screen.text
    labels = [label for label, _ in screen.buttons]
    assert "↩️ 按核实项退回大连" in labels and "↩️ 按核实项退回鞍山" in labels
    await coordinator.command("digest", "r1")
    summary = (await coordinator.next_message()).text
    assert "转报前请核实（2 项" in summary
    await coordinator.read_all(settle=0.5)  # the Word and Excel files

    await coordinator.press("↩️ 按核实项退回大连", screen)
    proposed = await coordinator.next_message()
    assert "经省厅核对，以下数据请核实：\n1. 直播带货销售额（累计）为 1,200.5 万元" in proposed.text
    await coordinator.press("✅ 按此理由退回", proposed)
    assert "已退回大连市商务局的报告" in (await coordinator.next_message()).text
    await standin.wait_until(lambda: any("被退回修改" in m_.text for m_ in reporter.messages))
    told = next(m_ for m_ in reporter.messages if "被退回修改" in m_.text)
    assert "直播带货销售额（累计）为 1,200.5 万元，大于活动期间网络零售额（累计）的 800 万元" in told.text
    await coordinator.send("数据有误")  # the return is done: no reason is awaited
    assert "请使用菜单中的命令" in (await coordinator.next_message()).text
    again = await _progress(coordinator)
    assert "↩️ 按核实项退回大连" not in [label for label, _ in again.buttons]
