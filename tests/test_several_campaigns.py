"""One bot serving two campaigns from one folder: the 2021 年货节 and the monthly
e-commerce statistics (the shipped monthly file, re-dated to 2021), whose first round is
open in the first days of February, while the festival's second round is.

Through the stand-in, as people use it: one roster (a person joins once and reports in
both, after choosing), reminders naming their campaign and each sent once, digests kept
apart, a unit the monthly file leaves out still reporting in the festival, and a campaign
whose file leaves the folder archived."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.demo_answers import demo_answers, monthly_answers
from flows.services import Services
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE
from reporting.campaign_folder import DEFAULT_CAMPAIGNS_DIR
from reporting.clock import FakeClock
from standin.scripted import ScriptedContact
from standin.server import StandinServer
from storage import models as m
from tests.campaign_run import drained, local, submit
from tests.conftest import make_settings
from tests.people import joined

MONTHLY = "2021年电子商务统计月报 2021年1月电子商务统计"
FESTIVAL_R2 = "2021 辽宁网上年货节 第二次阶段性活动情况"


def campaign_folder(folder: Path) -> Path:
    """The 年货节 as shipped, and the monthly report re-dated to 2021 without 鞍山."""
    folder.mkdir()
    (folder / "liaoning-2021.yaml").write_bytes(DEFAULT_CAMPAIGN_FILE.read_bytes())
    monthly = (DEFAULT_CAMPAIGNS_DIR / "ec-monthly-2026.yaml").read_text(encoding="utf-8")
    monthly = monthly.replace("2026", "2021").replace(
        "  - {code: anshan,     name: 鞍山市商务局,     short: 鞍山}\n", "")
    (folder / "ec-monthly-2021.yaml").write_text(monthly, encoding="utf-8")
    return folder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(2, 2, 10))  # festival round 2 and January's statistics open


@pytest.fixture
async def services(database_url: str, standin: StandinServer, clock: FakeClock,
                   tmp_path: Path) -> AsyncIterator[Services]:
    settings = make_settings(database_url, standin, campaign_file=None,
                             campaigns_dir=campaign_folder(tmp_path / "campaigns"),
                             wake_interval=3600, send_rate=500)
    svc = Services.create(settings, clock=clock)
    await svc.initialise()
    yield svc
    await svc.close()


def by_code(services: Services) -> dict[str, Services]:
    return {s.campaign.code: s for s in services.each()}


async def submissions(services: Services, unit_code: str) -> list[tuple[str, str, int]]:
    async with services.readers() as session:
        rows = await session.execute(
            select(m.Campaign.code, m.Round.code, m.Submission.version)
            .join(m.Round, m.Round.id == m.Submission.round_id)
            .join(m.Campaign, m.Campaign.id == m.Round.campaign_id)
            .join(m.Unit, m.Unit.id == m.Submission.unit_id)
            .where(m.Unit.code == unit_code).order_by(m.Submission.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_one_person_reports_in_both_after_choosing(
    running_bot: Services, standin: StandinServer
) -> None:
    served = by_code(running_bot)
    monthly, festival = served["ec-monthly-2021"], served["liaoning-2021"]
    await submit(festival, "dalian", "r1")  # round 1 is done: two rounds open, one each
    user = await joined(standin, running_bot, "dalian", "刘洋")
    user.mark_read()
    await user.command("report")
    choice = await user.next_message()
    labels = [label for label, _ in choice.buttons]
    assert labels == ["2021年电子商务统计月报｜2021年1月电子商务统计（2月5日（周五）17:00 截止）",
                      "2021 辽宁网上年货节｜第二次阶段性活动情况（2月8日（周一）18:00 截止）"]
    contact = ScriptedContact(user, [monthly.campaign, festival.campaign], seed=1)
    receipt = await contact.report(monthly_answers("dalian"), "2021-01", None,
                                   monthly.campaign_id)
    assert "已提交" in receipt.text and "2021年1月电子商务统计" in receipt.text
    # One round left open: /report goes straight into it.
    user.mark_read()
    await user.command("report")
    first = await user.next_message()
    assert not any(d.startswith("rd:") for _, d in first.buttons)
    assert first.text.startswith(f"📝 {FESTIVAL_R2} · 第 1/")  # the campaign in the heading
    await contact.report(demo_answers("dalian", "r2"), "r2", None, festival.campaign_id)
    assert await submissions(running_bot, "dalian") == [
        ("liaoning-2021", "r1", 1), ("ec-monthly-2021", "2021-01", 1), ("liaoning-2021", "r2", 1)]
    await user.command("status")
    status = await user.next_message()
    assert f"{MONTHLY}（2月5日（周五）17:00 截止）：已提交 第 1 版" in status.text
    assert f"{FESTIVAL_R2}（2月8日（周一）18:00 截止）：已提交 第 1 版" in status.text


async def test_a_unit_one_file_leaves_out_reports_in_the_other(
    running_bot: Services, standin: StandinServer
) -> None:
    await submit(by_code(running_bot)["liaoning-2021"], "anshan", "r1")
    user = await joined(standin, running_bot, "anshan", "张丽")
    user.mark_read()
    await user.command("report")
    screen = await user.next_message()
    assert not any(d.startswith("rd:") for _, d in screen.buttons)  # no choice: one campaign
    assert "第二次阶段性活动情况" in screen.text
    await user.command("deadlines")
    calendar = await user.next_message()
    assert "2021年电子商务统计月报" not in calendar.text
    assert FESTIVAL_R2 in calendar.text


async def test_reminders_name_their_campaign_and_each_goes_once(
    running_app: Any, standin: StandinServer, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    wakeup, sender = running_app.bot_data["wakeup"], running_app.bot_data["sender"]
    user = await joined(standin, services, "fuxin", "郑燕")
    coordinator = await joined(standin, services, "province", "杜四龙", m.Role.COORDINATOR)
    user.mark_read()
    for moment in (local(2, 3, 9), local(2, 5, 9), local(2, 5, 17, 30), local(2, 5, 17, 30)):
        clock.set(moment)
        await wakeup.tick()
        sender.nudge()
        await drained(services)
    reminders = [m.text.splitlines()[0] for m in user.messages if m.text.startswith("⏰")]
    assert reminders == [
        f"⏰ “{MONTHLY}”将于 2月5日（周五）17:00 截止，还剩 2 天。",
        f"⏰ “{MONTHLY}”将于 2月5日（周五）17:00 截止，还剩约 8 小时。",
        f"⏰ “{FESTIVAL_R2}”将于 2月8日（周一）18:00 截止，还剩 3 天。",
    ], reminders
    # The monthly digest alone, after its deadline: the festival's comes on 2月8日.
    digests = [m for m in coordinator.messages if m.text.startswith("📊")]
    assert [d.text.splitlines()[0] for d in digests] == [
        "📊 2021年电子商务统计月报 · 2021年1月电子商务统计 汇总"]
    files = [m.document.name for m in coordinator.messages if m.document is not None]
    assert files and all(name.startswith("2021年电子商务统计月报_2021年1月") for name in files)


async def test_a_campaign_whose_file_leaves_the_folder_is_archived(
    services: Services, tmp_path: Path, clock: FakeClock
) -> None:
    assert sorted(by_code(services)) == ["ec-monthly-2021", "liaoning-2021"]
    (tmp_path / "campaigns" / "ec-monthly-2021.yaml").unlink()
    again = Services.create(services.settings, clock=clock)
    changes = await again.initialise()
    assert any("ec-monthly-2021" in c and "归档" in c for c in changes), changes
    assert [s.campaign.code for s in again.each()] == ["liaoning-2021"]
    async with again.readers() as session:
        row = await session.scalar(select(m.Campaign).where(
            m.Campaign.code == "ec-monthly-2021"))
        planned = await session.scalar(select(m.PlanItem).where(
            m.PlanItem.campaign_id == row.id, m.PlanItem.state == m.PlanState.PLANNED))
    assert row.archived_at is not None and planned is None
    await again.close()


def test_a_unit_code_must_mean_one_unit_in_every_file(tmp_path: Path) -> None:
    from reporting.campaign_file import CampaignFileError
    from reporting.campaign_folder import campaign_files, load_campaigns

    folder = campaign_folder(tmp_path / "campaigns")
    path = folder / "ec-monthly-2021.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("大连市商务局", "大连商务局"),
                    encoding="utf-8")
    with pytest.raises(CampaignFileError) as raised:
        load_campaigns(campaign_files(folder))
    assert raised.value.problems == [
        "liaoning-2021.yaml: units[1]: dalian is 大连商务局（大连） in ec-monthly-2021.yaml, "
        "大连市商务局（大连） here"]
