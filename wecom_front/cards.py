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
import secrets
from dataclasses import dataclass, replace
from typing import Any

from flows.screen_text import (
    hint_line,
    question_lines,
    receipt_text,
    review_lines,
    round_label,
)
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
from texts.buttons import Action, decode, encode
from texts.catalog import t
from texts.text import plain

PICK = "pick"  # the submit key of a card whose press is the option chosen
SEP = "|"
MAX_BUTTONS = 6  # button_list
MAX_BUTTON_TEXT = 10  # characters WeCom shows on a button
MAX_DROPDOWN = 10  # button_selection options
MAX_TICKS = 20  # checkbox options
MAX_OPTION_ID = 128  # bytes
TITLE_CHARS = 36  # main_title.title, as WeCom advises
TEXT_CHARS = 160  # sub_title_text, as WeCom advises


@dataclass(frozen=True)
class Outgoing:
    """One message: a plain text, or a template card (its `task_id` is given here)."""

    text: str | None = None
    card: dict[str, Any] | None = None


Press = tuple[Action, tuple[int | str | None, ...]]


def render(screen: Screen, lang: str, zone: dt.tzinfo, now: dt.datetime,
           upload: str | None = None) -> list[Outgoing]:
    """`upload`: the member's link to the upload page, for a 上传文件 button on the cards
    of questions a document answers (an attachment, a narrative section, the first)."""
    if isinstance(screen, QuestionScreen):
        return _question(screen, lang, upload)
    if isinstance(screen, ReviewScreen):
        return _review(screen, lang, zone, now)
    if isinstance(screen, EditMenu):
        return _edit_menu(screen, lang)
    if isinstance(screen, RoundChoice):
        return _round_choice(screen, lang, zone)
    if isinstance(screen, Receipt):
        return [Outgoing(text=plain(receipt_text(screen, lang, zone)))]
    assert isinstance(screen, Notice)
    return [Outgoing(text=plain(t(screen.key, lang, **screen.values)))]


def key(label: str, action: Action, *args: int | str | None, limit: int = 1024) -> str:
    """What a button or option carries: the press, then the words shown (cut to fit)."""
    data = encode(action, *args) + SEP
    room = limit - len(data.encode("utf-8"))
    return data + label.encode("utf-8")[:room].decode("utf-8", errors="ignore")


def _short(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars - 1] + "…"


def _card(kind: str, title: str, text: str = "", desc: str = "", **parts: Any) -> dict[str, Any]:
    card: dict[str, Any] = {"card_type": kind, "task_id": f"t{secrets.token_hex(12)}",
                            "main_title": {"title": _short(title, TITLE_CHARS)}}
    if desc:
        card["main_title"]["desc"] = desc
    if text:
        card["sub_title_text"] = text
    return card | parts


SECONDARY = {Action.BACK, Action.SKIP_QUESTION, Action.KEEP_ANSWER, Action.TO_REVIEW,
             Action.EDIT_MENU, Action.LATER}  # drawn plainer than the answers


def _buttons(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    def style(k: str) -> int:
        return 2 if k != PICK and decode(k.partition(SEP)[0]).action in SECONDARY else 1

    return [{"text": _short(label, MAX_BUTTON_TEXT), "style": style(k), "key": k}
            for label, k in pairs[:MAX_BUTTONS]]


# -- a question ---------------------------------------------------------------------------

def _question(s: QuestionScreen, lang: str, upload: str | None) -> list[Outgoing]:
    # The hint to send a Word report, as it is done in WeCom: through the upload page.
    s = replace(s, notes=[("wecom.word_hint", v) if k == "remind.word_hint" else (k, v)
                          for k, v in s.notes if upload or k != "remind.word_hint"])
    q, d = s.question, s.draft_id
    nav = _nav(s, lang)
    options = [(o.label.get(lang), key(o.label.get(lang), Action.ANSWER_CHOICE, d, q.id, o.id))
               for o in q.options]
    pairs: list[tuple[str, str]] = []
    chooser: dict[str, Any] = {}
    if q.type is QuestionType.CHOICE:
        if len(options) + len(nav) <= MAX_BUTTONS and all(
                len(label) <= MAX_BUTTON_TEXT for label, _ in options):
            pairs = options
        elif len(options) <= MAX_DROPDOWN:
            chooser = {"button_selection": {
                "question_key": q.id, "title": t("wecom.card.choose", lang),
                "option_list": [{"id": _option_id(k), "text": _short(label, 16)}
                                for label, k in options],
                **({"selected_id": _option_id(options[[o.id for o in q.options].index(
                    s.current)][1])} if s.current in [o.id for o in q.options] else {})}}
            pairs = [(t("wecom.card.confirm", lang), PICK)]
        else:
            return _text_then_ticks(s, lang, options, multiple=False, nav=nav)
    elif q.type is QuestionType.MULTI_CHOICE:
        chosen = set(s.current or [])
        ticks = [(o.label.get(lang), key(o.label.get(lang), Action.TOGGLE_OPTION, d, q.id, o.id,
                                         limit=MAX_OPTION_ID), o.id in chosen) for o in q.options]
        return _text_then_ticks(s, lang, ticks, multiple=True, nav=nav)
    elif q.type is QuestionType.YES_NO:
        pairs = [(t("form.yes", lang), key(t("form.yes", lang), Action.ANSWER_YES_NO, d, q.id, 1)),
                 (t("form.no", lang), key(t("form.no", lang), Action.ANSWER_YES_NO, d, q.id, 0))]
    elif q.type is QuestionType.ATTACHMENT:
        label = t("wecom.card.files_done", lang)
        pairs = [(label, key(label, Action.QUESTION_DONE, d, q.id))]
    pairs += _offers(s, lang) + nav
    lines = question_lines(s, lang)
    if q.type is QuestionType.ATTACHMENT:  # WeCom passes pictures on, not files
        lines.append(t("wecom.card.files_hint" if upload else "wecom.card.pictures_only", lang))
    buttons = _buttons(pairs)
    if upload and len(buttons) < MAX_BUTTONS and (
            q.type is QuestionType.ATTACHMENT or q.section or s.number == 1):
        buttons.append({"type": 1, "text": t("wecom.card.upload", lang), "style": 3,
                        "url": upload})
    if not buttons:
        return [Outgoing(text=plain("\n".join(lines)))]
    return _with_card(lines, s, lang, _card("button_interaction", "", button_list=buttons,
                                            **chooser))


def _with_card(lines: list[str], s: QuestionScreen, lang: str,
               card: dict[str, Any]) -> list[Outgoing]:
    """The question on the card when its words fit one; else as a text before it, and the
    card titled with the question."""
    q = s.question
    title = q.prompt.get(lang) + ("" if q.required else plain(t("form.optional", lang)))
    header = plain(lines[0])
    text = "\n".join(plain(line) for line in lines[1:]
                     if line.strip() and plain(line) != title)
    card["main_title"] = {"title": _short(title, TITLE_CHARS), "desc": _short(header, 44)}
    if len(title) <= TITLE_CHARS and len(text) <= TEXT_CHARS:
        if text:
            card["sub_title_text"] = text
        return [Outgoing(card=card)]
    card["sub_title_text"] = _short(plain(hint_line(s, lang)) or header, TEXT_CHARS)
    return [Outgoing(text=plain("\n".join(lines))), Outgoing(card=card)]


def _text_then_ticks(s: QuestionScreen, lang: str, options: list[Any], multiple: bool,
                     nav: list[tuple[str, str]]) -> list[Outgoing]:
    """The question as text, then its options to tick, 20 a card (a card of the list kind
    has one submit button and no other: 上一题 and 跳过 are said in words)."""
    q, d = s.question, s.draft_id
    lines = question_lines(s, lang)
    if nav:
        words = t("list.sep", lang).join(f"“{t(f'wecom.word.{w}', lang)}”" for w in _nav_words(s))
        lines.append(t("wecom.card.say", lang, words=words))
    out = [Outgoing(text=plain("\n".join(lines)))]
    label = t("form.btn.done", lang) if multiple else t("wecom.card.confirm", lang)
    submit = key(plain(label), Action.QUESTION_DONE, d, q.id) if multiple else PICK
    for start in range(0, len(options), MAX_TICKS):
        chunk = options[start:start + MAX_TICKS]
        box = {"question_key": q.id, "mode": 1 if multiple else 0, "option_list": [
            {"id": _option_id(option[1]), "text": _short(option[0], 17),
             "is_checked": bool(option[2]) if multiple else s.current == q.options[
                 start + i].id} for i, option in enumerate(chunk)]}
        out.append(Outgoing(card=_card(
            "vote_interaction", _short(q.prompt.get(lang), TITLE_CHARS),
            desc=plain(t("form.header", lang, round=s.round_title, n=s.number, total=s.total)),
            checkbox=box, submit_button={"text": _short(plain(label), MAX_BUTTON_TEXT),
                                         "key": submit})))
    return out


def _option_id(k: str) -> str:
    return k.encode("utf-8")[:MAX_OPTION_ID].decode("utf-8", errors="ignore")


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
        label = t(f"wecom.word.{word}", lang)
        action = Action.BACK if word == "back" else Action.SKIP_QUESTION
        pairs.append((label, key(label, action, d, q.id)))
    if s.answered and q.type not in {QuestionType.MULTI_CHOICE, QuestionType.ATTACHMENT}:
        label = t("wecom.card.keep", lang)
        pairs.append((label, key(label, Action.KEEP_ANSWER, d, q.id)))
    if s.editing:
        label = t("wecom.card.to_review", lang)
        pairs.append((label, key(label, Action.TO_REVIEW, d)))
    return pairs


# -- the review, the edit menu, the rounds ----------------------------------------------

def _review(s: ReviewScreen, lang: str, zone: dt.tzinfo, now: dt.datetime) -> list[Outgoing]:
    d = s.draft_id
    labels = [t("wecom.card.submit", lang), t("wecom.card.edit", lang),
              t("wecom.card.later", lang)]
    actions = [Action.SUBMIT, Action.EDIT_MENU, Action.LATER]
    pairs = [(label, key(label, action, d)) for label, action in zip(labels, actions, strict=True)]
    card = _card("button_interaction", t("wecom.card.review", lang), button_list=_buttons(pairs))
    return [Outgoing(text=plain("\n".join(review_lines(s, lang, zone, now)))), Outgoing(card=card)]


def _edit_menu(s: EditMenu, lang: str) -> list[Outgoing]:
    d = s.draft_id
    items = [(f"{i}. {q.prompt.get(lang)}", key(f"{i}. {q.prompt.get(lang)}",
                                                Action.EDIT_QUESTION, d, q.id,
                                                limit=MAX_OPTION_ID))
             for i, q in enumerate(s.questions, 1)]
    back = t("wecom.card.to_review", lang)
    out = [Outgoing(text=plain("\n".join([t("form.edit_which", lang)]
                                         + [label for label, _ in items])))]
    for start in range(0, len(items), MAX_TICKS):
        box = {"question_key": "edit", "mode": 0, "option_list": [
            {"id": _option_id(k), "text": _short(label, 17), "is_checked": i == 0}
            for i, (label, k) in enumerate(items[start:start + MAX_TICKS])]}
        out.append(Outgoing(card=_card(
            "vote_interaction", t("form.edit_which", lang), checkbox=box,
            submit_button={"text": t("wecom.card.edit_this", lang), "key": PICK})))
    out.append(Outgoing(card=_card("button_interaction", t("wecom.card.or_back", lang),
                                   button_list=_buttons([(back, key(back, Action.TO_REVIEW,
                                                                    d))]))))
    return out


def _round_choice(s: RoundChoice, lang: str, zone: dt.tzinfo) -> list[Outgoing]:
    action = Action.AMEND_ROUND if s.amend else Action.FILL_ROUND
    labels = [round_label(option, lang, zone) for option in s.options]
    intro = t("form.choose_amend" if s.amend else "form.choose_round", lang)
    box = {"question_key": "round", "mode": 0, "option_list": [
        {"id": _option_id(key(label, action, option.code, option.campaign_id,
                              limit=MAX_OPTION_ID)),
         "text": _short(label, 17), "is_checked": i == 0}
        for i, (label, option) in enumerate(zip(labels, s.options, strict=True))][:MAX_TICKS]}
    return [Outgoing(text=plain("\n".join([intro, *labels]))),
            Outgoing(card=_card("vote_interaction", t("wecom.card.round", lang), checkbox=box,
                                submit_button={"text": t("wecom.card.confirm", lang),
                                               "key": PICK}))]


def channel_card(said: str, lang: str) -> dict[str, Any]:
    """Telegram or WeCom, for what the bot sends on its own."""
    labels = [(t(f"channel.{name}", lang), name) for name in ("telegram", "wecom")]
    return _card("button_interaction", t("menu.channel", lang), text=plain(said),
                 button_list=_buttons([(label, key(label, Action.CHANNEL, name))
                                       for label, name in labels]))


def round_card(action: Action, rounds: list[tuple[str, str, int]], lang: str) -> dict[str, Any]:
    """The rounds to choose from for the province (title, code, campaign), 20 at most."""
    box = {"question_key": "round", "mode": 0, "option_list": [
        {"id": _option_id(key(title, action, code, campaign, limit=MAX_OPTION_ID)),
         "text": _short(title, 17), "is_checked": i == 0}
        for i, (title, code, campaign) in enumerate(rounds[:MAX_TICKS])]}
    return _card("vote_interaction", t("wecom.card.round", lang), checkbox=box,
                 submit_button={"text": t("wecom.card.confirm", lang), "key": PICK})
