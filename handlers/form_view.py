"""Screens of the report form as Telegram messages: HTML text and inline keyboards.

Everything a user typed is escaped; a long review is split at line boundaries.
Every button's callback data comes from `texts.buttons`.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from flows.screen_text import question_lines, receipt_text, review_lines, round_label
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
        return [Rendered(receipt_text(screen, lang, zone))]  # type: ignore[arg-type]
    assert isinstance(screen, Notice)
    return [Rendered(t(screen.key, lang, **screen.values))]


def _question(s: QuestionScreen, lang: str) -> list[Rendered]:
    # A long answer shown again can pass Telegram's 4096 units: split, buttons on the last.
    parts = split_message("\n".join(question_lines(s, lang)))
    keyboard = InlineKeyboardMarkup(_question_buttons(s, lang))
    return [Rendered(p, keyboard if i == len(parts) - 1 else None) for i, p in enumerate(parts)]


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


def _review(s: ReviewScreen, lang: str, zone: object, now: object) -> list[Rendered]:
    lines = review_lines(s, lang, zone, now)  # type: ignore[arg-type]
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
    action = Action.AMEND_ROUND if s.amend else Action.FILL_ROUND
    rows = [[action_button(round_label(option, lang, zone), action,  # type: ignore[arg-type]
                           option.code, option.campaign_id)] for option in s.options]
    key = "form.choose_amend" if s.amend else "form.choose_round"
    return Rendered(t(key, lang), InlineKeyboardMarkup(rows))
