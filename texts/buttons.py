"""One codec for every button the bot issues: `encode` writes its `callback_data`,
`decode` reads it back, and anything `encode` could not have produced is refused.

Telegram returns `callback_data` as the client sends it, so a forged tap can carry any
64 bytes: `²` where a digit belongs, a 30-digit id, an unknown code. The guard decodes
every tap here first; a handler only ever sees a `Pressed` with typed arguments.

Wire format: the action's prefix, then its arguments, separated by `:`, for example
`f:c:12:launch_form:online` (a choice on question `launch_form` of draft 12).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, StrEnum

MAX_BYTES = 64  # Telegram's limit on callback_data
LARGEST_ID = 2**63 - 1  # a database key: BIGINT at most
_DIGITS = re.compile(r"[0-9]{1,19}")
_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


class Arg(Enum):
    ID = "id"  # a database key: ASCII digits, 1 to 2**63 - 1
    CODE = "code"  # a campaign code (unit, round, question, option, role, language)
    BIT = "bit"  # 0 or 1
    # A campaign's database key, last: a round's code is its campaign's. Absent on buttons
    # made before the bot served several campaigns (the round is then found by its code).
    CAMPAIGN = "campaign"


class Action(StrEnum):
    """Every button the bot issues; the value is its prefix on the wire."""

    # the report form: a question's buttons (draft, question[, option])
    ANSWER_CHOICE = "f:c"
    ANSWER_YES_NO = "f:y"
    TOGGLE_OPTION = "f:t"
    QUESTION_DONE = "f:d"
    SKIP_QUESTION = "f:s"
    BACK = "f:b"
    KEEP_ANSWER = "f:k"
    SAME_AS_LAST_ROUND = "f:p"
    USE_SUGGESTED = "f:w"  # a figure found in the unit's Word file
    # the review (draft[, question])
    SUBMIT = "rv:s"
    EDIT_MENU = "rv:e"
    EDIT_QUESTION = "rv:q"
    LATER = "rv:l"
    TO_REVIEW = "rv:v"
    # choosing a round (round)
    FILL_ROUND = "rd"
    AMEND_ROUND = "ra"
    DIGEST_ROUND = "dg"
    PROGRESS_ROUND = "pg"
    FILES_ROUND = "fl"
    REMIND_ROUND = "rm"
    # reviewing a report (submission)
    OPEN_REPORT = "op"
    RETURN_REPORT = "rt"
    ACCEPT_REPORT = "ac"
    RETURN_CHECKED = "rc"  # propose the return worded from the report's check items
    RETURN_CONFIRM = "rk"  # confirm that return
    RETURN_CANCEL = "rx"  # no longer asked for the reason
    # people (unit, or person)
    CONTACTS_OF_UNIT = "ct:u"
    DEACTIVATE_PERSON = "ct:d"
    REINVITE_PERSON = "ct:i"
    # the broadcast being written (broadcast[, code])
    BROADCAST_CANCEL = "bc:cancel"
    BROADCAST_ALL = "bc:all"
    BROADCAST_ROLES = "bc:roles"
    BROADCAST_UNITS = "bc:units"
    BROADCAST_ROUNDS = "bc:rounds"
    BROADCAST_ROLE = "bc:role"
    BROADCAST_UNIT = "bc:unit"
    BROADCAST_MISSING = "bc:missing"
    BROADCAST_UNITS_DONE = "bc:units_done"
    BROADCAST_SEND = "bc:send"
    # the language (language code)
    LANGUAGE = "lang"
    # the channel that gets reminders (telegram or wecom)
    CHANNEL = "ch"


_FORM = (Arg.ID, Arg.CODE)
ARGS: dict[Action, tuple[Arg, ...]] = {
    Action.ANSWER_CHOICE: (*_FORM, Arg.CODE),
    Action.ANSWER_YES_NO: (*_FORM, Arg.BIT),
    Action.TOGGLE_OPTION: (*_FORM, Arg.CODE),
    Action.QUESTION_DONE: _FORM,
    Action.SKIP_QUESTION: _FORM,
    Action.BACK: _FORM,
    Action.KEEP_ANSWER: _FORM,
    Action.SAME_AS_LAST_ROUND: _FORM,
    Action.USE_SUGGESTED: _FORM,
    Action.SUBMIT: (Arg.ID,),
    Action.EDIT_MENU: (Arg.ID,),
    Action.EDIT_QUESTION: (Arg.ID, Arg.CODE),
    Action.LATER: (Arg.ID,),
    Action.TO_REVIEW: (Arg.ID,),
    Action.FILL_ROUND: (Arg.CODE, Arg.CAMPAIGN),
    Action.AMEND_ROUND: (Arg.CODE, Arg.CAMPAIGN),
    Action.DIGEST_ROUND: (Arg.CODE, Arg.CAMPAIGN),
    Action.PROGRESS_ROUND: (Arg.CODE, Arg.CAMPAIGN),
    Action.FILES_ROUND: (Arg.CODE, Arg.CAMPAIGN),
    Action.REMIND_ROUND: (Arg.CODE, Arg.CAMPAIGN),
    Action.OPEN_REPORT: (Arg.ID,),
    Action.RETURN_REPORT: (Arg.ID,),
    Action.ACCEPT_REPORT: (Arg.ID,),
    Action.RETURN_CHECKED: (Arg.ID,),
    Action.RETURN_CONFIRM: (Arg.ID,),
    Action.RETURN_CANCEL: (Arg.ID,),
    Action.CONTACTS_OF_UNIT: (Arg.CODE,),
    Action.DEACTIVATE_PERSON: (Arg.ID,),
    Action.REINVITE_PERSON: (Arg.ID,),
    Action.BROADCAST_CANCEL: (Arg.ID,),
    Action.BROADCAST_ALL: (Arg.ID,),
    Action.BROADCAST_ROLES: (Arg.ID,),
    Action.BROADCAST_UNITS: (Arg.ID,),
    Action.BROADCAST_ROUNDS: (Arg.ID,),
    Action.BROADCAST_ROLE: (Arg.ID, Arg.CODE),
    Action.BROADCAST_UNIT: (Arg.ID, Arg.CODE),
    Action.BROADCAST_MISSING: (Arg.ID, Arg.CODE, Arg.CAMPAIGN),
    Action.BROADCAST_UNITS_DONE: (Arg.ID,),
    Action.BROADCAST_SEND: (Arg.ID,),
    Action.LANGUAGE: (Arg.CODE,),
    Action.CHANNEL: (Arg.CODE,),
}
_BY_WIRE = {action.value: action for action in Action}


@dataclass(frozen=True)
class Pressed:
    """A decoded tap: the action and its arguments (ints for ids and bits)."""

    action: Action
    args: tuple[int | str | None, ...]

    def id(self, i: int = 0) -> int:
        value = self.args[i]
        assert isinstance(value, int)
        return value

    def code(self, i: int) -> str:
        value = self.args[i]
        assert isinstance(value, str)
        return value

    @property
    def campaign(self) -> int | None:
        """The campaign a round button is for (None: a button from before)."""
        if ARGS[self.action][-1] is not Arg.CAMPAIGN:
            return None
        value = self.args[-1]
        assert value is None or isinstance(value, int)
        return value


class ForgedButton(ValueError):
    """`callback_data` that `encode` could not have produced."""


def encode(action: Action, *args: int | str | None) -> str:
    """The `callback_data` of a button; arguments `decode` would refuse are a programming
    error, found where the button is made."""
    data = ":".join([action.value, *(str(a) for a in args if a is not None)])
    try:
        decode(data)
    except ForgedButton as exc:
        raise ValueError(f"cannot encode {action.name}{args}: {exc}") from None
    return data


def decode(data: str | None) -> Pressed:
    """The tap `data` stands for; `ForgedButton` for anything else."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ForgedButton("empty or too long")
    words = data.split(":")
    # The longest prefix first: "bc:units_done" is an action of two words, "rd" of one.
    length = 2 if ":".join(words[:2]) in _BY_WIRE else 1
    action = _BY_WIRE.get(":".join(words[:length]))
    if action is None:
        raise ForgedButton("unknown action")
    raw = words[length:]
    kinds = ARGS[action]
    if kinds[-1] is Arg.CAMPAIGN and len(raw) == len(kinds) - 1:
        kinds = kinds[:-1]  # a round button from before several campaigns
    if len(raw) != len(kinds):
        raise ForgedButton(f"{action.name} takes {len(kinds)} argument(s)")
    args = tuple(_arg(word, kind) for word, kind in zip(raw, kinds, strict=True))
    missing = len(ARGS[action]) - len(args)
    return Pressed(action, args + (None,) * missing)


def _arg(word: str, kind: Arg) -> int | str:
    if kind is Arg.CODE:
        if not _CODE.fullmatch(word):
            raise ForgedButton(f"{word!r} is not a code")
        return word
    if not _DIGITS.fullmatch(word):  # ASCII only: "²".isdigit() is True
        raise ForgedButton(f"{word!r} is not a number")
    value = int(word)
    if kind is Arg.BIT and value not in (0, 1):
        raise ForgedButton(f"{word!r} is not 0 or 1")
    if kind in (Arg.ID, Arg.CAMPAIGN) and not 1 <= value <= LARGEST_ID:
        raise ForgedButton(f"{word!r} is out of range")
    return value
