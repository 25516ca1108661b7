"""The campaign: units, rounds, deadlines, reminder plans and the report form.

Everything campaign-specific lives in a YAML file validated here, so next year's
festival or another province's campaign is a new file, not code. See
`docs/campaign-format.md` for the format; `campaigns/liaoning-2021.yaml` is the example.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from reporting.campaign_fields import (
    CODE_PATTERN,
    Code,
    Date,
    Strict,
    Text,
    Time,
    parse_due,
)


class QuestionType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    YES_NO = "yes_no"
    DATE = "date"
    ATTACHMENT = "attachment"


NUMERIC_TYPES = {QuestionType.INTEGER, QuestionType.DECIMAL}
TEXT_TYPES = {QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT}
CHOICE_TYPES = {QuestionType.CHOICE, QuestionType.MULTI_CHOICE}


class Option(Strict):
    id: Code
    label: Text


class Question(Strict):
    id: Code
    type: QuestionType
    prompt: Text
    help: Text | None = None
    required: bool = True
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = Field(default=None, gt=0)
    max_files: int | None = Field(default=None, gt=0)
    options: list[Option] = Field(default_factory=list)
    rounds: list[str] | None = None
    section: bool = False
    # Other names a unit's Word report may give this section (主要做法 for 活动特点).
    headings: list[str] = Field(default_factory=list)
    cumulative: bool = False
    # Another figure this one is a part of (直播带货销售额 of 网络零售额): a unit whose part
    # is larger than its whole is on the province's "check before forwarding" list.
    part_of: Code | None = None

    @model_validator(mode="after")
    def _fits_its_type(self) -> Question:
        t = self.type
        if t in CHOICE_TYPES and len(self.options) < 2:
            raise ValueError(f"a {t.value} question needs at least two options")
        if t not in CHOICE_TYPES and self.options:
            raise ValueError(f"options are only for choice questions, not {t.value}")
        if t not in NUMERIC_TYPES:
            for name in ("min", "max", "unit"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} is only for integer and decimal questions")
            if self.cumulative:
                raise ValueError("cumulative is only for integer and decimal questions")
            if self.part_of:
                raise ValueError("part_of is only for integer and decimal questions")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}")
        if self.max_length is not None and t not in TEXT_TYPES:
            raise ValueError("max_length is only for short_text and long_text questions")
        if self.max_files is not None and t is not QuestionType.ATTACHMENT:
            raise ValueError("max_files is only for attachment questions")
        if self.section and t not in TEXT_TYPES:
            raise ValueError("only a long_text or short_text question can be a report section")
        if self.headings and not self.section:
            raise ValueError("headings are only for report sections (section: true)")
        ids = [option.id for option in self.options]
        if len(ids) != len(set(ids)):
            raise ValueError("option ids must be unique")
        return self

    @property
    def is_figure(self) -> bool:
        """A number the province can add up across units."""
        return self.type in NUMERIC_TYPES

    @property
    def text_limit(self) -> int:
        default = 200 if self.type is QuestionType.SHORT_TEXT else 3000
        return self.max_length or default

    @property
    def file_limit(self) -> int:
        return self.max_files or 1


class Reminder(Strict):
    """One reminder before a deadline: N days before at a time, or N hours before."""

    days_before: int | None = Field(default=None, ge=0, le=60)
    at: Time | None = None
    hours_before: float | None = Field(default=None, gt=0, le=72)

    @model_validator(mode="after")
    def _one_form(self) -> Reminder:
        by_day = self.days_before is not None or self.at is not None
        if by_day == (self.hours_before is not None):
            raise ValueError("give either days_before with at, or hours_before")
        if by_day and (self.days_before is None or self.at is None):
            raise ValueError("days_before and at go together")
        return self

    def when(self, deadline: dt.datetime) -> dt.datetime:
        """The local time of this reminder for a deadline given in local time."""
        if self.hours_before is not None:
            return deadline - dt.timedelta(hours=self.hours_before)
        assert self.days_before is not None and self.at is not None
        day = deadline.date() - dt.timedelta(days=self.days_before)
        return dt.datetime.combine(day, self.at, tzinfo=deadline.tzinfo)


DEFAULT_REMINDERS = (
    Reminder(days_before=3, at=dt.time(9)),
    Reminder(days_before=1, at=dt.time(9)),
    Reminder(days_before=0, at=dt.time(9)),
    Reminder(hours_before=2),
)


DEFAULT_UPSTREAM_REMINDERS = (
    Reminder(days_before=1, at=dt.time(9)),
    Reminder(days_before=0, at=dt.time(9)),
)


class Round(Strict):
    """A reporting deadline (报送节点). `code` is how the campaign file names it (its `id:`),
    in commands (`/digest r1`) and in buttons; the database's key is another thing."""

    code: Annotated[str, Field(pattern=CODE_PATTERN, validation_alias="id")]
    title: Text
    due: tuple[dt.date, dt.time | None]
    late_until: tuple[dt.date, dt.time | None] | None = None
    reminders: list[Reminder] | None = None
    final: bool = False
    # The round's words in the report's title (第一阶段工作情况); default: its title.
    report_title: str | None = Field(default=None, max_length=100)
    # When the round opens (a monthly report opens when its month has ended); default:
    # the previous round's deadline, or the campaign's start for the first.
    opens: Date | None = None
    # Running totals start again here (the first round of a year in a recurring report):
    # no earlier round is compared with it or offered as 上一节点.
    resets_totals: bool = False

    @field_validator("due", "late_until", mode="before")
    @classmethod
    def _due(cls, value: Any) -> Any:
        return None if value is None else parse_due(value)


class Upstream(Strict):
    """A deadline of the province's own, towards the ministry (`id:` in the file)."""

    code: Annotated[str, Field(pattern=CODE_PATTERN, validation_alias="id")]
    title: Text
    due: tuple[dt.date, dt.time | None]
    rounds: list[str] = Field(min_length=1)

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, value: Any) -> Any:
        return parse_due(value)


class ReportSettings(Strict):
    """The report the province forwards upstream (docs/report-template.md)."""

    # {sender}: who the campaign's notices are from (or the province); {campaign}: its
    # name; {round}: the round's report_title (or title).
    title: str = Field(default="{sender}关于{campaign}{round}的报告", max_length=200)
    recipient: str | None = Field(default=None, max_length=100)  # 主送: 商务部电子商务司
    signature: str | None = Field(default=None, max_length=60)  # 落款; default: {sender}
    contact: str | None = Field(default=None, max_length=200)  # 联系人：… 电话：…
    template: str | None = None  # the province's own .docx, beside the campaign file

    @field_validator("title")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        try:
            value.format(sender="", campaign="", round="")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may use only {sender}, {campaign} and {round}") from None
        return value


class Unit(Strict):
    code: Code
    name: str = Field(min_length=1, max_length=60)
    short: str | None = Field(default=None, max_length=20)

    @property
    def short_name(self) -> str:
        return self.short or self.name


class Period(Strict):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class QuietHours(Strict):
    start: Time = dt.time(22)
    end: Time = dt.time(8)


class OfficeHours(Strict):
    """When the province's own reminders go out: working days, between these times."""

    start: Time = dt.time(9)
    end: Time = dt.time(17, 30)

    @model_validator(mode="after")
    def _ordered(self) -> OfficeHours:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Campaign(Strict):
    code: Code
    name: Text
    theme: Text | None = None
    # Who a broadcast is from, set above its text as 【辽宁省商务厅】 (none: no header).
    sender: Text | None = None
    timezone: str = "Asia/Shanghai"
    period: Period
    deadline_time: Time = dt.time(18)
    province: Unit
    units: list[Unit] = Field(min_length=1)
    rounds: list[Round] = Field(min_length=1)
    upstream: list[Upstream] = Field(default_factory=list)
    reminders: list[Reminder] = Field(default_factory=lambda: list(DEFAULT_REMINDERS))
    upstream_reminders: list[Reminder] = Field(
        default_factory=lambda: list(DEFAULT_UPSTREAM_REMINDERS))
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    office_hours: OfficeHours = Field(default_factory=OfficeHours)
    holidays: Literal["china", "none"] = "china"
    reminder_grace_hours: float = Field(default=12, ge=0, le=24 * 14)
    digest_after_minutes: int = Field(default=30, ge=0, le=7 * 24 * 60)
    questions: list[Question] = Field(min_length=1)
    report: ReportSettings = Field(default_factory=ReportSettings)
    # The roster file its units come from (`roster:`, resolved beside the file), if any.
    roster_file: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'"{value}" is not a known time zone') from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        problems: list[tuple[str, str]] = []
        _unique(problems, "units", [u.code for u in self.units], "code")
        if self.province.code in {u.code for u in self.units}:
            problems.append(("province.code", f'"{self.province.code}" is also a unit code'))
        _unique(problems, "rounds", [r.code for r in self.rounds], "id")
        _unique(problems, "upstream", [u.code for u in self.upstream], "id")
        _unique(problems, "questions", [q.id for q in self.questions], "id")
        round_codes = {r.code for r in self.rounds}
        for i, (before, rnd) in enumerate(zip(self.rounds, self.rounds[1:], strict=False), 1):
            if self._local(rnd.due) <= self._local(before.due):
                problems.append((f"rounds[{i}].due", f"{rnd.due[0]} is not after the deadline "
                                 f"of rounds[{i - 1}] ({before.due[0]}); list rounds in order"))
        for where, text, limit in self._titles():
            if len(text) > limit:
                problems.append((where, f"is {len(text)} characters long; at most {limit}"))
        for i, rnd in enumerate(self.rounds):
            if not self.period.start <= rnd.due[0] <= self.period.end + dt.timedelta(days=31):
                problems.append(
                    (f"rounds[{i}].due", f"{rnd.due[0]} is outside the campaign period")
                )
            if rnd.late_until and self._local(rnd.late_until) < self._local(rnd.due):
                problems.append((f"rounds[{i}].late_until", "is before the round's deadline"))
        for i, up in enumerate(self.upstream):
            for j, rid in enumerate(up.rounds):
                if rid not in round_codes:
                    problems.append((f"upstream[{i}].rounds[{j}]", f'unknown round "{rid}"'))
        for i, question in enumerate(self.questions):
            for j, rid in enumerate(question.rounds or []):
                if rid not in round_codes:
                    problems.append((f"questions[{i}].rounds[{j}]", f'unknown round "{rid}"'))
        by_id = {q.id: q for q in self.questions}
        for i, question in enumerate(self.questions):
            whole = by_id.get(question.part_of or "")
            if question.part_of is None:
                continue
            if whole is None or whole is question or not whole.is_figure:
                problems.append((f"questions[{i}].part_of",
                                 f'"{question.part_of}" is not another figure question'))
            elif (whole.unit and whole.unit.zh) != (question.unit and question.unit.zh):
                problems.append((f"questions[{i}].part_of",
                                 f'"{question.part_of}" is counted in another unit'))
        for rnd in self.rounds:
            if not self.questions_for(rnd.code):
                problems.append((f"rounds[{self.rounds.index(rnd)}]", "no question asks it"))
        if problems:
            raise CampaignProblems(problems)
        return self

    def _titles(self) -> list[tuple[str, str, int]]:
        """Texts that are kept in database columns of a fixed length."""
        out = [("name.zh", self.name.zh, 200)]
        out += [(f"rounds[{i}].title.zh", r.title.zh, 200) for i, r in enumerate(self.rounds)]
        out += [(f"upstream[{i}].title.zh", u.title.zh, 200)
                for i, u in enumerate(self.upstream)]
        return out

    # -- derived views ------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _local(self, due: tuple[dt.date, dt.time | None]) -> dt.datetime:
        day, clock = due
        return dt.datetime.combine(day, clock or self.deadline_time, tzinfo=self.zone)

    def deadline(self, round_code: str) -> dt.datetime:
        """The round's deadline, as an aware datetime in the campaign's zone."""
        return self._local(self.round(round_code).due)

    def late_cutoff(self, round_code: str) -> dt.datetime | None:
        rnd = self.round(round_code)
        return self._local(rnd.late_until) if rnd.late_until else None

    def upstream_deadline(self, upstream_code: str) -> dt.datetime:
        return self._local(next(u for u in self.upstream if u.code == upstream_code).due)

    @property
    def opens_at(self) -> dt.datetime:
        return dt.datetime.combine(self.period.start, dt.time(0), tzinfo=self.zone)

    def round_opens_at(self, round_code: str) -> dt.datetime:
        """The round's own `opens`, if it has one; else the first round opens with the
        campaign, and each next one at the previous deadline."""
        i = next(i for i, r in enumerate(self.rounds) if r.code == round_code)
        if self.rounds[i].opens is not None:
            return dt.datetime.combine(self.rounds[i].opens, dt.time(0), tzinfo=self.zone)
        return self.opens_at if i == 0 else self.deadline(self.rounds[i - 1].code)

    def earlier_rounds(self, round_code: str) -> list[str]:
        """The rounds whose running totals this one continues, oldest first: every earlier
        round, back to the last that started them again (a recurring report's year).
        Empty for a round the file no longer has."""
        i = next((i for i, r in enumerate(self.rounds) if r.code == round_code), None)
        if i is None:
            return []
        start = max((j for j in range(i + 1) if self.rounds[j].resets_totals), default=0)
        return [r.code for r in self.rounds[start:i]]

    def round(self, round_code: str) -> Round:
        for rnd in self.rounds:
            if rnd.code == round_code:
                return rnd
        raise KeyError(round_code)

    def unit(self, code: str) -> Unit:
        for unit in [*self.units, self.province]:
            if unit.code == code:
                return unit
        raise KeyError(code)

    def questions_for(self, round_code: str) -> list[Question]:
        """The round's questions in order (asked for on every step of the form: kept)."""
        found = self._questions_by_round.get(round_code)
        if found is None:  # not one of the campaign's rounds
            return [q for q in self.questions if q.rounds is None]
        return list(found)

    @cached_property
    def _questions_by_round(self) -> dict[str, tuple[Question, ...]]:
        return {r.code: tuple(q for q in self.questions if q.rounds is None or r.code in q.rounds)
                for r in self.rounds}

    @property
    def signature(self) -> str:
        """Who signs the report (落款): the campaign's `report.signature`, or its sender."""
        return self.report.signature or (self.sender.zh if self.sender else self.province.name)

    def report_title(self, round_code: str) -> str:
        rnd = self.round(round_code)
        title = self.report.title.format(sender=self.signature, campaign=self.name.zh,
                                         round=rnd.report_title or rnd.title.zh)
        return "".join(title.split())  # an official title has no spaces

    def reminders_for(self, round_code: str) -> list[Reminder]:
        rnd = self.round(round_code)
        return list(rnd.reminders if rnd.reminders is not None else self.reminders)


def _unique(problems: list[tuple[str, str]], where: str, values: list[str], key: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            problems.append((f"{where}[{i}].{key}", f'"{value}" is used twice'))
        seen.add(value)


class CampaignProblems(ValueError):
    """Cross-field problems, each with its place in the file."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{place}: {what}" for place, what in problems))
