"""A recurring report declared once: each month's round due on the right working day (the
day before a day off, 调休 counted, or after 五一 and 国庆 when "before" would come before
the month has ended), its running totals starting again with the year, and a clear error
for a recurrence that cannot be."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from reporting.campaign_file import CampaignFileError, load_campaign, parse_campaign
from reporting.reminder_plan import Kind, plan
from reporting.workdays import chinese_workday

MONTHLY = Path(__file__).resolve().parent.parent / "reporting" / "campaigns" / \
    "ec-monthly-2026.yaml"


def monthly(**recurrence: object) -> str:
    """The shipped monthly file with its recurrence changed."""
    data = yaml.safe_load(MONTHLY.read_text(encoding="utf-8"))
    data["recurrence"].update(recurrence)
    return yaml.safe_dump(data, allow_unicode=True)


def test_each_month_is_due_on_the_right_working_day() -> None:
    campaign = load_campaign(MONTHLY)
    due = {r.code: campaign.deadline(r.code) for r in campaign.rounds}
    assert [d.strftime("%m-%d") for d in due.values()] == [
        "02-05", "03-05",
        "04-03",  # 4月5日 is 清明 (a Sunday): the Friday before
        "05-06",  # 五一 runs to 5月5日: before it would be April, still being reported on
        "06-05",
        "07-03",  # a Sunday: the Friday before
        "08-05",
        "09-04",  # a Saturday
        "10-08",  # 国庆 runs to 10月7日: the first working day after
        "11-05",
        "12-04",  # a Saturday
        "01-05",  # 2027: a Tuesday
    ]
    assert all(d.hour == 17 for d in due.values())
    assert list(due) == [f"2026-{m:02d}" for m in range(1, 13)]
    assert campaign.round("2026-03").title.zh == "2026年3月电子商务统计"
    assert campaign.round_opens_at("2026-03").date() == dt.date(2026, 4, 1)


def test_spring_festival_moves_the_deadline_to_the_make_up_saturday() -> None:
    """2月20日 falls in 春节; the last working day before it is 2月14日, a Saturday worked
    in exchange (调休), so that is the deadline; with `after` it is 2月24日."""
    before = parse_campaign(monthly(**{"from": "2026-01", "to": "2026-01", "due_day": 20}))
    assert before.deadline("2026-01").date() == dt.date(2026, 2, 14)
    assert dt.date(2026, 2, 14).weekday() == 5 and chinese_workday(dt.date(2026, 2, 14))
    after = parse_campaign(monthly(**{"from": "2026-01", "to": "2026-01", "due_day": 20,
                                      "day_off": "after"}))
    assert after.deadline("2026-01").date() == dt.date(2026, 2, 24)


def test_running_totals_start_again_with_the_year() -> None:
    campaign = parse_campaign(monthly(**{"from": "2025-11", "to": "2026-02"}))
    assert [r.code for r in campaign.rounds] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert campaign.earlier_rounds("2025-12") == ["2025-11"]
    assert campaign.earlier_rounds("2026-01") == []  # January is not compared with December
    assert campaign.earlier_rounds("2026-02") == ["2026-01"]


def test_every_round_gets_its_reminders_digest_and_upstream_deadline_once() -> None:
    campaign = load_campaign(MONTHLY)
    items = plan(campaign)
    assert len({i.key for i in items}) == len(items)
    for rnd in campaign.rounds:
        mine = [i for i in items if i.ref == rnd.code]
        assert [i.kind for i in mine].count(Kind.DIGEST) == 1
        # Told before the deadline: reminders, or (a month whose deadline comes straight
        # after 五一 or 国庆) the opening notice on the first working morning.
        told = [i for i in mine if i.kind in (Kind.REMINDER, Kind.OPENING)]
        assert told and all(i.at < campaign.deadline(rnd.code) for i in told)
        assert all(chinese_workday(i.at.date()) for i in told if i.at.year == 2026)
    ministry = {u.rounds[0]: campaign.upstream_deadline(u.code) for u in campaign.upstream}
    assert set(ministry) == {r.code for r in campaign.rounds}
    # Three days after 4月3日 is 4月6日, 清明's day off: the first working day after.
    assert ministry["2026-03"].date() == dt.date(2026, 4, 7)


def test_quarters_are_coded_by_quarter() -> None:
    campaign = parse_campaign(monthly(every="quarter", **{"from": "2026-01", "to": "2026-06"},
                                      title="{year}年第{quarter}季度"))
    assert [r.code for r in campaign.rounds] == ["2026-q1", "2026-q2"]
    assert campaign.round("2026-q2").title.zh == "2026年第2季度"
    assert campaign.deadline("2026-q1").date() == dt.date(2026, 4, 3)


@pytest.mark.parametrize(("change", "said"), [
    ({"from": "2026-13"}, "recurrence.from"),
    ({"to": "2025-01"}, "`to` is before `from`"),
    ({"due_day": 31}, "recurrence.due_day"),
    ({"every": "quarter", "from": "2026-02"}, "a quarter's first month"),
    ({"title": "{year}年{day}日"}, "may use only {year}, {month} and {quarter}"),
    ({"every": "fortnight"}, "recurrence.every"),
])
def test_a_recurrence_that_cannot_be_is_a_located_error(change: dict, said: str) -> None:
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(monthly(**change))
    assert said in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_rounds_and_a_recurrence_together_are_refused() -> None:
    data = yaml.safe_load(MONTHLY.read_text(encoding="utf-8"))
    data["rounds"] = [{"id": "r1", "title": "一", "due": "2026-02-05"}]
    with pytest.raises(CampaignFileError, match="not both"):
        parse_campaign(yaml.safe_dump(data, allow_unicode=True))
