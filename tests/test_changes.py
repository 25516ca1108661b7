"""Told of every change: after the deadline, a late submission and a resubmission after a
return each reach the coordinators as one notice and one refreshed digest (marked as
updated, naming what changed, files with captions), exactly once; after the ministry's
deadline the notice comes alone."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from flows.changes import notice_text
from flows.services import Services
from reporting.clock import FakeClock
from reporting.digest import ReviewState
from standin.server import SentMessage, StandinServer
from standin.users import SimulatedUser
from storage import models as m
from storage.submissions import changes_in
from tests.campaign_run import drained, local, submit
from tests.people import answer_until_review, joined, submit_report


@pytest.fixture
def overrides() -> dict[str, object]:
    return {"wake_interval": 3600, "send_rate": 500}


async def wake(app, services: Services) -> None:  # type: ignore[no-untyped-def]
    await app.bot_data["wakeup"].tick()
    app.bot_data["sender"].nudge()
    await drained(services)


async def report_r1(user: SimulatedUser) -> SentMessage:
    """/report, round 1 chosen from the rounds open, filled in and submitted: the receipt."""
    await user.command("report")
    screen = await user.next_message()
    r1 = [data for _, data in screen.buttons if data in ("rd:r1:1", "ra:r1:1")]
    if r1:
        await user.press_data(r1[0], screen)
        screen = await user.next_message()
    review = await answer_until_review(user, screen)
    await user.press("✅ 提交", review)
    return await user.next_message()


async def told(user: SimulatedUser) -> list[SentMessage]:
    got = await user.read_all(settle=0.5)
    user.mark_read()
    return got


async def test_late_and_returned_reports_are_announced_once_with_a_refreshed_digest(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    clock.set(local(1, 25, 10))
    dalian = await joined(standin, services, "dalian")
    anshan = await joined(standin, services, "anshan")
    fushun = await joined(standin, services, "fushun")
    coordinator = await joined(standin, services, "province", "杜四龙", m.Role.COORDINATOR)
    await submit_report(dalian)
    async with services.readers() as session:
        digest_at = await session.scalar(select(m.PlanItem.at).where(
            m.PlanItem.kind == "digest", m.PlanItem.ref == "r1"))
    assert digest_at is not None
    clock.set(digest_at)
    await wake(running_app, services)
    await told(coordinator)  # the round's digest

    # 鞍山 submits late: one notice, then the refreshed digest.
    clock.set(digest_at + dt.timedelta(minutes=11))
    await told(anshan)
    assert "逾期" in (await report_r1(anshan)).text
    clock.set(digest_at + dt.timedelta(minutes=16))
    await wake(running_app, services)
    got = await told(coordinator)
    notices = [m_ for m_ in got if "🔔" in m_.text]
    assert len(notices) == 1 and "鞍山市商务局 逾期报送" in notices[0].text
    assert "更新后的汇总随后发出" in notices[0].text
    updated = [m_ for m_ in got if m_.text.startswith("🔄 更新版")]
    assert len(updated) == 1 and "鞍山逾期报送" in updated[0].text
    assert "已报送 2/15：按时 1，逾期 1" in updated[0].text
    files = [m_ for m_ in got if m_.document is not None]
    assert [f.document.name for f in files] == [  # type: ignore[union-attr]
        "2021辽宁网上年货节_第一次阶段性活动情况_报告_更新版_截至1月29日18时46分.docx",
        "2021辽宁网上年货节_第一次阶段性活动情况_内部核查单_更新版_截至1月29日18时46分.docx",
        "2021辽宁网上年货节_第一次阶段性活动情况_数据明细_更新版_截至1月29日18时46分.xlsx"]
    assert all("截至 1月29日" in f.text for f in files)
    await wake(running_app, services)
    await asyncio.sleep(0.5)
    assert coordinator.unread() == []  # once

    # 大连 is returned and resubmits: named as a resubmission, with its version.
    await coordinator.command("progress", "r1")
    await coordinator.press("↩️ 退回大连", await coordinator.next_message())
    await coordinator.next_message()
    await coordinator.send("请补充直播数据")
    await coordinator.next_message()
    returned = next(m_ for m_ in await told(dalian) if m_.buttons)
    await dalian.press_data(returned.buttons[0][1], returned)
    review = await answer_until_review(dalian, await dalian.next_message())
    await dalian.press("✅ 提交", review)
    assert "第 2 版" in (await dalian.next_message()).text
    clock.set(clock.now() + dt.timedelta(minutes=5))
    await wake(running_app, services)
    got = await told(coordinator)
    notices = [m_ for m_ in got if "🔔" in m_.text]
    assert len(notices) == 1 and "大连市商务局 退回后重新报送，第 2 版" in notices[0].text
    assert len([m_ for m_ in got if m_.text.startswith("🔄 更新版")]) == 1

    # After the ministry's deadline (1月30日 12:00): the notice, and no digest.
    clock.set(local(1, 30, 13))
    await told(fushun)
    assert "逾期" in (await report_r1(fushun)).text
    clock.set(local(1, 30, 13, 5))
    await wake(running_app, services)
    got = await told(coordinator)
    assert len([m_ for m_ in got if "🔔" in m_.text and "抚顺市商务局 逾期报送" in m_.text]) == 1
    assert "/digest r1" in got[0].text
    assert not [m_ for m_ in got if "🔄" in m_.text or m_.document is not None]


async def test_a_resubmission_names_the_fields_that_changed(
    services: Services, clock: FakeClock
) -> None:
    clock.set(local(1, 25, 10))
    first = await submit(services, "dalian", "r1")
    async with services.transaction() as session:
        row = await session.get_one(m.Submission, first.id)
        row.review_state = ReviewState.RETURNED
    clock.set(local(1, 25, 11))
    await submit(services, "dalian", "r1", {"online_retail": 999.5, "livestream_sessions": 7})
    rnd = next(r for r in services.rounds if r.code == "r1")
    async with services.readers() as session:
        changes = await changes_in(session, rnd.id, rnd.due_at, local(1, 25, 0), local(1, 26, 0))
    assert [(c.unit_code, c.version, c.after_return) for c in changes] == [("dalian", 2, True)]
    assert set(changes[0].changed) == {"online_retail", "livestream_sessions"}
    text = notice_text(services, "第一次阶段性活动情况", changes, "zh", True, "r1")
    assert "• 大连市商务局 退回后重新报送，第 2 版（1月25日（周一）11:00）" in text
    assert "活动期间网络零售额（累计）：100.5 万元 → 999.5 万元" in text
    assert "直播带货场次（累计）：10 场 → 7 场" in text
