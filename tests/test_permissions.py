"""Who may do what: every command and every button, for each kind of user, against the
design written out below; the roles table (flows/permissions.py) that the guard enforces
must say the same, and docs/permissions.md must be what it generates."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.permissions import ACTIONS, action_refusal, command_refusal, table_markdown
from flows.services import Services
from standin.server import SentMessage, StandinServer
from standin.users import SimulatedUser
from storage import models as m
from tests.people import joined, submit_report
from texts.buttons import Action

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
REFUSALS = {
    "您尚未加入。请打开省商务厅发给您的邀请链接，或发送 /start 查看加入方法。",
    "您没有使用此功能的权限。",
    "填报功能仅供各报送单位的联络员使用。",
    "这个按钮已失效，请发送 /report 继续。",
}
COMMANDS = ["start", "help", "report", "status", "deadlines", "cancel", "language",
            "channel", "whoami", "progress", "digest", "files", "remind", "broadcast", "contacts"]
KINDS = ["unbound", "contact_a", "contact_b", "coordinator", "admin"]
Y, N = "allowed", "refused"
# The design: what each kind of user may do (a contact of unit B may not touch A's draft).
EXPECTED_COMMANDS = {
    "unbound": {c: (Y if c in ("start", "help") else N) for c in COMMANDS},
    "contact_a": {c: (N if c in ("progress", "digest", "files", "remind", "broadcast",
                                 "contacts") else Y) for c in COMMANDS},
    "coordinator": {c: (N if c in ("report", "broadcast", "contacts") else Y)
                    for c in COMMANDS},
    "admin": {c: (N if c == "report" else Y) for c in COMMANDS},
}
EXPECTED_COMMANDS["contact_b"] = dict(EXPECTED_COMMANDS["contact_a"])
BUTTONS = ["answer A's question", "submit A's draft", "fill round", "amend round",
           "digest button", "progress button", "files button", "return A's report",
           "accept A's report", "open A's report", "return A's report with its checks",
           "confirm A's checked return", "cancel A's return",
           "remind button",
           "broadcast audience", "contacts unit", "language", "channel"]
EXPECTED_BUTTONS = {
    "unbound": {b: N for b in BUTTONS},
    "contact_a": {b: (Y if b in ("answer A's question", "submit A's draft", "fill round",
                                 "amend round", "language", "channel") else N)
                  for b in BUTTONS},
    "contact_b": {b: (Y if b in ("fill round", "amend round", "language", "channel") else N)
                  for b in BUTTONS},
    "coordinator": {b: (Y if b in ("digest button", "progress button", "files button",
                                   "return A's report", "accept A's report", "open A's report",
                                   "return A's report with its checks",
                                   "confirm A's checked return", "cancel A's return",
                                   "remind button", "language", "channel") else N)
                    for b in BUTTONS},
    "admin": {b: (N if b in ("answer A's question", "submit A's draft", "fill round",
                             "amend round") else Y) for b in BUTTONS},
}


# Each button above as the action it carries.
BUTTON_ACTIONS = {"answer A's question": Action.ANSWER_CHOICE, "submit A's draft": Action.SUBMIT,
                  "fill round": Action.FILL_ROUND, "amend round": Action.AMEND_ROUND,
                  "digest button": Action.DIGEST_ROUND, "progress button": Action.PROGRESS_ROUND,
                  "files button": Action.FILES_ROUND,
                  "return A's report": Action.RETURN_REPORT,
                  "accept A's report": Action.ACCEPT_REPORT, "remind button": Action.REMIND_ROUND,
                  "open A's report": Action.OPEN_REPORT,
                  "return A's report with its checks": Action.RETURN_CHECKED,
                  "confirm A's checked return": Action.RETURN_CONFIRM,
                  "cancel A's return": Action.RETURN_CANCEL,
                  "broadcast audience": Action.BROADCAST_ROLES,
                  "contacts unit": Action.CONTACTS_OF_UNIT, "language": Action.LANGUAGE,
                  "channel": Action.CHANNEL}
ROLE_OF = {"contact_a": m.Role.CONTACT, "coordinator": m.Role.COORDINATOR,
           "admin": m.Role.ADMIN}


@pytest.mark.parametrize("kind", list(ROLE_OF))
@pytest.mark.parametrize("command", COMMANDS)
def test_the_roles_table_gives_each_command_as_designed(kind: str, command: str) -> None:
    allowed = command_refusal(command, ROLE_OF[kind]) is None
    assert allowed == (EXPECTED_COMMANDS[kind][command] == Y)


@pytest.mark.parametrize("kind", list(ROLE_OF))
@pytest.mark.parametrize("button", BUTTONS)
def test_the_roles_table_gives_each_button_as_designed(kind: str, button: str) -> None:
    allowed = action_refusal(BUTTON_ACTIONS[button], ROLE_OF[kind]) is None
    assert allowed == (EXPECTED_BUTTONS[kind][button] == Y)


@pytest.mark.parametrize("action", list(Action))
def test_every_action_of_one_kind_has_the_roles_of_its_kind(action: Action) -> None:
    """The buttons of one area share their roles: a form button is a reporter's, a
    broadcast's an admin's, whatever the design table above tried."""
    family = action.value.split(":")[0]
    peers = {ACTIONS[a] for a in Action if a.value.split(":")[0] == family}
    assert len(peers) == 1


def test_docs_permissions_is_what_the_table_generates() -> None:
    assert DOC.read_text(encoding="utf-8") == table_markdown(), \
        "run: .venv/bin/python -m flows.permissions > docs/permissions.md"


@pytest.fixture
def overrides() -> dict[str, object]:
    return {"send_rate": 500}


async def outcome(user: SimulatedUser, standin: StandinServer, act) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Do something as `user`; allowed or refused, and what they were told (new messages,
    edited messages and button alerts), once the bot has gone quiet."""
    user.mark_read()
    answers_before = set(standin.callback_answers)
    edits_before = {id(m_): m_.edits for m_ in user.messages}

    def state() -> tuple[int, int, int]:
        return (len(user.unread()), sum(m_.edits for m_ in user.messages),
                len(standin.callback_answers))

    await act()
    loop = asyncio.get_running_loop()
    # Most answers come within a second; a loaded machine (CI runs both databases) can
    # take longer, and an answer that came too late would be read as a refusal.
    last, quiet_since, end = state(), loop.time(), loop.time() + 30
    while loop.time() < end:
        await asyncio.sleep(0.05)
        now = state()
        if now != last:
            last, quiet_since = now, loop.time()
        elif loop.time() - quiet_since > 0.5 and (now[0] or now[1] > 0 or now[2]):
            break  # something was said, and nothing more for half a second
    said = [m_.text for m_ in user.unread()]
    said += [m_.text for m_ in user.messages if m_.edits > edits_before.get(id(m_), m_.edits)]
    alerts = [standin.callback_answers[k].get("text") or ""
              for k in set(standin.callback_answers) - answers_before]
    told = [s for s in said + alerts if s]
    refused = bool(told) and all(s in REFUSALS for s in told)
    return (N if refused or not told else Y), (told[0] if told else "")


@pytest.mark.parametrize("kind", KINDS)
async def test_every_command_and_button_through_the_bot(
    running_app, standin: StandinServer, kind: str
) -> None:
    """End to end, one kind of user at a time: each command and each button (real ones,
    and A's buttons forged in another chat) through the stand-in, against the design."""
    services: Services = running_app.bot_data["services"]
    people = {
        "unbound": standin.user("路人"),
        "contact_a": await joined(standin, services, "dalian", "大连联系人"),
        "contact_b": await joined(standin, services, "anshan", "鞍山联系人"),
        "coordinator": await joined(standin, services, "province", "协调人", m.Role.COORDINATOR),
        "admin": await joined(standin, services, "province", "管理员", m.Role.ADMIN),
    }
    # Unit A has a submitted report and a draft waiting at its review; round 1 is open.
    await submit_report(people["contact_a"])
    await people["contact_a"].command("report")
    offer = await people["contact_a"].next_message()
    await people["contact_a"].press("ra:r1:1", offer)
    review: SentMessage = await people["contact_a"].next_message()
    draft_id = next(d for _, d in review.buttons if d.startswith("rv:s:")).split(":")[2]
    async with services.readers() as session:
        submission_id = await session.scalar(select(m.Submission.id))
    data = {
        "answer A's question": f"f:c:{draft_id}:launch_form:online",
        "submit A's draft": f"rv:s:{draft_id}", "fill round": "rd:r1", "amend round": "ra:r1",
        "digest button": "dg:r1", "progress button": "pg:r1", "files button": "fl:r1",
        "return A's report": f"rt:{submission_id}", "accept A's report": f"ac:{submission_id}",
        "open A's report": f"op:{submission_id}",
        "return A's report with its checks": f"rc:{submission_id}",
        "confirm A's checked return": f"rk:{submission_id}",
        "cancel A's return": f"rx:{submission_id}",
        "remind button": "rm:r1",
        "contacts unit": "ct:u:dalian",
        "language": "lang:zh",
        "channel": "ch:wecom",
    }
    user = people[kind]
    seen_commands: dict[str, str] = {}
    seen_buttons: dict[str, str] = {}
    told: dict[str, str] = {}
    for command in COMMANDS:
        if command == "cancel" and kind == "contact_a":
            seen_commands[command] = Y  # A keeps its draft open for the buttons below
            continue
        seen_commands[command], told[command] = await outcome(
            user, standin, lambda c=command: user.command(c))
    # A notice being written, for the audience button: the admin's own /broadcast above,
    # or one the admin starts now.
    admin = people["admin"]
    if kind != "admin":
        await admin.command("broadcast")
    await admin.read_all()
    await admin.send("通知")
    while "发送给谁" not in (await admin.next_message()).text:
        pass
    async with services.readers() as session:
        broadcast_id = await session.scalar(select(m.Broadcast.id).order_by(
            m.Broadcast.id.desc()).limit(1))
    data["broadcast audience"] = f"bc:roles:{broadcast_id}"
    # A's own submit goes last, so that A's draft is there for every other button.
    for name in sorted(BUTTONS, key=lambda b: b == "submit A's draft"):
        seen_buttons[name], told[name] = await outcome(
            user, standin, lambda d=data[name]: user.press_data(d, own_message(user)))
    assert seen_commands == EXPECTED_COMMANDS[kind]
    assert seen_buttons == EXPECTED_BUTTONS[kind], {b: told[b] for b in BUTTONS}
    assert not [t_ for t_ in told.values() if "出了点问题" in t_]  # no error anywhere
    for what, text in told.items():  # a refusal reveals nothing
        if {**EXPECTED_COMMANDS[kind], **EXPECTED_BUTTONS[kind]}[what] == N:
            assert text in REFUSALS or text == "", (what, text)
    async with services.readers() as session:
        versions = list(await session.scalars(select(m.Submission.version)))
    assert versions == ([1, 2] if kind == "contact_a" else [1])  # only A submits A's draft


def own_message(user: SimulatedUser) -> SentMessage:
    """A message in the user's own chat to press a (forged) button on."""
    return user.messages[-1]
