"""The real PTB Application over HTTP to the stand-in: it answers /start and /help, and a
user who has not joined is told how to join and shown nothing else."""

from __future__ import annotations

from flows.services import Services
from standin.server import StandinServer


async def test_start_greets_a_new_user_and_explains_how_to_join(
    running_bot: Services, standin: StandinServer
) -> None:
    alice = standin.user("Alice")
    await alice.command("start")
    reply = await alice.next_message()
    assert "2021 辽宁网上年货节" in reply.text
    assert "邀请链接" in reply.text
    assert "<b>" in reply.html  # sent as HTML and accepted by the stand-in


async def test_help_for_a_user_who_has_not_joined(
    running_bot: Services, standin: StandinServer
) -> None:
    bob = standin.user("Bob")
    await bob.command("help")
    reply = await bob.next_message()
    assert "加入方法" in reply.text
    assert "/report" not in reply.text


async def test_english_users_are_answered_in_english(
    running_bot: Services, standin: StandinServer
) -> None:
    carol = standin.user("Carol", language_code="en")
    await carol.command("help")
    reply = await carol.next_message()
    assert "To join, open the invite link" in reply.text


async def test_a_user_who_has_not_joined_gets_nothing_from_other_commands(
    running_bot: Services, standin: StandinServer
) -> None:
    eve = standin.user("Eve")
    for command in ("report", "status", "progress", "digest", "broadcast"):
        await eve.command(command)
        reply = await eve.next_message()
        assert "您尚未加入" in reply.text
    await eve.send("你好")
    assert "您尚未加入" in (await eve.next_message()).text


async def test_the_default_menu_is_set_at_start_up(
    running_bot: Services, standin: StandinServer
) -> None:
    assert [c["command"] for c in standin.commands["default"]] == ["start", "help"]
