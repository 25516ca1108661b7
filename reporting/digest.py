"""The digest of a round: what 15 units reported, compiled for the province.

Pure data in, pure data out: `compile_digest` takes the units' latest submissions (and
the previous round's, for running totals) and works out who is on time, late or missing,
the province's total of every figure (a blank is missing, not zero, and a total says how
many units it covers), the change of running totals since the previous round (with a flag
where one went down), and every unit's answer to each report section. The renderers
(`digest_text`, `report_docx`, `check_sheet`, `digest_xlsx`) only lay it out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from reporting.campaign import Campaign, Question, QuestionType


class ReviewState(StrEnum):
    """Where the province stands with a submitted version."""

    PENDING = "pending"  # submitted, not yet looked at
    RETURNED = "returned"  # sent back to the unit with a reason
    REVISED = "revised"  # a new version after a return
    ACCEPTED = "accepted"  # accepted (通过) by the province


@dataclass(frozen=True)
class UnitEntry:
    code: str
    name: str
    short: str


@dataclass(frozen=True)
class SubmissionEntry:
    unit: str  # unit code
    version: int
    submitted_at: dt.datetime
    late: bool
    review_state: ReviewState
    answers: dict[str, Any]
    review_note: str | None = None

    @property
    def decided(self) -> bool:
        """Accepted or returned: nothing more for the province to decide on this version."""
        return self.review_state in (ReviewState.RETURNED, ReviewState.ACCEPTED)


@dataclass(frozen=True)
class FileEntry:
    unit: str
    question: str
    name: str
    mime_type: str
    content: bytes
    caption: str | None = None  # what the contact wrote with it

    @property
    def is_image(self) -> bool:
        return self.mime_type in {"image/jpeg", "image/png"}


@dataclass(frozen=True)
class FigureRow:
    question: Question
    values: dict[str, Decimal | None]   # unit code → value, None where blank or missing
    total: Decimal
    covered: int                        # units whose value is in the total
    previous: dict[str, Decimal | None] = field(default_factory=dict)

    def change(self, unit: str) -> Decimal | None:
        now, before = self.values.get(unit), self.previous.get(unit)
        return None if now is None or before is None else now - before

    @cached_property
    def dropped(self) -> list[str]:
        """Units whose running total went down since the previous round: suspicious."""
        if not self.question.cumulative:
            return []
        return [u for u in self.values if (c := self.change(u)) is not None and c < 0]


@dataclass(frozen=True)
class Digest:
    campaign: Campaign
    round_code: str
    round_title: str
    due: dt.datetime
    as_of: dt.datetime
    units: list[UnitEntry]
    submissions: dict[str, SubmissionEntry]
    figures: list[FigureRow]
    sections: list[tuple[Question, list[tuple[UnitEntry, str]]]]
    others: list[tuple[Question, list[tuple[UnitEntry, Any]]]]
    files: list[FileEntry]
    unreachable: list[str]
    # For the province's own eyes (the check sheet, the status sheet), never the report:
    people: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # name, phone
    drafting: dict[str, tuple[int, int]] = field(default_factory=dict)  # answered, of

    @property
    def provisional(self) -> bool:
        return self.as_of < self.due

    @property
    def on_time(self) -> list[UnitEntry]:
        return [u for u in self.units if u.code in self.submissions
                and not self.submissions[u.code].late]

    @property
    def late(self) -> list[UnitEntry]:
        return [u for u in self.units if u.code in self.submissions
                and self.submissions[u.code].late]

    @property
    def missing(self) -> list[UnitEntry]:
        return [u for u in self.units if u.code not in self.submissions]

    def unit(self, code: str) -> UnitEntry:
        return self._units_by_code[code]

    @cached_property
    def _units_by_code(self) -> dict[str, UnitEntry]:
        return {u.code: u for u in self.units}


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def compile_digest(
    campaign: Campaign, round_code: str, as_of: dt.datetime, units: list[UnitEntry],
    submissions: list[SubmissionEntry], previous: list[SubmissionEntry] | None = None,
    files: list[FileEntry] | None = None, unreachable: list[str] | None = None,
    people: dict[str, list[tuple[str, str | None]]] | None = None,
    drafting: dict[str, tuple[int, int]] | None = None,
) -> Digest:
    by_unit = {s.unit: s for s in submissions}
    before = {s.unit: s for s in previous or []}
    questions = campaign.questions_for(round_code)
    figures = []
    for q in questions:
        if not q.is_figure:
            continue
        values = {u.code: _number(by_unit[u.code].answers.get(q.id)) if u.code in by_unit
                  else None for u in units}
        counted = [v for v in values.values() if v is not None]
        prev = {u.code: _number(before[u.code].answers.get(q.id)) for u in units
                if u.code in before} if q.cumulative else {}
        figures.append(FigureRow(question=q, values=values, total=sum(counted, Decimal(0)),
                                 covered=len(counted), previous=prev))
    sections = []
    others = []
    for q in questions:
        if q.is_figure or q.type is QuestionType.ATTACHMENT:
            continue
        answered = [(u, by_unit[u.code].answers.get(q.id)) for u in units if u.code in by_unit]
        answered = [(u, v) for u, v in answered if v not in (None, "", [])]
        if q.section:
            sections.append((q, [(u, str(v)) for u, v in answered]))
        else:
            others.append((q, answered))
    return Digest(
        campaign=campaign, round_code=round_code,
        round_title=campaign.round(round_code).title.zh, due=campaign.deadline(round_code),
        as_of=as_of, units=units, submissions=by_unit, figures=figures, sections=sections,
        others=others, files=list(files or []), unreachable=list(unreachable or []),
        people=dict(people or {}), drafting=dict(drafting or {}))


def plain_number(value: Decimal) -> str:
    """`12345.6` → `12,345.6`; whole numbers without decimals."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return f"{int(normalized):,}"
    return f"{normalized:,f}"


def written_unit(total: Decimal, unit: str) -> tuple[Decimal, str]:
    """A sum in the unit people write it in: 万元 past 10,000 as 亿元; 元 past 1 亿 as 亿元
    and past 1 万 as 万元; anything else as it is. The chat, the report, its notes and the
    chart all say sums this one way."""
    if unit == "万元" and abs(total) >= 10000:
        return total / 10000, "亿元"
    if unit == "元" and abs(total) >= 100_000_000:
        return total / 100_000_000, "亿元"
    if unit == "元" and abs(total) >= 10000:
        return total / 10000, "万元"
    return total, unit
