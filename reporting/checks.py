"""What to check before forwarding a round (转报前请核实): figures in the units' latest
reports that look wrong, each traceable to one unit and one question.

- a running total (`cumulative`) that went down since the previous round, or grew more
  than tenfold (a figure typed in 元 for 万元 does);
- a part (`part_of`) larger than its whole: 直播带货销售额 above 网络零售额;
- a figure more than twenty times the median of the other units, when at least four others
  gave it (a median is not moved by the one wrong figure; a big city is rarely more than
  five to ten times a middle one, a figure typed in the wrong unit is 1,000 times);
- a required figure left blank.

Pure: `find_checks` reads a compiled `Digest`. `check_line` says one item in a sentence,
and `return_reason` words the prefilled return to a unit from its items.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reporting.campaign import Question
from reporting.digest import Digest, plain_number
from texts.catalog import t

JUMP = Decimal(10)  # "more than tenfold" since the previous round
OUTLIER = Decimal(20)  # "more than twenty times" the other units' median
PEERS = 4  # other units' figures needed before one is called an outlier


class CheckKind(StrEnum):
    DROPPED = "dropped"  # a running total went down
    JUMPED = "jumped"  # a running total grew more than tenfold
    PART_OVER_WHOLE = "part"  # a part larger than its whole
    OUTLIER = "outlier"  # more than twenty times the other units' median
    BLANK = "blank"  # a required figure left blank


@dataclass(frozen=True)
class Check:
    unit: str  # unit code
    kind: CheckKind
    question: Question
    value: Decimal | None
    against: Decimal | None = None  # the previous figure, the whole, or the median
    whole: Question | None = None  # for PART_OVER_WHOLE


def find_checks(d: Digest) -> list[Check]:
    """Every item, in the units' order and then the questions'."""
    found: list[Check] = []
    by_id = {fig.question.id: fig for fig in d.figures}
    for fig in d.figures:
        q = fig.question
        submitted = [code for code in fig.values if code in d.submissions]
        ranked = sorted(v for v in fig.values.values() if v is not None)
        dropped = set(fig.dropped)
        for code in submitted:
            now = fig.values[code]
            if now is None:
                if q.required:
                    found.append(Check(code, CheckKind.BLANK, q, None))
                continue
            before = fig.previous.get(code)
            if code in dropped:
                found.append(Check(code, CheckKind.DROPPED, q, now, before))
            elif q.cumulative and before is not None and before > 0 and now > before * JUMP:
                found.append(Check(code, CheckKind.JUMPED, q, now, before))
            whole_fig = by_id.get(q.part_of or "")
            whole = whole_fig.values.get(code) if whole_fig else None
            if whole_fig and whole is not None and now > whole:
                found.append(Check(code, CheckKind.PART_OVER_WHOLE, q, now, whole,
                                   whole_fig.question))
            if len(ranked) - 1 >= PEERS:
                middle = _median_without(ranked, now)
                if middle > 0 and now > middle * OUTLIER:
                    found.append(Check(code, CheckKind.OUTLIER, q, now, middle))
    order = {u.code: i for i, u in enumerate(d.units)}
    return sorted(found, key=lambda c: order.get(c.unit, len(order)))


def _median_without(ranked: list[Decimal], value: Decimal) -> Decimal:
    """The median of sorted `ranked` with one `value` taken out, without copying it (one
    unit's "other units", for each of thousands of units)."""
    i = bisect_left(ranked, value)
    rest = len(ranked) - 1

    def at(k: int) -> Decimal:  # the k-th of the list without position i
        return ranked[k] if k < i else ranked[k + 1]

    middle = rest // 2
    return at(middle) if rest % 2 else (at(middle - 1) + at(middle)) / 2


def _figure(value: Decimal | None, question: Question, lang: str) -> str:
    if value is None:
        return ""
    unit = question.unit.get(lang) if question.unit else ""
    return f"{plain_number(value.quantize(Decimal('0.01')) if value % 1 else value)} {unit}" \
        .rstrip()


def check_line(check: Check, lang: str) -> str:
    """One item in a sentence: `直播带货销售额（累计）1,200 万元，大于网络零售额（累计）800 万元`
    (plain text: escape it for HTML)."""
    q = check.question
    values = {"prompt": q.prompt.get(lang), "value": _figure(check.value, q, lang),
              "against": _figure(check.against, q, lang)}
    if check.kind is CheckKind.PART_OVER_WHOLE and check.whole is not None:
        values["whole"] = check.whole.prompt.get(lang)
    if check.kind in (CheckKind.JUMPED, CheckKind.OUTLIER) and check.against:
        assert check.value is not None
        values["times"] = f"{check.value / check.against:.0f}"
    return t(f"check.{check.kind.value}", lang, **values)


def return_reason(checks: list[Check], lang: str) -> str:
    """The prefilled return to one unit: its items, numbered, and what to do."""
    items = [f"{i}. {check_line(c, lang)}" for i, c in enumerate(checks, 1)]
    return t("check.reason", lang, items="\n".join(items))
