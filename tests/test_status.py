"""`/status` and `/deadlines`: a contact sees their own unit's state; the province the counts."""

from __future__ import annotations

import datetime as dt

from flows.services import Services
from reporting.clock import FakeClock
from standin.server import StandinServer
from storage import models as m
from tests.people import joined, submit_report


async def test_status_shows_each_rounds_state_for_the_unit(
    running_bot: Services, standin: StandinServer, clock: FakeClock
) -> None:
    user = await joined(standin, running_bot, "dalian")
    await user.command("status")
    before = await user.next_message()
    assert "大连市商务局 报送状态" in before.text
    assert "第一次阶段性活动情况（1月29日（周五）18:00 截止）：填报中，还剩 9 天" in before.text
    assert "第二次阶段性活动情况（2月8日（周一）18:00 截止）：未开始" in before.text
    clock.set(dt.datetime(2021, 1, 28, 8, 5, tzinfo=dt.UTC))  # 1月28日 16:05 in Shanghai
    await submit_report(user)
    clock.set(dt.datetime(2021, 1, 30, 2, 0, tzinfo=dt.UTC))
    await user.command("status")
    after = await user.next_message()
    assert "第一次阶段性活动情况（1月29日（周五）18:00 截止）：已提交 第 1 版 1月28日 16:05" in after.text
    assert "第二次阶段性活动情况（2月8日（周一）18:00 截止）：填报中" in after.text


async def test_an_overdue_round_says_so(
    running_bot: Services, standin: StandinServer, clock: FakeClock
) -> None:
    user = await joined(standin, running_bot, "anshan")
    clock.set(dt.datetime(2021, 1, 30, 2, 0, tzinfo=dt.UTC))
    await user.command("status")
    assert "第一次阶段性活动情况（1月29日（周五）18:00 截止）：逾期未交" in (
        await user.next_message()).text


async def test_coordinators_see_counts_and_the_ministrys_deadlines(
    running_bot: Services, standin: StandinServer
) -> None:
    contact = await joined(standin, running_bot, "dalian")
    await submit_report(contact)
    coordinator = await joined(standin, running_bot, "province", "杜四龙", m.Role.COORDINATOR)
    await coordinator.command("status")
    assert "已报送 1/15" in (await coordinator.next_message()).text
    await coordinator.command("deadlines")
    calendar = await coordinator.next_message()
    assert "上报商务部" in calendar.text and "2月19日（周五）12:00" in calendar.text
    await contact.command("deadlines")
    assert "上报商务部" not in (await contact.next_message()).text


async def test_a_coordinator_cannot_fill_in_a_report(
    running_bot: Services, standin: StandinServer
) -> None:
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("report")
    assert "仅供各报送单位的联络员使用" in (await coordinator.next_message()).text


async def test_whoami_tells_a_person_who_the_bot_takes_them_for(
    running_bot: Services, standin: StandinServer
) -> None:
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("whoami")
    said = (await coordinator.next_message()).text
    assert "尹涛" in said and "辽宁省商务厅" in said and "省厅联系人" in said
    assert str(coordinator.id) in said
    menus = [params for method, params in standin.sent("setMyCommands") if "scope" in params]
    assert "whoami" in str(menus[-1])
