"""The words of the form's screens, in the person's language, as chat HTML (`<b>`, `<i>`,
everything typed escaped): the same on every front door. Telegram sends them as they are;
WeCom as plain text (texts.text.plain), with its own cards for the buttons."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from flows.screens import QuestionScreen, Receipt, ReviewScreen, RoundOption
from reporting.answers import display
from reporting.campaign import QuestionType
from texts.catalog import t
from texts.dates import moment, remaining


def question_lines(s: QuestionScreen, lang: str) -> list[str]:
    """The header, what was just understood, any error, the question, its help and hint,
    last round's figure and the current answer."""
    q = s.question
    lines = [t("form.header", lang, round=html.escape(s.round_title), n=s.number, total=s.total)]
    lines += note_lines(s.notes, lang)
    if s.note:
        lines.append(t(s.note, lang, **s.note_values))
    if s.error:
        lines.append("⚠️ " + t(s.error.key, lang, **s.error.values))
    lines.append("")
    lines.append(f"<b>{html.escape(q.prompt.get(lang))}</b>"
                 + ("" if q.required else t("form.optional", lang)))
    if q.help:
        lines.append(f"<i>{html.escape(q.help.get(lang))}</i>")
    if hint := hint_line(s, lang):
        lines.append(hint)
    if q.cumulative and s.previous_round_value is not None:
        lines.append(t("form.last_round", lang, value=html.escape(
            display(q, s.previous_round_value, lang))))
    if s.answered and q.type is not QuestionType.MULTI_CHOICE:
        lines.append(t("form.current", lang, value=html.escape(display(q, s.current, lang))))
    return lines


def hint_line(s: QuestionScreen, lang: str) -> str:
    """How to answer: the unit, the date format, the length, the files."""
    q = s.question
    unit = q.unit.get(lang) if q.unit else ""
    if q.type is QuestionType.INTEGER:
        return t("form.hint.integer", lang, unit=unit)
    if q.type is QuestionType.DECIMAL:
        return t("form.hint.decimal", lang, unit=unit)
    if q.type is QuestionType.DATE:
        example = s.example_day or dt.date(2021, 1, 20)
        return t("form.hint.date", lang, iso=example.isoformat(),
                 month=example.month, day=example.day)
    if q.type in {QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT}:
        return t("form.hint.text", lang, limit=q.text_limit)
    if q.type is QuestionType.ATTACHMENT:
        return t("form.hint.attachment", lang, limit=q.file_limit)
    if q.type is QuestionType.MULTI_CHOICE:
        return t("form.hint.multi", lang)
    return ""


def note_lines(notes: list[tuple[str, dict[str, Any]]], lang: str) -> list[str]:
    """About the answer just given: `已按 3.2亿元 = 32,000 万元 记录`, or what to verify."""
    return [t(key, lang, **{k: html.escape(str(v)) for k, v in values.items()})
            for key, values in notes]


def review_lines(s: ReviewScreen, lang: str, zone: dt.tzinfo, now: dt.datetime) -> list[str]:
    """Every answer, numbered, with what is missing and whether it would be late."""
    lines: list[str] = note_lines(s.notes, lang)
    if s.note:
        lines += [t(s.note, lang, **s.note_values), ""]
    amending = t("form.amending", lang, version=s.amending_version) \
        if s.amending_version else ""
    lines.append(t("form.review_title", lang, round=html.escape(s.round_title),
                   amending=amending))
    lines.append(t("form.review_due", lang, due=moment(s.due_at, zone, lang),
                   left=remaining(s.due_at - now, lang)))
    lines.append("")
    for i, item in enumerate(s.items, 1):
        value = (t("form.value.blank", lang) if item.value in (None, [], "")
                 else html.escape(display(item.question, item.value, lang)))
        if item.files:  # 2 个文件：直播现场、活动方案.pdf
            value += "：" + html.escape(t("list.sep", lang).join(item.files))
        lines.append(f"{i}. <b>{html.escape(item.question.prompt.get(lang))}</b>：{value}")
    if s.missing:
        names = t("list.sep", lang).join(html.escape(q.prompt.get(lang)) for q in s.missing)
        lines += ["", t("form.missing", lang, names=names)]
    if s.late:
        lines += ["", t("form.will_be_late", lang)]
    return lines


def receipt_text(s: Receipt, lang: str, zone: dt.tzinfo) -> str:
    late = t("form.receipt_late", lang) if s.late else ""
    return t("form.receipt", lang, round=html.escape(s.round_title),
             time=moment(s.submitted_at, zone, lang), version=s.version, late=late)


def round_label(option: RoundOption, lang: str, zone: dt.tzinfo) -> str:
    """`大连｜第一期（截止 1月20日 18:00）`: a round offered to fill in or amend."""
    state = (t("form.round_late", lang) if option.late else
             t("form.round_due", lang, due=moment(option.due_at, zone, lang)))
    title = f"{option.campaign}｜{option.title}" if option.campaign else option.title
    return f"{title}（{state}）" if lang == "zh" else f"{title} ({state})"
