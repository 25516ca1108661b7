"""Reading what people type into answers, by question type, and writing answers back out.

People type on phones: full-width digits, thousands separators, a unit after the number,
spaces around it. All of that is accepted; what the bounds refuse is refused with the
limit in the message. Errors are catalog keys with their values, so the caller words them
in the user's language.

Stored values (JSON): text → str; integer → int; decimal → str (exact, e.g. "1234.5");
choice → option id; multi_choice → [option ids]; yes_no → bool; date → "YYYY-MM-DD";
attachment → [attachment ids].
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reporting.campaign import NUMERIC_TYPES, TEXT_TYPES, Question, QuestionType
from reporting.numbers import read_number
from texts.text import clean_text, utf16_len


@dataclass(frozen=True)
class AnswerError:
    """Why an answer was refused: a catalog key and the values it needs."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


YES = {"是", "是的", "有", "对", "y", "yes", "1", "true", "✅"}
NO = {"否", "不是", "没有", "无", "n", "no", "0", "false", "❌"}


def normalise(text: str) -> str:
    """Full-width to half-width, and surrounding spaces away: `１２３４` → `1234`."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_typed(question: Question, text: str, year: int,
                month: int | None = None) -> Any | AnswerError:
    """The value of a typed answer to `question`, or why it cannot be one. `year` and
    `month` complete a date typed without them (`1月20日`, `20日`)."""
    text = clean_text(text)
    t = question.type
    if t in TEXT_TYPES:
        return _text(question, text)
    cleaned = normalise(text)
    if not cleaned:
        return AnswerError("form.error.empty")
    if t in NUMERIC_TYPES:
        return _number(question, cleaned)
    if t is QuestionType.DATE:
        return _date(cleaned, year, month)
    if t is QuestionType.YES_NO:
        word = cleaned.lower()
        if word in YES:
            return True
        if word in NO:
            return False
        return AnswerError("form.error.yes_no")
    if t is QuestionType.CHOICE:
        option = _option(question, cleaned)
        return option if option else AnswerError("form.error.choice")
    if t is QuestionType.MULTI_CHOICE:
        return AnswerError("form.error.multi_choice")
    return AnswerError("form.error.attachment")


def _text(question: Question, text: str) -> str | AnswerError:
    value = text.strip()
    if not value:
        return AnswerError("form.error.empty")
    n = utf16_len(value)  # as Telegram counts, so the answer can be shown again
    if n > question.text_limit:
        return AnswerError("form.error.too_long", {"limit": question.text_limit, "n": n})
    return value


LARGEST = Decimal(10) ** 15  # past any real figure, and still exact as a float


def _number(question: Question, text: str) -> int | str | AnswerError:
    unit = question.unit.zh if question.unit else ""
    is_integer = question.type is QuestionType.INTEGER
    reading = read_number(text, unit) or (
        read_number(text, question.unit.en) if question.unit and question.unit.en else None)
    if reading is None:
        key = "form.error.integer" if is_integer else "form.error.decimal"
        return AnswerError(key, {"unit": unit})
    number = reading.value
    if is_integer and number != number.to_integral_value():
        return AnswerError("form.error.integer", {"unit": unit})
    if question.min is not None and number < Decimal(str(question.min)):
        return AnswerError("form.error.min", {"min": _plain(question.min), "unit": unit})
    if abs(number) >= LARGEST:
        return AnswerError("form.error.decimal", {"unit": unit})
    if question.max is not None and number > Decimal(str(question.max)):
        return AnswerError("form.error.max", {"max": _plain(question.max), "unit": unit})
    if is_integer:
        return int(number)
    return format(number.normalize(), "f")


def understood(question: Question, text: str) -> str | None:
    """What a typed figure was read as, when it is not plain: `3.2亿元 = 32,000 万元`."""
    if question.type not in NUMERIC_TYPES:
        return None
    reading = read_number(clean_text(text), question.unit.zh if question.unit else "")
    return reading.said if reading else None


def _plain(value: float) -> str:
    return f"{value:g}"


_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})[日号]?$"),
    re.compile(r"^(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})[日号]?$"),
    re.compile(r"^(?P<d>\d{1,2})[日号]$"),  # 20日: in the campaign's current month
)
SKIP_WORDS = {"无", "没有", "暂无", "无此项", "不涉及", "/", "-", "—"}  # an optional question


def _date(text: str, year: int, month: int | None = None) -> str | AnswerError:
    compact = text.replace(" ", "").replace("元月", "1月")
    for form in _DATE_FORMS:
        match = form.match(compact)
        if match:
            parts = match.groupdict()
            if parts.get("m") is None and month is None:
                break
            try:
                day = dt.date(int(parts.get("y") or year), int(parts.get("m") or month or 0),
                              int(parts["d"]))
            except ValueError:
                break
            return day.isoformat()
    return AnswerError("form.error.date")


def is_skip_word(question: Question, text: str) -> bool:
    """`无`, `没有`, `暂无` typed for an optional question: skipped, not an answer (a yes/no
    question keeps 没有 and 无 as its "no")."""
    return (not question.required and question.type is not QuestionType.YES_NO
            and normalise(text) in SKIP_WORDS)


def _option(question: Question, text: str) -> str | None:
    lowered = text.lower()
    for option in question.options:
        labels = {option.id.lower(), option.label.zh.lower(), (option.label.en or "").lower()}
        if lowered in labels:
            return option.id
    return None


def option_label(question: Question, option_id: str, lang: str) -> str:
    for option in question.options:
        if option.id == option_id:
            return option.label.get(lang)
    return option_id


def is_valid_stored(question: Question, value: Any) -> bool:
    """Whether a stored value (from a button or an earlier round) fits the question now."""
    t = question.type
    if t is QuestionType.CHOICE:
        return isinstance(value, str) and value in {o.id for o in question.options}
    if t is QuestionType.MULTI_CHOICE:
        ids = {o.id for o in question.options}
        return isinstance(value, list) and bool(value) and all(v in ids for v in value)
    if t is QuestionType.YES_NO:
        return isinstance(value, bool)
    if t is QuestionType.ATTACHMENT:
        return isinstance(value, list) and all(isinstance(v, int) for v in value)
    if value is None:
        return False
    return not isinstance(parse_typed(question, str(value), 2000), AnswerError)


def display(question: Question, value: Any, lang: str) -> str:
    """An answer as the user reads it: `1234.5 万元`, `是`, `1月20日（周三）`."""
    from texts.catalog import t
    from texts.dates import day

    t_ = question.type
    if value is None:
        return t("form.value.skipped", lang)
    if t_ in NUMERIC_TYPES:
        unit = question.unit.get(lang) if question.unit else ""
        return f"{value} {unit}".strip()
    if t_ is QuestionType.YES_NO:
        return t("form.yes" if value else "form.no", lang)
    if t_ is QuestionType.CHOICE:
        return option_label(question, value, lang)
    if t_ is QuestionType.MULTI_CHOICE:
        return t("list.sep", lang).join(option_label(question, v, lang) for v in value)
    if t_ is QuestionType.DATE:
        return day(dt.date.fromisoformat(value), lang)
    if t_ is QuestionType.ATTACHMENT:
        return t("form.value.files", lang, n=len(value))
    return str(value)
