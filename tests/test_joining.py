"""Joining by invite or by the roster's phone number, and every refused join."""

from __future__ import annotations

from sqlalchemy import select, update

from flows.services import Services
from reporting.clock import FakeClock
from standin.server import StandinServer
from storage import models as m
from storage.joining import roster_phone, telegram_phone
from tests.people import add_to_roster, invite_code, joined


async def contact_of(services: Services, user_id: int) -> m.Person | None:
    async with services.sessions() as session:
        return await session.scalar(select(m.Person).where(m.Person.telegram_user_id == user_id))


async def test_an_invite_binds_the_user_greets_them_and_sets_their_menu(
    running_bot: Services, standin: StandinServer
) -> None:
    user = standin.user("李娜")
    await user.command("start", await invite_code(running_bot, "dalian"))
    welcome = await user.next_message()
    assert "李娜，欢迎！您已作为大连市商务局的联络员加入。" in welcome.text
    assert "第一次阶段性活动情况：1月29日（周五）18:00 截止" in welcome.text
    contact = await contact_of(running_bot, user.id)
    assert contact is not None and contact.unit.code == "dalian" and contact.role == "contact"
    menu = [c["command"] for c in standin.commands[f"chat:{user.id}"]]
    assert menu[:3] == ["report", "status", "deadlines"]


async def test_a_coordinator_joins_with_a_province_invite(
    running_bot: Services, standin: StandinServer
) -> None:
    user = await joined(standin, running_bot, "province", "杜四龙", m.Role.COORDINATOR)
    contact = await contact_of(running_bot, user.id)
    assert contact is not None and contact.role == "coordinator"
    assert "report" not in [c["command"] for c in standin.commands[f"chat:{user.id}"]]


async def test_an_invite_used_twice_is_refused_the_second_time(
    running_bot: Services, standin: StandinServer
) -> None:
    code = await invite_code(running_bot, "anshan")
    first, second = standin.user("甲"), standin.user("乙")
    await first.command("start", code)
    assert "欢迎" in (await first.next_message()).text
    await second.command("start", code)
    assert "已被使用过" in (await second.next_message()).text
    assert await contact_of(running_bot, second.id) is None


async def test_an_expired_or_unknown_invite_binds_nothing(
    running_bot: Services, standin: StandinServer, clock: FakeClock
) -> None:
    import datetime as dt

    code = await invite_code(running_bot, "benxi", days=1)
    clock.advance(dt.timedelta(days=2))
    user = standin.user("王五")
    await user.command("start", code)
    assert "已过期" in (await user.next_message()).text
    await user.command("start", "no-such-code")
    assert "邀请码无效" in (await user.next_message()).text
    assert await contact_of(running_bot, user.id) is None
    await user.command("status")
    assert "您尚未加入" in (await user.next_message()).text


async def test_sharing_ones_own_phone_on_the_roster_binds(
    running_bot: Services, standin: StandinServer
) -> None:
    await add_to_roster(running_bot, "jinzhou", "138-0416-1234", "赵敏")
    user = standin.user("Zhao")
    await user.command("start")
    hello, offer = await user.next_message(), await user.next_message()
    assert "邀请链接" in hello.text
    assert offer.keyboard[0]["request_contact"] is True
    await user.share_contact("+86 138 0416 1234")
    welcome = await user.next_message()
    assert "赵敏，欢迎！您已作为锦州市商务局的联络员加入。" in welcome.text


async def test_someone_elses_contact_card_is_refused(
    running_bot: Services, standin: StandinServer
) -> None:
    await add_to_roster(running_bot, "jinzhou", "13804161234", "赵敏")
    user = standin.user("Mallory")
    await user.share_contact("13804161234", user_id=user.id + 1)
    assert "只能分享您本人的手机号" in (await user.next_message()).text
    assert await contact_of(running_bot, user.id) is None


async def test_a_phone_not_on_the_roster_binds_nothing(
    running_bot: Services, standin: StandinServer
) -> None:
    user = standin.user("Nobody")
    await user.share_contact("13900000000")
    assert "名单中没有找到这个手机号" in (await user.next_message()).text
    assert await contact_of(running_bot, user.id) is None


def test_phone_numbers_are_compared_in_full_e164() -> None:
    assert roster_phone("+86 138-0416-1234") == "+8613804161234"
    assert roster_phone("0086 13804161234") == "+8613804161234"
    assert roster_phone("8613804161234") == "+8613804161234"
    assert roster_phone("138 0416 1234") == "+8613804161234"  # no country code: +86
    assert roster_phone("024-86890383") == "+862486890383"
    assert roster_phone("+1 385 234 5678") == "+13852345678"
    assert telegram_phone("13852345678") == "+13852345678"  # Telegram's, with its country
    assert telegram_phone("+8613852345678") == "+8613852345678"


async def test_a_number_of_another_country_does_not_take_a_roster_entry(
    running_bot: Services, standin: StandinServer
) -> None:
    await add_to_roster(running_bot, "jinzhou", "138 5234 5678", "赵敏")
    stranger = standin.user("Mallory")
    await stranger.share_contact("13852345678")  # +1 385 234 5678, as Telegram sends it
    assert "名单中没有找到这个手机号" in (await stranger.next_message()).text
    assert await contact_of(running_bot, stranger.id) is None
    owner = standin.user("Zhao")
    await owner.share_contact("8613852345678")
    assert "欢迎" in (await owner.next_message()).text


async def test_a_roster_row_stored_without_a_country_code_still_matches(
    running_bot: Services, standin: StandinServer
) -> None:
    """Rosters imported before numbers were kept in full: the row says 13804161234."""
    await add_to_roster(running_bot, "jinzhou", "", "赵敏", stored_as="13804161234")
    user = standin.user("Zhao")
    await user.share_contact("+86 138 0416 1234")
    assert "欢迎" in (await user.next_message()).text


async def test_a_retired_unit_cannot_be_joined_or_reported_for(
    running_bot: Services, standin: StandinServer
) -> None:
    member = await joined(standin, running_bot, "fuxin")
    code = await invite_code(running_bot, "fuxin")
    async with running_bot.transaction() as session:
        await session.execute(update(m.Unit).where(m.Unit.code == "fuxin")
                              .values(retired_at=running_bot.clock.now()))
    newcomer = standin.user("新人")
    await newcomer.command("start", code)
    assert "已不在本次活动的报送范围内" in (await newcomer.next_message()).text
    assert await contact_of(running_bot, newcomer.id) is None
    await member.command("report")
    assert "已不在本次活动的报送范围内" in (await member.next_message()).text


async def test_a_person_named_in_admin_ids_is_an_admin_at_first_contact(
    running_bot: Services, standin: StandinServer
) -> None:
    boss = standin.user("杜四龙")
    running_bot.settings.admin_ids = frozenset({boss.id})
    await boss.command("contacts")
    reply = await boss.next_message()
    assert reply.text == "查看哪个单位的人员？"
    contact = await contact_of(running_bot, boss.id)
    assert contact is not None and contact.role == m.Role.ADMIN
    menus = [c for c in standin.sent("setMyCommands") if "scope" in c[1]]
    assert any("broadcast" in str(c[1]) for c in menus)


async def test_a_bare_invite_code_typed_alone_joins(
    running_bot: Services, standin: StandinServer
) -> None:
    code = await invite_code(running_bot, "panjin")
    user = standin.user("陈静")
    await user.send(f"  {code} ")  # pasted from a WeChat message, spaces and all
    assert "欢迎" in (await user.next_message()).text
    contact = await contact_of(running_bot, user.id)
    assert contact is not None and contact.role == m.Role.CONTACT
    await user.send(code)  # the same code again, now that they have joined: no second use
    assert "欢迎" not in (await user.next_message()).text
