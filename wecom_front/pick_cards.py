"""WeCom cards to choose from a list: the review's 提交 / 修改 / 稍后, the question to
edit, the round to fill in or amend (or, for the province, to read), the channel and the
language."""

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
    MAX_TICKS,
    PICK,
    Outgoing,
    button_list,
    key,
    new_card,
    option_id,
    short,
)


def review(s: ReviewScreen, lang: str, zone: dt.tzinfo, now: dt.datetime) -> list[Outgoing]:
    d = s.draft_id
    labels = [t("wecom.card.submit", lang), t("wecom.card.edit", lang),
              t("wecom.card.later", lang)]
    actions = [Action.SUBMIT, Action.EDIT_MENU, Action.LATER]
    pairs = [(label, key(label, action, d)) for label, action in zip(labels, actions, strict=True)]
    card = new_card("button_interaction", t("wecom.card.review", lang),
                    button_list=button_list(pairs))
    return [Outgoing(text=plain("\n".join(review_lines(s, lang, zone, now)))), Outgoing(card=card)]


def edit_menu(s: EditMenu, lang: str) -> list[Outgoing]:
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
            {"id": option_id(k), "text": short(label, 17), "is_checked": i == 0}
            for i, (label, k) in enumerate(items[start:start + MAX_TICKS])]}
        out.append(Outgoing(card=new_card(
            "vote_interaction", t("form.edit_which", lang), checkbox=box,
            submit_button={"text": t("wecom.card.edit_this", lang), "key": PICK})))
    out.append(Outgoing(card=new_card("button_interaction", t("wecom.card.or_back", lang),
                                   button_list=button_list([(back, key(back, Action.TO_REVIEW,
                                                                    d))]))))
    return out


def round_choice(s: RoundChoice, lang: str, zone: dt.tzinfo) -> list[Outgoing]:
    action = Action.AMEND_ROUND if s.amend else Action.FILL_ROUND
    labels = [round_label(option, lang, zone) for option in s.options]
    intro = t("form.choose_amend" if s.amend else "form.choose_round", lang)
    box = {"question_key": "round", "mode": 0, "option_list": [
        {"id": option_id(key(label, action, option.code, option.campaign_id,
                              limit=MAX_OPTION_ID)),
         "text": short(label, 17), "is_checked": i == 0}
        for i, (label, option) in enumerate(zip(labels, s.options, strict=True))][:MAX_TICKS]}
    return [Outgoing(text=plain("\n".join([intro, *labels]))),
            Outgoing(card=new_card("vote_interaction", t("wecom.card.round", lang), checkbox=box,
                                submit_button={"text": t("wecom.card.confirm", lang),
                                               "key": PICK}))]


def channel_card(said: str, lang: str) -> dict[str, Any]:
    """Telegram or WeCom, for what the bot sends on its own."""
    labels = [(t(f"channel.{name}", lang), name) for name in ("telegram", "wecom")]
    return new_card("button_interaction", t("menu.channel", lang), text=plain(said),
                 button_list=button_list([(label, key(label, Action.CHANNEL, name))
                                       for label, name in labels]))


def round_card(action: Action, rounds: list[tuple[str, str, int]],
               lang: str) -> dict[str, Any]:
    """The rounds to choose from for the province (title, code, campaign), 20 at most."""
    box = {"question_key": "round", "mode": 0, "option_list": [
        {"id": option_id(key(title, action, code, campaign, limit=MAX_OPTION_ID)),
         "text": short(title, 17), "is_checked": i == 0}
        for i, (title, code, campaign) in enumerate(rounds[:MAX_TICKS])]}
    return new_card("vote_interaction", t("wecom.card.round", lang), checkbox=box,
                 submit_button={"text": t("wecom.card.confirm", lang), "key": PICK})


def language_card(lang: str) -> dict[str, Any]:
    """The languages of the bot's messages, each in its own words."""
    pairs = [(t("language.name", code), key(t("language.name", code), Action.LANGUAGE, code))
             for code in LANGUAGES]
    return new_card("button_interaction", t("language.choose", lang),
                    button_list=button_list(pairs))
