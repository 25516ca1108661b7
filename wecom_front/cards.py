"""Screens of the report form as WeCom messages: the words of flows.screen_text as plain
text, and template cards for what is chosen by clicking.

- A question is one card (按钮交互型) when it fits one: the question as its title, the
  rest as its text, its buttons (options, 是/否, 上一题, 跳过...) below. Options that do
  not fit six buttons go in a drop-down (at most 10) or a list to tick (投票选择型, at
  most 20 a card); several answers are always ticked on a 投票选择型 card in its multiple
  mode, whose submit button says 完成. Words too long for a card go before it as text.
- A review is its text, then a card with 提交 / 修改 / 稍后再说.
- A typed question with nothing to click is a text, as are notices and receipts.

Each clickable thing carries the press it stands for in the one codec of texts.buttons
(`EventKey` for a button, the option's id in a list), followed by `|` and the words the
member clicked, which the bot shows on the card once it is answered. A card's submit
button for a single choice from a list says `pick`: the press is the option chosen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flows.screen_text import hint_line, question_lines, receipt_text
from flows.screens import (
    EditMenu,
    Notice,
    QuestionScreen,
    Receipt,
    ReviewScreen,
    RoundChoice,
    Screen,
)
from reporting.answers import display
from reporting.campaign import QuestionType
from texts.buttons import Action
from texts.catalog import t
from texts.text import plain
from wecom_front import pick_cards
from wecom_front.card_parts import (
    DROPDOWN_TEXT,
    MAX_BUTTON_TEXT,
    MAX_BUTTONS,
    MAX_DROPDOWN,
    TEXT_CHARS,
    TITLE_CHARS,
    Outgoing,
    button_list,
    key,
    new_card,
    option_id,
    pair,
    pick_lists,
    short,
)


def render(screen: Screen, lang: str, zone: dt.tzinfo, now: dt.datetime,
           upload: str | None = None) -> list[Outgoing]:
    """`upload`: the member's link to the upload page, for a 上传文件 button on the cards
    of questions a document answers (an attachment, a narrative section, the first)."""
    if isinstance(screen, QuestionScreen):
        return _question(screen, lang, upload)
    if isinstance(screen, ReviewScreen):
        return pick_cards.review(screen, lang, zone, now)
    if isinstance(screen, EditMenu):
        return pick_cards.edit_menu(screen, lang)
    if isinstance(screen, RoundChoice):
        return pick_cards.round_choice(screen, lang, zone)
    if isinstance(screen, Receipt):
        return [Outgoing(text=plain(receipt_text(screen, lang, zone)))]
    assert isinstance(screen, Notice)
    return [Outgoing(text=plain(t(screen.key, lang, **screen.values)))]


def _question(s: QuestionScreen, lang: str, upload: str | None) -> list[Outgoing]:
    # The hint to send a Word report, as it is done in WeCom: through the upload page.
    s = replace(s, notes=[("wecom.word_hint", v) if k == "remind.word_hint" else (k, v)
                          for k, v in s.notes if upload or k != "remind.word_hint"])
    q, d = s.question, s.draft_id
    nav = _nav(s, lang)
    if q.type is QuestionType.MULTI_CHOICE:
        chosen = set(s.current or [])
        return _text_then_lists(s, lang, Action.TOGGLE_OPTION, nav, multiple=True,
                                checked=lambda i: q.options[i].id in chosen)
    pairs: list[tuple[str, str]] = []
    chooser: dict[str, Any] = {}
    if q.type is QuestionType.CHOICE:
        labels = [o.label.get(lang) for o in q.options]
        if len(labels) + len(nav) <= MAX_BUTTONS and all(
                len(label) <= MAX_BUTTON_TEXT for label in labels):
            pairs = [pair(o.label.get(lang), Action.ANSWER_CHOICE, d, q.id, o.id)
                     for o in q.options]
        elif len(labels) <= MAX_DROPDOWN:
            chooser = {"button_selection": _dropdown(s, lang)}
            pairs = [pick_cards.confirm(lang)]
        else:
            return _text_then_lists(s, lang, Action.ANSWER_CHOICE, nav,
                                    checked=lambda i: q.options[i].id == s.current)
    elif q.type is QuestionType.YES_NO:
        pairs = [pair(t("form.yes", lang), Action.ANSWER_YES_NO, d, q.id, 1),
                 pair(t("form.no", lang), Action.ANSWER_YES_NO, d, q.id, 0)]
    elif q.type is QuestionType.ATTACHMENT:
        pairs = [pair(t("wecom.card.files_done", lang), Action.QUESTION_DONE, d, q.id)]
    pairs += _offers(s, lang) + nav
    lines = question_lines(s, lang)
    if q.type is QuestionType.ATTACHMENT:  # WeCom passes pictures on, not files
        lines.append(t("wecom.card.files_hint" if upload else "wecom.card.pictures_only", lang))
    buttons = button_list(pairs)
    if upload and len(buttons) < MAX_BUTTONS and (
            q.type is QuestionType.ATTACHMENT or q.section or s.number == 1):
        buttons.append({"type": 1, "text": t("wecom.card.upload", lang), "style": 3,
                        "url": upload})
    if not buttons:
        return [Outgoing(text=plain("\n".join(lines)))]
    return _with_card(lines, s, lang, new_card("button_interaction", "", button_list=buttons,
                                               **chooser))


def _dropdown(s: QuestionScreen, lang: str) -> dict[str, Any]:
    """The options of a choice in a drop-down (button_selection), the answer selected."""
    q = s.question
    options = [pick_cards.option(o.label.get(lang), Action.ANSWER_CHOICE, s.draft_id, q.id, o.id)
               for o in q.options]
    dropdown: dict[str, Any] = {
        "question_key": q.id, "title": t("wecom.card.choose", lang),
        "option_list": [{"id": option_id(k), "text": short(label, DROPDOWN_TEXT)}
                        for label, k in options]}
    for o, (_, k) in zip(q.options, options, strict=True):
        if o.id == s.current:
            dropdown["selected_id"] = option_id(k)
    return dropdown


def _with_card(lines: list[str], s: QuestionScreen, lang: str,
               card: dict[str, Any]) -> list[Outgoing]:
    """The question on the card when its words fit one; else as a text before it, and the
    card titled with the question."""
    q = s.question
    title = q.prompt.get(lang) + ("" if q.required else plain(t("form.optional", lang)))
    header = plain(lines[0])
    text = "\n".join(plain(line) for line in lines[1:]
                     if line.strip() and plain(line) != title)
    card["main_title"] = {"title": short(title, TITLE_CHARS), "desc": short(header, 44)}
    if len(title) <= TITLE_CHARS and len(text) <= TEXT_CHARS:
        if text:
            card["sub_title_text"] = text
        return [Outgoing(card=card)]
    card["sub_title_text"] = short(plain(hint_line(s, lang)) or header, TEXT_CHARS)
    return [Outgoing(text=plain("\n".join(lines))), Outgoing(card=card)]


def _text_then_lists(s: QuestionScreen, lang: str, action: Action,
                     nav: list[tuple[str, str]], checked: Callable[[int], bool],
                     multiple: bool = False) -> list[Outgoing]:
    """The question as text, then its options to tick, 20 a card (a card of the list kind
    has one submit button and no other: 上一题 and 跳过 are said in words). Several are
    ticked at once and 完成 carries the question; one is the option ticked."""
    q, d = s.question, s.draft_id
    lines = question_lines(s, lang)
    if nav:
        words = t("list.sep", lang).join(f"“{t(f'wecom.word.{w}', lang)}”" for w in _nav_words(s))
        lines.append(t("wecom.card.say", lang, words=words))
    items = [pick_cards.option(o.label.get(lang), action, d, q.id, o.id) for o in q.options]
    submit = (pair(plain(t("form.btn.done", lang)), Action.QUESTION_DONE, d, q.id) if multiple
              else pick_cards.confirm(lang))
    header = plain(t("form.header", lang, round=s.round_title, n=s.number, total=s.total))
    lists = pick_lists(q.prompt.get(lang), items, submit, desc=header, question_key=q.id,
                       checked=checked, multiple=multiple)
    return [Outgoing(text=plain("\n".join(lines))), *(Outgoing(card=c) for c in lists)]


def _offers(s: QuestionScreen, lang: str) -> list[tuple[str, str]]:
    """A figure from the unit's Word file, and last round's answer, to take by a click."""
    q, d = s.question, s.draft_id
    pairs = []
    if s.suggested is not None:
        label = t("wecom.card.suggested", lang)
        pairs.append((label, key(f"{label} {s.suggested[:24]}", Action.USE_SUGGESTED, d, q.id)))
    if s.previous_round_value is not None and s.previous_round_value != s.current \
            and not q.cumulative:
        shown = display(q, s.previous_round_value, lang)
        label = t("wecom.card.same", lang)
        pairs.append((label, key(f"{label} {shown[:24]}", Action.SAME_AS_LAST_ROUND, d, q.id)))
    return pairs


def _nav_words(s: QuestionScreen) -> list[str]:
    q = s.question
    words = []
    if s.can_go_back and not s.editing:
        words.append("back")
    if not q.required and q.type is not QuestionType.ATTACHMENT:
        words.append("skip")
    return words


def _nav(s: QuestionScreen, lang: str) -> list[tuple[str, str]]:
    q, d = s.question, s.draft_id
    pairs = []
    for word in _nav_words(s):
        action = Action.BACK if word == "back" else Action.SKIP_QUESTION
        pairs.append(pair(t(f"wecom.word.{word}", lang), action, d, q.id))
    if s.answered and q.type not in {QuestionType.MULTI_CHOICE, QuestionType.ATTACHMENT}:
        pairs.append(pair(t("wecom.card.keep", lang), Action.KEEP_ANSWER, d, q.id))
    if s.editing:
        pairs.append(pair(t("wecom.card.to_review", lang), Action.TO_REVIEW, d))
    return pairs
