"""The parts of the bot's WeCom cards: what a button or option carries (a press of
texts.buttons, then `|` and the words clicked), a card of a kind with a fresh task id,
and WeCom's limits on them. Used by wecom_front.cards (the form's questions) and
wecom_front.pick_cards (lists to choose from)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from texts.buttons import Action, decode, encode

PICK = "pick"  # the submit key of a card whose press is the option chosen
SEP = "|"
MAX_BUTTONS = 6  # button_list
MAX_BUTTON_TEXT = 10  # characters WeCom shows on a button
MAX_DROPDOWN = 10  # button_selection options
MAX_TICKS = 20  # checkbox options
MAX_OPTION_ID = 128  # bytes
TITLE_CHARS = 36  # main_title.title, as WeCom advises
TEXT_CHARS = 160  # sub_title_text, as WeCom advises
OPTION_TEXT = 17  # characters of an option in a list, as WeCom advises
DROPDOWN_TEXT = 16  # characters of an option in a drop-down, as WeCom advises


@dataclass(frozen=True)
class Outgoing:
    """One message: a plain text, or a template card (its `task_id` is given here)."""

    text: str | None = None
    card: dict[str, Any] | None = None


def key(label: str, action: Action, *args: int | str | None, limit: int = 1024) -> str:
    """What a button or option carries: the press, then the words shown (cut to fit)."""
    data = encode(action, *args) + SEP
    room = limit - len(data.encode("utf-8"))
    return data + label.encode("utf-8")[:room].decode("utf-8", errors="ignore")


def short(text: str, chars: int) -> str:
    """`text`, cut with … to `chars` characters (what WeCom advises for the field)."""
    return text if len(text) <= chars else text[:chars - 1] + "…"


def new_card(kind: str, title: str, text: str = "", desc: str = "",
             **parts: Any) -> dict[str, Any]:
    """A template card of `kind` under a task id never used before."""
    card: dict[str, Any] = {"card_type": kind, "task_id": f"t{secrets.token_hex(12)}",
                            "main_title": {"title": short(title, TITLE_CHARS)}}
    if desc:
        card["main_title"]["desc"] = desc
    if text:
        card["sub_title_text"] = text
    return card | parts


SECONDARY = {Action.BACK, Action.SKIP_QUESTION, Action.KEEP_ANSWER, Action.TO_REVIEW,
             Action.EDIT_MENU, Action.LATER}  # drawn plainer than the answers


def button_list(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Buttons from (words, key), six at most; answers drawn as the main ones."""
    def style(k: str) -> int:
        return 2 if k != PICK and decode(k.partition(SEP)[0]).action in SECONDARY else 1

    return [{"text": short(label, MAX_BUTTON_TEXT), "style": style(k), "key": k}
            for label, k in pairs[:MAX_BUTTONS]]


def option_id(k: str) -> str:
    return k.encode("utf-8")[:MAX_OPTION_ID].decode("utf-8", errors="ignore")


def pair(label: str, action: Action, *args: int | str | None) -> tuple[str, str]:
    """A button's words and what it carries."""
    return label, key(label, action, *args)


def pick_lists(title: str, items: list[tuple[str, str]], submit: tuple[str, str],
               desc: str = "", question_key: str = "pick",
               checked: Callable[[int], bool] = lambda i: i == 0,
               multiple: bool = False) -> list[dict[str, Any]]:
    """Lists to choose from (投票选择型), 20 options a card: `items` are (words, what the
    option carries), `submit` the button's (words, key); `checked(i)` says which option
    is ticked to begin with."""
    cards = []
    for start in range(0, len(items), MAX_TICKS):
        box = {"question_key": question_key, "mode": 1 if multiple else 0, "option_list": [
            {"id": option_id(k), "text": short(label, OPTION_TEXT),
             "is_checked": checked(start + i)}
            for i, (label, k) in enumerate(items[start:start + MAX_TICKS])]}
        cards.append(new_card("vote_interaction", title, desc=desc, checkbox=box,
                              submit_button={"text": short(submit[0], MAX_BUTTON_TEXT),
                                             "key": submit[1]}))
    return cards
