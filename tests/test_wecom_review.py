"""The province reviews reports from WeCom, as from Telegram's /progress: after a round's
progress, a card to open a unit's report; the report in full with a card to accept or
return it; a return's reason typed next (or cancelled); the unit told either way."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from flows.services import Services
from reporting.clock import FakeClock
from standin.server import StandinServer
from standin.wecom import WeComStandin
from storage import models as m
from tests.campaign_run import drained, local
from tests.people import answer_current, joined, question_id, submit_report
from tests.wecom_member import Member


@pytest.fixture
def overrides(wecom_overrides: dict[str, object]) -> dict[str, object]:
    return wecom_overrides


async def review_states(services: Services) -> list[str]:
    async with services.readers() as session:
        return [str(s) for s in await session.scalars(
            select(m.Submission.review_state).order_by(m.Submission.id))]


async def test_a_coordinator_on_wecom_returns_one_report_and_accepts_another(
    running_app: Any, standin: StandinServer, wecom: WeComStandin, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    anshan = await joined(standin, services, "anshan", "张伟")
    await submit_report(anshan)
    fushun = await joined(standin, services, "fushun", "赵敏")
    await submit_report(fushun)
    clock.set(local(1, 28, 15))
    province = Member.of(running_app, wecom, "wang-lei")
    await province.join(services, "province", m.Role.COORDINATOR)

    await province.send("/progress r1")
    shown = province.new_text()
    assert "鞍山：第 1 版" in shown and "[📄 查看鞍山]" in shown and "[📄 查看抚顺]" in shown
    await province.click("确定", choose=["📄 查看鞍山"])
    report = province.new_text()
    assert "鞍山市商务局" in report and "1. 填报人姓名及联系电话" in report
    assert "[✅ 通过鞍山]" in report and "[↩️ 退回鞍山]" in report
    await province.click("↩️ 退回鞍山")
    assert "请输入退回原因" in province.new_text()
    await province.send("网络零售额与统计局数据不一致，请核实。")
    assert "已退回鞍山市商务局的报告，已通知 1 位联络员。" in province.new_text()
    running_app.bot_data["sender"].nudge()
    await drained(services)
    assert any("网络零售额与统计局数据不一致" in x.text for x in anshan.messages)

    await province.menu("progress")
    await province.click("确定", choose=["第一次阶段性活动情况"])
    province.new()
    await province.click("确定", choose=["📄 查看抚顺"])
    province.new()
    await province.click("✅ 通过抚顺")
    assert "已通过抚顺市商务局的报告" in province.new_text()
    assert await review_states(services) == ["returned", "accepted"]


async def test_a_return_awaiting_its_reason_can_be_cancelled(
    running_app: Any, standin: StandinServer, wecom: WeComStandin
) -> None:
    services: Services = running_app.bot_data["services"]
    anshan = await joined(standin, services, "anshan", "张伟")
    await submit_report(anshan)
    province = Member.of(running_app, wecom, "wang-lei")
    await province.join(services, "province", m.Role.COORDINATOR)
    await province.send("/progress r1")
    await province.click("确定", choose=["📄 查看鞍山"])
    await province.click("↩️ 退回鞍山")
    province.new()
    await province.menu("cancel")
    assert province.new_text() == "已取消退回，未向单位发送任何内容。"
    await province.send("这句话不是原因")  # no longer awaited: the menu is offered
    assert "请使用应用菜单" in province.new_text()
    assert await review_states(services) == ["pending"]


async def test_the_province_gets_the_units_files_on_wecom(
    running_app: Any, standin: StandinServer, wecom: WeComStandin
) -> None:
    """Every file units sent for a round, zipped by unit, each zip under WeCom's 20 MB."""
    services: Services = running_app.bot_data["services"]
    panjin = await joined(standin, services, "panjin", "周洁")
    await panjin.command("report")
    screen = await panjin.next_message()
    while question_id(screen) != "case_files":
        screen = await answer_current(panjin, screen)
    await panjin.send_document(b"%PDF-1.4 case", "典型案例.pdf", "application/pdf")
    await panjin.next_message()
    province = Member.of(running_app, wecom, "wang-lei")
    await province.join(services, "province", m.Role.COORDINATOR)
    await province.send("/files r1")
    got = province.new()
    assert "共 1 个文件" in got[0].content
    name = got[1].content
    assert got[1].msgtype == "file" and name.endswith("_附件.zip")
    archive = zipfile.ZipFile(io.BytesIO(wecom.file_named(name)))
    assert archive.namelist() == ["盘锦市商务局/典型案例.pdf"]
