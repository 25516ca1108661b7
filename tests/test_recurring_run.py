"""A monthly report run over a whole year through the stand-in: every month's reminders,
overdue notice and digest, each sent once, on the working days the recurrence gives
(春节, 清明, 五一 and 国庆 in 2026)."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.services import Services
from reporting.clock import FakeClock
from reporting.workdays import chinese_workday
from standin.server import StandinServer
from storage import models as m
from tests.campaign_run import SHANGHAI, run_campaign, submit
from tests.people import joined
from tests.test_reminders import received

MONTHLY = Path(__file__).resolve().parent.parent / "reporting" / "campaigns" / \
    "ec-monthly-2026.yaml"


@pytest.fixture
def overrides() -> dict[str, object]:
    return {"campaign_file": MONTHLY, "wake_interval": 3600, "send_rate": 500}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))


async def test_a_year_of_monthly_reports_reminds_and_digests_each_month_once(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    campaign = services.campaign
    dalian = await joined(standin, services, "dalian", "大连联络员")
    await joined(standin, services, "fushun", "抚顺联络员")
    coordinator = await joined(standin, services, "province", "杜四龙", m.Role.COORDINATOR)
    events: dict[dt.datetime, list] = collections.defaultdict(list)
    for rnd in campaign.rounds:  # dalian reports each month six hours before the deadline
        async def report(code: str = rnd.code) -> None:
            await submit(services, "dalian", code)
        events[campaign.deadline(rnd.code) - dt.timedelta(hours=6)].append(report)
    await run_campaign(services, running_app, clock, events,
                       until=dt.datetime(2027, 1, 10, tzinfo=SHANGHAI))

    got = await received(services)
    overdue = [(ref, at.strftime("%m-%d %H:%M")) for kind, ref, at in got["fushun"]
               if kind == "overdue"]
    assert overdue == [(r.code, campaign.deadline(r.code).strftime("%m-%d %H:%M"))
                       for r in campaign.rounds]
    assert [at for _, at in overdue] == [
        "02-05 17:00", "03-05 17:00", "04-03 17:00", "05-06 17:00", "06-05 17:00",
        "07-03 17:00", "08-05 17:00", "09-04 17:00", "10-08 17:00", "11-05 17:00",
        "12-04 17:00", "01-05 17:00"]
    assert not [1 for kind, *_ in got["dalian"] if kind == "overdue"]
    for kind, ref, at in got["fushun"] + got["dalian"]:
        if at.year == 2026:  # the package knows 2026's days off
            assert chinese_workday(at.date()), (kind, ref, at)
    async with services.readers() as session:
        fired = collections.Counter(await session.scalars(select(m.PlanItem.ref).where(
            m.PlanItem.kind == "digest", m.PlanItem.state == "done")))
    assert fired == {r.code: 1 for r in campaign.rounds}  # each month's digest fired once
    # ... and reached the coordinator as the same messages each month (text and files)
    sent = collections.Counter(ref for kind, ref, _ in got["province"] if kind == "digest")
    assert set(sent) == {r.code for r in campaign.rounds} and len(set(sent.values())) == 1
    april = [m_.text for m_ in coordinator.messages if "2026年4月电子商务统计" in m_.text]
    assert april and "已报送 1/15" in "\n".join(april)
    assert any("2026年9月电子商务统计" in m_.text and "10月8日" in m_.text
               for m_ in dalian.messages)
