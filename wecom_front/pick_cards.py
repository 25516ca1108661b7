"""WeCom cards to choose from a list: the review's 提交 / 修改 / 稍后, the question to
edit, the round to fill in or amend (or, for the province, to read), a unit's report,
the channel and the language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flows.screen_text import review_lines, round_label
from flows.screens import EditMenu, ReviewScreen, RoundChoice
from texts.buttons import Action
from texts.catalog import LANGUAGES, t
from texts.text import plain
from wecom_front.card_parts import (
    MAX_OPTION_ID,
    PICK,
    Outgoing,
    button_list,
    key,
    new_card,
    pair,
    pick_lists,
)


def buttons_card(title: str, pairs: list[tuple[str, str]], text: str = "") -> dict[str, Any]:
    """A card of buttons (按钮交互型) under `title`."""
    return new_card("button_interaction", title, text=text, button_list=button_list(pairs))


def option(label: str, action: Action, *args: int | str | None) -> tuple[str, str]:
    """An option of a list: its words, and the press it stands for (within 128 bytes)."""
    return label, key(label, action, *args, limit=MAX_OPTION_ID)


def confirm(lang: str, words: str = "wecom.card.confirm") -> tuple[str, str]:
    """A list's submit button: its press is the option ticked."""
    return t(words, lang), PICK


def review(s: ReviewScreen, lang: str, zone: dt.tzinfo, now: dt.datetime) -> list[Outgoing]:
    d = s.draft_id
    card = buttons_card(t("wecom.card.review", lang), [
        pair(t("wecom.card.submit", lang), Action.SUBMIT, d),
        pair(t("wecom.card.edit", lang), Action.EDIT_MENU, d),
        pair(t("wecom.card.later", lang), Action.LATER, d)])
    return [Outgoing(text=plain("\n".join(review_lines(s, lang, zone, now)))), Outgoing(card=card)]


def edit_menu(s: EditMenu, lang: str) -> list[Outgoing]:
    items = [option(f"{i}. {q.prompt.get(lang)}", Action.EDIT_QUESTION, s.draft_id, q.id)
             for i, q in enumerate(s.questions, 1)]
    text = "\n".join([t("form.edit_which", lang), *(label for label, _ in items)])
    lists = pick_lists(t("form.edit_which", lang), items, confirm(lang, "wecom.card.edit_this"))
    back = buttons_card(t("wecom.card.or_back", lang),
                        [pair(t("wecom.card.to_review", lang), Action.TO_REVIEW, s.draft_id)])
    return [Outgoing(text=plain(text)), *(Outgoing(card=c) for c in [*lists, back])]


def round_choice(s: RoundChoice, lang: str, zone: dt.tzinfo) -> list[Outgoing]:
    action = Action.AMEND_ROUND if s.amend else Action.FILL_ROUND
    labels = [round_label(o, lang, zone) for o in s.options]
    intro = t("form.choose_amend" if s.amend else "form.choose_round", lang)
    rounds = [(label, o.code, o.campaign_id) for label, o in zip(labels, s.options, strict=True)]
    return [Outgoing(text=plain("\n".join([intro, *labels]))),
            *(Outgoing(card=c) for c in round_cards(action, rounds, lang))]


def round_cards(action: Action, rounds: list[tuple[str, str, int]],
                lang: str) -> list[dict[str, Any]]:
    """The rounds to choose from: (words, round code, campaign)."""
    return pick_lists(t("wecom.card.round", lang),
                      [option(label, action, code, campaign) for label, code, campaign in rounds],
                      confirm(lang))


def report_cards(reports: list[tuple[str, int]], lang: str) -> list[dict[str, Any]]:
    """Units' reports to open: (words, submission)."""
    return pick_lists(t("wecom.card.open_report", lang),
                      [option(label, Action.OPEN_REPORT, s) for label, s in reports],
                      confirm(lang))


def channel_card(said: str, lang: str) -> dict[str, Any]:
    """Telegram or WeCom, for what the bot sends on its own."""
    return buttons_card(t("menu.channel", lang), [
        pair(t(f"channel.{name}", lang), Action.CHANNEL, name) for name in ("telegram", "wecom")],
        text=plain(said))


def language_card(lang: str) -> dict[str, Any]:
    """The languages of the bot's messages, each in its own words."""
    return buttons_card(t("language.choose", lang),
                        [pair(t("language.name", code), Action.LANGUAGE, code)
                         for code in LANGUAGES])
