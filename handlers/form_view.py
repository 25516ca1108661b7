"""Screens of the report form as Telegram messages: HTML text and inline keyboards.

Everything a user typed is escaped; a long review is split at line boundaries.
Every button's callback data comes from `texts.buttons`.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from flows.screens import (
    EditMenu,
    Notice,
    QuestionScreen,
    Receipt,
    ReviewScreen,
    RoundChoice,
    Screen,
)
from handlers.keyboards import action_button
from reporting.answers import display
from reporting.campaign import QuestionType
from texts.buttons import Action
from texts.catalog import t
from texts.dates import moment, remaining
from texts.text import split_message

Button = InlineKeyboardButton


@dataclass(frozen=True)
class Rendered:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


def render(screen: Screen, lang: str, zone: object, now: object) -> list[Rendered]:
    if isinstance(screen, QuestionScreen):
        return _question(screen, lang)
    if isinstance(screen, ReviewScreen):
        return _review(screen, lang, zone, now)
    if isinstance(screen, EditMenu):
        return [_edit_menu(screen, lang)]
    if isinstance(screen, RoundChoice):
        return [_round_choice(screen, lang, zone)]
    if isinstance(screen, Receipt):
        late = t("form.receipt_late", lang) if screen.late else ""
        return [Rendered(t("form.receipt", lang, round=html.escape(screen.round_title),
                           time=moment(screen.submitted_at, zone, lang),  # type: ignore[arg-type]
                           version=screen.version, late=late))]
    assert isinstance(screen, Notice)
    return [Rendered(t(screen.key, lang, **screen.values))]


def _question(s: QuestionScreen, lang: str) -> list[Rendered]:
    q = s.question
    lines = [t("form.header", lang, round=html.escape(s.round_title), n=s.number, total=s.total)]
    lines += _notes(s.notes, lang)
    if s.note:
        lines.append(t(s.note, lang, **s.note_values))
    if s.error:
        lines.append("⚠️ " + t(s.error.key, lang, **s.error.values))
    lines.append("")
    lines.append(f"<b>{html.escape(q.prompt.get(lang))}</b>"
                 + ("" if q.required else t("form.optional", lang)))
    if q.help:
        lines.append(f"<i>{html.escape(q.help.get(lang))}</i>")
    hint = _hint(s, lang)
    if hint:
        lines.append(hint)
    if q.cumulative and s.previous_round_value is not None:
        lines.append(t("form.last_round", lang, value=html.escape(
            display(q, s.previous_round_value, lang))))
    if s.answered and q.type is not QuestionType.MULTI_CHOICE:
        lines.append(t("form.current", lang, value=html.escape(display(q, s.current, lang))))
    # A long answer shown again can pass Telegram's 4096 units: split, buttons on the last.
    parts = split_message("\n".join(lines))
    keyboard = InlineKeyboardMarkup(_question_buttons(s, lang))
    return [Rendered(p, keyboard if i == len(parts) - 1 else None) for i, p in enumerate(parts)]


def _hint(s: QuestionScreen, lang: str) -> str:
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


def _question_buttons(s: QuestionScreen, lang: str) -> list[list[Button]]:
    q, d = s.question, s.draft_id

    def cb(action: Action, *arg: int | str) -> tuple[Action, int | str, ...]:
        return (action, d, q.id, *arg)

    rows: list[list[Button]] = []
    if q.type is QuestionType.CHOICE:
        rows += [[action_button(("✅ " if s.current == o.id else "") + o.label.get(lang),
                         *cb(Action.ANSWER_CHOICE, o.id))] for o in q.options]
    elif q.type is QuestionType.MULTI_CHOICE:
        chosen = set(s.current or [])
        rows += [[action_button(("☑️ " if o.id in chosen else "⬜ ") + o.label.get(lang),
                         *cb(Action.TOGGLE_OPTION, o.id))] for o in q.options]
        rows.append([action_button(t("form.btn.done", lang), *cb(Action.QUESTION_DONE))])
    elif q.type is QuestionType.YES_NO:
        rows.append([action_button(t("form.yes", lang), *cb(Action.ANSWER_YES_NO, 1)),
                     action_button(t("form.no", lang), *cb(Action.ANSWER_YES_NO, 0))])
    elif q.type is QuestionType.ATTACHMENT:
        rows.append([action_button(t("form.btn.files_done", lang), *cb(Action.QUESTION_DONE))])
    if s.suggested is not None:  # from the unit's Word file: counted once tapped
        label = t("form.btn.suggested", lang, value=s.suggested[:24])
        rows.append([action_button(label, *cb(Action.USE_SUGGESTED))])
    if s.previous_round_value is not None and s.previous_round_value != s.current \
            and not q.cumulative:  # a running total copied is zero growth: shown, not offered
        shown = display(q, s.previous_round_value, lang)
        label = t("form.btn.same", lang, value=shown if len(shown) <= 16 else shown[:15] + "…")
        rows.append([action_button(label, *cb(Action.SAME_AS_LAST_ROUND))])
    nav: list[Button] = []
    if s.can_go_back and not s.editing:
        nav.append(action_button(t("form.btn.back", lang), *cb(Action.BACK)))
    if not q.required and q.type is not QuestionType.ATTACHMENT:
        nav.append(action_button(t("form.btn.skip", lang), *cb(Action.SKIP_QUESTION)))
    if s.answered and q.type not in {QuestionType.MULTI_CHOICE, QuestionType.ATTACHMENT}:
        nav.append(action_button(t("form.btn.keep", lang), *cb(Action.KEEP_ANSWER)))
    if s.editing:
        nav.append(action_button(t("form.btn.to_review", lang), Action.TO_REVIEW, d))
    if nav:
        rows.append(nav)
    return rows


def _notes(notes: list[tuple[str, dict[str, Any]]], lang: str) -> list[str]:
    """About the answer just given: `已按 3.2亿元 = 32,000 万元 记录`, or what to verify."""
    return [t(key, lang, **{k: html.escape(str(v)) for k, v in values.items()})
            for key, values in notes]


def _review(s: ReviewScreen, lang: str, zone: object, now: object) -> list[Rendered]:
    lines: list[str] = _notes(s.notes, lang)
    if s.note:
        lines += [t(s.note, lang, **s.note_values), ""]
    amending = t("form.amending", lang, version=s.amending_version) \
        if s.amending_version else ""
    lines.append(t("form.review_title", lang, round=html.escape(s.round_title),
                   amending=amending))
    lines.append(t("form.review_due", lang, due=moment(s.due_at, zone, lang),  # type: ignore[arg-type]
                   left=remaining(s.due_at - now, lang)))  # type: ignore[operator]
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
    d = s.draft_id
    keyboard = InlineKeyboardMarkup([
        [action_button(t("form.btn.submit", lang), Action.SUBMIT, d)],
        [action_button(t("form.btn.edit", lang), Action.EDIT_MENU, d),
         action_button(t("form.btn.later", lang), Action.LATER, d)],
    ])
    parts = split_message("\n".join(lines))
    return [Rendered(p, keyboard if i == len(parts) - 1 else None) for i, p in enumerate(parts)]


def _edit_menu(s: EditMenu, lang: str) -> Rendered:
    rows = [[action_button(f"{i}. {q.prompt.get(lang)}"[:60], Action.EDIT_QUESTION,
                           s.draft_id, q.id)]
            for i, q in enumerate(s.questions, 1)]
    rows.append([action_button(t("form.btn.to_review", lang), Action.TO_REVIEW, s.draft_id)])
    return Rendered(t("form.edit_which", lang), InlineKeyboardMarkup(rows))


def _round_choice(s: RoundChoice, lang: str, zone: object) -> Rendered:
    rows = []
    for option in s.options:
        state = (t("form.round_late", lang) if option.late else
                 t("form.round_due", lang, due=moment(option.due_at, zone, lang)))  # type: ignore[arg-type]
        action = Action.AMEND_ROUND if s.amend else Action.FILL_ROUND
        title = f"{option.campaign}｜{option.title}" if option.campaign else option.title
        rows.append([action_button(f"{title}（{state}）" if lang == "zh" else f"{title} ({state})",
                                   action, option.code, option.campaign_id)])
    key = "form.choose_amend" if s.amend else "form.choose_round"
    return Rendered(t(key, lang), InlineKeyboardMarkup(rows))
