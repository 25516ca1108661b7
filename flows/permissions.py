"""Who may do what: every command and every button's action, with the roles that may use
it. The guard enforces this table, so no handler checks a role; the command menus, `/help`,
docs/permissions.md and the permission tests are all derived from it.

`python -m flows.permissions` prints docs/permissions.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Role
from texts.buttons import Action

CONTACT, COORDINATOR, ADMIN = Role.CONTACT, Role.COORDINATOR, Role.ADMIN
EVERYONE = frozenset(Role)
PROVINCE = frozenset({COORDINATOR, ADMIN})
REPORTERS = frozenset({CONTACT})
ADMINS = frozenset({ADMIN})

NOT_ALLOWED = "guard.not_allowed"
CONTACTS_ONLY = "form.contacts_only"
STALE = "form.stale_button"


@dataclass(frozen=True)
class Command:
    name: str
    roles: frozenset[Role]
    menu: frozenset[Role] = frozenset()  # whose command menu lists it (a subset of roles)
    refusal: str = NOT_ALLOWED  # the catalog key a refused person reads
    wecom: bool = False  # an entry of the WeCom app's menu (one menu for every member)


# In menu order: each role's menu is these, in this order, filtered by `menu`.
COMMANDS: tuple[Command, ...] = (
    Command("start", EVERYONE),
    Command("report", REPORTERS, REPORTERS, CONTACTS_ONLY, wecom=True),
    Command("progress", PROVINCE, PROVINCE, wecom=True),
    Command("digest", PROVINCE, PROVINCE, wecom=True),
    Command("remind", PROVINCE, PROVINCE, wecom=True),
    Command("files", PROVINCE, PROVINCE, wecom=True),
    Command("broadcast", ADMINS, ADMINS),
    Command("contacts", ADMINS, ADMINS),
    Command("status", EVERYONE, REPORTERS, wecom=True),
    Command("deadlines", EVERYONE, EVERYONE, wecom=True),
    Command("cancel", EVERYONE, REPORTERS, wecom=True),
    Command("language", EVERYONE, EVERYONE, wecom=True),
    Command("channel", EVERYONE, EVERYONE, wecom=True),
    Command("whoami", EVERYONE, EVERYONE, wecom=True),
    Command("help", EVERYONE, EVERYONE),
)
BY_NAME = {command.name: command for command in COMMANDS}

_FORM = {Action.ANSWER_CHOICE, Action.ANSWER_YES_NO, Action.TOGGLE_OPTION,
         Action.QUESTION_DONE, Action.SKIP_QUESTION, Action.BACK, Action.KEEP_ANSWER,
         Action.SAME_AS_LAST_ROUND, Action.USE_SUGGESTED, Action.SUBMIT, Action.EDIT_MENU,
         Action.EDIT_QUESTION, Action.LATER, Action.TO_REVIEW, Action.FILL_ROUND,
         Action.AMEND_ROUND}
_PROVINCE = {Action.DIGEST_ROUND, Action.PROGRESS_ROUND, Action.FILES_ROUND, Action.REMIND_ROUND,
             Action.OPEN_REPORT, Action.RETURN_REPORT, Action.ACCEPT_REPORT,
             Action.RETURN_CHECKED, Action.RETURN_CONFIRM, Action.RETURN_CANCEL}
_ADMIN = {a for a in Action if a.value.startswith(("bc:", "ct:"))}
ACTIONS: dict[Action, frozenset[Role]] = {
    **dict.fromkeys(_FORM, REPORTERS),
    **dict.fromkeys(_PROVINCE, PROVINCE),
    **dict.fromkeys(_ADMIN, ADMINS),
    Action.LANGUAGE: EVERYONE,
    Action.CHANNEL: EVERYONE,
}
assert set(ACTIONS) == set(Action), "every button's action needs its roles"


def command_refusal(name: str, role: Role) -> str | None:
    """The catalog key to answer with if `role` may not use `/name`; None if it may (or
    if it is no command of ours: the plain-message handlers answer those)."""
    command = BY_NAME.get(name)
    if command is None or role in command.roles:
        return None
    return command.refusal


def action_refusal(action: Action, role: Role) -> str | None:
    """The catalog key to answer a tap with if `role` may not use `action`."""
    if role in ACTIONS[action]:
        return None
    return STALE if action in _FORM else NOT_ALLOWED


def wecom_menu() -> list[str]:
    """The commands the WeCom app's menu offers (to every member; refused as above)."""
    return [c.name for c in COMMANDS if c.wecom]


# The buttons WeCom's cards carry: the form's, the channel, a round for progress or digest.
WECOM_ACTIONS = _FORM | {Action.CHANNEL, Action.LANGUAGE, Action.PROGRESS_ROUND,
                         Action.DIGEST_ROUND, Action.REMIND_ROUND, Action.FILES_ROUND,
                         Action.OPEN_REPORT,
                         Action.ACCEPT_REPORT, Action.RETURN_REPORT, Action.RETURN_CHECKED,
                         Action.RETURN_CONFIRM, Action.RETURN_CANCEL}


def menu(role: Role) -> list[str]:
    """The commands `role`'s menu lists, in order."""
    return [c.name for c in COMMANDS if role in c.menu]


def table_markdown() -> str:
    """docs/permissions.md."""
    roles = list(Role)
    mark = {True: "✅", False: "—"}
    head = "| | " + " | ".join(f"`{r.value}`" for r in roles) + " | WeCom |\n|---|" + \
        "---|" * (len(roles) + 1) + "\n"
    commands = "".join(f"| `/{c.name}` | " + " | ".join(mark[r in c.roles] for r in roles)
                       + f" | {'menu' if c.wecom else '—'} |\n" for c in COMMANDS)
    actions = "".join(f"| button: {a.name.lower().replace('_', ' ')} (`{a.value}`) | "
                      + " | ".join(mark[r in ACTIONS[a]] for r in roles)
                      + f" | {'card' if a in WECOM_ACTIONS else '—'} |\n" for a in Action)
    return f"""# Who may do what

Generated from `flows/permissions.py` by `python -m flows.permissions`; the guard
enforces that table, and `tests/test_permissions.py` checks the running bot against it.
✅ allowed; — refused with a message that reveals nothing. Someone who has not joined may
use `/start` and `/help` only. A contact's form buttons work only on their own unit's
draft, and a broadcast's buttons only for the admin writing it.

Both channels follow this one table. On Telegram every command is a command and every
button an inline button. On WeCom (企业微信) the commands marked *menu* are entries of the
app's menu (also typed, as `/report` or `/progress r1`), the buttons marked *card* are on
template cards, and the rest is on Telegram (and the command line) only for now; a member
who has not joined can only send an invite code. What the bot sends on its own
(reminders, notices, digests with their files, broadcasts) reaches each person on the
channel they use.

{head}{commands}{actions}"""


if __name__ == "__main__":
    print(table_markdown(), end="")
