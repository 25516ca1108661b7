"""The campaign file: the shipped one loads; broken ones are refused with every problem
named by its place, and nothing is loaded."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting.campaign import QuestionType
from reporting.campaign_file import (
    DEFAULT_CAMPAIGN_FILE,
    CampaignFileError,
    load_campaign,
    parse_campaign,
)


def test_shipped_campaign_has_the_seed_units_rounds_and_deadlines() -> None:
    campaign = load_campaign(DEFAULT_CAMPAIGN_FILE)
    assert len(campaign.units) == 15
    assert [u.short_name for u in campaign.units][:3] == ["沈阳", "大连", "鞍山"]
    assert campaign.units[-1].short_name == "沈抚示范区"
    assert [r.code for r in campaign.rounds] == ["r1", "r2", "r3"]
    assert [campaign.deadline(r.code).date() for r in campaign.rounds] == [
        dt.date(2021, 1, 29),
        dt.date(2021, 2, 8),
        dt.date(2021, 2, 18),
    ]
    assert campaign.deadline("r1").utcoffset() == dt.timedelta(hours=8)
    assert [campaign.upstream_deadline(u.code).date() for u in campaign.upstream] == [
        dt.date(2021, 1, 30),
        dt.date(2021, 2, 9),
        dt.date(2021, 2, 19),
    ]
    sections = [q.prompt.zh for q in campaign.questions if q.section]
    assert sections == ["活动特点", "活动成效", "典型案例", "存在不足", "改进建议"]
    assert {q.type for q in campaign.questions} == set(QuestionType)
    assert sum(q.is_figure for q in campaign.questions) >= 6


def test_a_question_limited_to_the_first_round_is_asked_only_there() -> None:
    campaign = load_campaign(DEFAULT_CAMPAIGN_FILE)
    r1 = [q.id for q in campaign.questions_for("r1")]
    r2 = [q.id for q in campaign.questions_for("r2")]
    assert "launch_date" in r1 and "launch_date" not in r2
    assert len(r1) == len(r2) + 2


BROKEN = [
    ('due: "2021-02-08"', 'due: "2021-02-30"', 'rounds[1].due: "2021-02-30" is not a valid date'),
    (
        "code: dalian",
        "code: Dalian",
        'units[1].code: "Dalian" is not a valid code '
        '(up to 20 lowercase letters, digits, "-" and "_")',
    ),
    (
        "timezone: Asia/Shanghai",
        "timezone: Asia/Beijing",
        'timezone: "Asia/Beijing" is not a known time zone',
    ),
    (
        "type: yes_no",
        "type: yesno",
        "questions[11].type: \"yesno\" is not one of: 'short_text', 'long_text', 'integer', "
        "'decimal', 'choice', 'multi_choice', 'yes_no', 'date' or 'attachment'",
    ),
    ("code: dalian", "code: shenyang", 'units[1].code: "shenyang" is used twice'),
    ("rounds: [r3]", "rounds: [r9]", 'upstream[2].rounds[0]: unknown round "r9"'),
    (
        'period: {start: "2021-01-20", end: "2021-02-18"}',
        'period: {start: "2021-02-20", end: "2021-02-18"}',
        "period: end 2021-02-18 is before start 2021-02-20",
    ),
    (
        'deadline_time: "18:00"',
        'deadline_time: "25:00"',
        'deadline_time: "25:00" is not a valid time',
    ),
    (
        "  - id: vouchers\n    type: yes_no\n",
        "  - id: vouchers\n    type: yes_no\n    min: 1\n",
        "questions[11]: min is only for integer and decimal questions",
    ),
    (
        "    max_files: 5\n",
        "    max_files: 5\n    max_length: 10\n",
        "questions[15]: max_length is only for short_text and long_text questions",
    ),
    (
        "province: {code: province,",
        "province: {code: dalian,",
        'province.code: "dalian" is also a unit code',
    ),
    (
        '  - {days_before: 1, at: "09:00"}',
        "  - {days_before: 1}",
        "reminders[1]: days_before and at go together",
    ),
    ("name:\n  zh: 2021", "nmae:\n  zh: 2021", "name: is required"),
    (
        "    part_of: online_retail\n",
        "    part_of: livestream_sessions\n",
        'questions[6].part_of: "livestream_sessions" is counted in another unit',
    ),
    (
        "    part_of: online_retail\n",
        "    part_of: features\n",
        'questions[6].part_of: "features" is not another figure question',
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN, ids=[b[2][:40] for b in BROKEN])
def test_a_broken_campaign_is_refused_with_the_exact_problem(
    campaign_text: str, old: str, new: str, message: str
) -> None:
    assert old in campaign_text
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(campaign_text.replace(old, new, 1))
    assert message in caught.value.problems


def test_every_problem_is_listed_not_only_the_first(campaign_text: str) -> None:
    broken = (
        campaign_text.replace('due: "2021-02-08"', 'due: "2021-02-30"')
        .replace("code: dalian", "code: Dalian")
        .replace("timezone: Asia/Shanghai", "timezone: Nowhere/City")
    )
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(broken)
    assert len(caught.value.problems) == 3


def test_yaml_that_does_not_parse_names_the_line() -> None:
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign("code: x\nunits: [a, b\n")
    assert caught.value.problems[0].startswith("line ")


def test_a_missing_file_is_one_clear_problem(tmp_path) -> None:
    with pytest.raises(CampaignFileError) as caught:
        load_campaign(tmp_path / "nope.yaml")
    assert "cannot be read" in caught.value.problems[0]


@pytest.mark.parametrize(("change", "place"), [
    (lambda t: t.replace('due: "2021-02-08"', 'due: "2021-01-28"', 1), "rounds[1].due"),
    (lambda t: t.replace("    min: 0\n", "    min: .nan\n", 1), "questions[3].min"),
    (lambda t: t.replace("reminder_grace_hours: 12", "reminder_grace_hours: .inf"),
     "reminder_grace_hours"),
    (lambda t: t.replace("digest_after_minutes: 30", "digest_after_minutes: 99999999999"),
     "digest_after_minutes"),
    (lambda t: t.replace("第一次阶段性活动情况", "很长的标题" * 50, 1), "rounds[0].title"),
])
def test_operator_mistakes_are_located_and_nothing_loads(campaign_text: str, change, place):
    with pytest.raises(CampaignFileError) as refused:
        parse_campaign(change(campaign_text))
    assert any(problem.startswith(place) for problem in refused.value.problems), \
        refused.value.problems
    assert all(len(problem) < 300 for problem in refused.value.problems)


def test_anchors_that_expand_without_end_are_refused(campaign_text: str) -> None:
    laughs = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    laughs += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    text = "\n".join(laughs) + "\n" + campaign_text.replace('due: "2021-01-29"', "due: *a8", 1)
    with pytest.raises(CampaignFileError) as refused:
        parse_campaign(text)
    assert "expand to more than" in refused.value.problems[0]


def test_an_anchor_expanded_inside_a_date_is_a_short_located_error(campaign_text: str) -> None:
    text = "big: &big [" + ", ".join(["2021-01-29"] * 500) + "]\n" + campaign_text.replace(
        'due: "2021-01-29"', "due: *big", 1)
    with pytest.raises(CampaignFileError) as refused:
        parse_campaign(text)
    assert any(p.startswith("rounds[0].due") and len(p) < 120 for p in refused.value.problems)
