"""What the report form shows next, as plain data; the handlers turn it into messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reporting.answers import AnswerError
from reporting.campaign import Question


@dataclass(frozen=True)
class QuestionScreen:
    draft_id: int
    round_title: str
    question: Question
    number: int
    total: int
    current: Any = None
    answered: bool = False
    previous_round_value: Any = None
    error: AnswerError | None = None
    note: str | None = None
    note_values: dict[str, Any] = field(default_factory=dict)
    editing: bool = False
    can_go_back: bool = True
    # About the answer just given: what a figure was read as, a figure to verify.
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    example_day: dt.date | None = None  # a date of the campaign's own, for the date hint
    suggested: str | None = None  # a figure found in the unit's Word file, to confirm


@dataclass(frozen=True)
class ReviewItem:
    question: Question
    value: Any
    skipped: bool
    files: list[str] = field(default_factory=list)  # an attachment's captions or names


@dataclass(frozen=True)
class ReviewScreen:
    draft_id: int
    round_title: str
    due_at: dt.datetime
    items: list[ReviewItem]
    missing: list[Question]
    late: bool
    amending_version: int | None = None
    note: str | None = None
    note_values: dict[str, Any] = field(default_factory=dict)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class EditMenu:
    draft_id: int
    questions: list[Question]


@dataclass(frozen=True)
class RoundOption:
    code: str
    title: str
    due_at: dt.datetime
    late: bool
    submitted_version: int | None
    campaign_id: int
    campaign: str | None = None  # its campaign's name, when the bot serves several


@dataclass(frozen=True)
class RoundChoice:
    options: list[RoundOption]
    amend: bool = False


@dataclass(frozen=True)
class Receipt:
    round_title: str
    submitted_at: dt.datetime
    version: int
    late: bool


@dataclass(frozen=True)
class Notice:
    """A plain message from the catalog."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


Screen = QuestionScreen | ReviewScreen | EditMenu | RoundChoice | Receipt | Notice
