"""The check list before forwarding (reporting/checks.py): which figures a coordinator is
asked to verify, from the units' latest reports of a round and the previous round's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting.checks import CheckKind, check_line, find_checks, return_reason
from reporting.digest import ReviewState, SubmissionEntry, UnitEntry, compile_digest
from tests.people import campaign

AT = dt.datetime(2021, 1, 29, 10, tzinfo=dt.UTC)
UNITS = [UnitEntry(code=u.code, name=u.name, short=u.short) for u in campaign().units]


def entry(unit: str, **answers: Any) -> SubmissionEntry:
    base = {"enterprises": 100, "online_retail": "1000", "livestream_sessions": 10,
            "livestream_sales": "300", "rural_sales": "200"}
    return SubmissionEntry(unit=unit, version=1, submitted_at=AT, late=False,
                           review_state=ReviewState.PENDING, answers={**base, **answers})


def checks(now: list[SubmissionEntry], before: list[SubmissionEntry] | None = None):  # type: ignore[no-untyped-def]
    return find_checks(compile_digest(campaign(), "r2" if before else "r1", AT, UNITS, now,
                                      before))


def test_a_consistent_round_has_nothing_to_check() -> None:
    units = ["shenyang", "dalian", "anshan", "fushun", "benxi"]
    assert checks([entry(u) for u in units], [entry(u, online_retail="600") for u in units]) \
        == []


def test_a_part_larger_than_its_whole_is_named_with_both_figures() -> None:
    found = checks([entry("dalian", livestream_sales="1200.5", rural_sales="1000")])
    assert [(c.unit, c.kind, c.question.id) for c in found] == [
        ("dalian", CheckKind.PART_OVER_WHOLE, "livestream_sales")]  # equal is no problem
    assert check_line(found[0], "zh") == \
        "直播带货销售额（累计）为 1,200.5 万元，大于活动期间网络零售额（累计）的 1,000 万元"


def test_no_part_is_checked_against_a_blank_whole() -> None:
    found = checks([entry("dalian", online_retail=None, livestream_sales="1200")])
    assert [(c.kind, c.question.id) for c in found] == [(CheckKind.BLANK, "online_retail")]


def test_running_totals_that_went_down_or_grew_tenfold_are_flagged() -> None:
    found = checks([entry("dalian", online_retail="900"), entry("anshan", online_retail="10001")],
                   [entry("dalian"), entry("anshan")])
    assert [(c.unit, c.kind) for c in found] == [("dalian", CheckKind.DROPPED),
                                                 ("anshan", CheckKind.JUMPED)]
    assert check_line(found[0], "zh") == \
        "活动期间网络零售额（累计）比上一节点减少：1,000 万元 → 900 万元"
    assert "增长约 10 倍" in check_line(found[1], "zh")


def test_a_figure_far_above_the_other_units_median_is_an_outlier() -> None:
    """A figure typed in 元 rather than 万元 stands out; a big city five times the middle
    one does not; with fewer than four others nobody is called an outlier."""
    others = ["shenyang", "anshan", "fushun", "benxi"]
    typed_in_yuan = checks([entry("dalian", online_retail="10000000", livestream_sales="300"),
                            *[entry(u) for u in others]])
    assert [(c.unit, c.kind, c.question.id) for c in typed_in_yuan] == [
        ("dalian", CheckKind.OUTLIER, "online_retail")]
    assert "约为其他单位中位数（1,000 万元）的 10000 倍" in check_line(typed_in_yuan[0], "zh")
    assert checks([entry("dalian", online_retail="5000"), *[entry(u) for u in others]]) == []
    assert checks([entry("dalian", online_retail="10000000"),
                   *[entry(u) for u in others[:3]]]) == []


def test_the_prefilled_return_lists_the_units_items_and_what_to_do() -> None:
    found = checks([entry("dalian", livestream_sales="1200", enterprises=None)])
    reason = return_reason(found, "zh")
    assert reason.splitlines() == [
        "经省厅核对，以下数据请核实：",
        "1. 参与活动的企业数量未填写",
        "2. 直播带货销售额（累计）为 1,200 万元，大于活动期间网络零售额（累计）的 1,000 万元",
        "请核实修改后重新提交；如数据无误，请在报告中说明原因。",
    ]
