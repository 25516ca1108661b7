"""People change jobs: an admin deactivates, moves or re-invites; a deactivated contact is
refused at once and their reports stay in the digest."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from flows.services import Services
from standin.server import StandinServer
from storage import models as m
from storage.contacts import KnownPeople, deactivate, move
from storage.digest_data import load_digest
from tests.people import joined, submit_report


async def test_a_deactivated_contact_is_refused_at_once_and_their_report_stays(
    running_bot: Services, standin: StandinServer
) -> None:
    leaving = await joined(standin, running_bot, "dalian", "王五")
    await submit_report(leaving)
    admin = await joined(standin, running_bot, "province", "管理员", m.Role.ADMIN)
    await admin.command("contacts", "dalian")
    listing = await admin.next_message()
    assert "王五" in listing.text and "在用" in listing.text
    await admin.press("停用 王五", listing)
    assert "已停用 王五" in (await admin.next_message()).text
    leaving.mark_read()
    await leaving.command("report")
    assert "您尚未加入" in (await leaving.next_message()).text
    async with running_bot.readers() as session:
        digest = await load_digest(session, running_bot.campaign, running_bot.campaign_id,
                                   "r1", running_bot.clock.now())
    assert "dalian" in digest.submissions


async def test_an_admin_reissues_an_invite_that_works(
    running_bot: Services, standin: StandinServer
) -> None:
    person = await joined(standin, running_bot, "anshan", "赵六")
    admin = await joined(standin, running_bot, "province", "管理员", m.Role.ADMIN)
    await admin.command("contacts", "anshan")
    await admin.press("重发邀请给 赵六", await admin.next_message())
    invite = await admin.next_message()
    code = invite.text.rsplit("start=", 1)[1]
    newcomer = standin.user("赵六新手机")
    await newcomer.command("start", code)
    assert "鞍山市商务局" in (await newcomer.next_message()).text
    del person


async def test_contacts_from_the_command_line(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    from tests.processes import run_cli

    async with services.transaction() as session:
        unit = await session.scalar(select(m.Unit).where(m.Unit.code == "benxi"))
        assert unit is not None
        person = m.Person(name="孙七", phone="13800000007", unit_id=unit.id,
                           created_at=services.clock.now())
        session.add(person)
    env = {"DATABASE_URL": database_url}
    code, out, _ = await run_cli(tmp_path, "contacts", "list", "benxi", **env)
    assert code == 0 and f"#{person.id} 本溪 孙七（联络员，13800000007）在用，仅在名单中" in out
    code, out, _ = await run_cli(tmp_path, "contacts", "move", str(person.id), "liaoyang", **env)
    assert code == 0 and "已将 孙七 调到 辽阳市商务局" in out
    code, out, _ = await run_cli(tmp_path, "contacts", "reinvite", str(person.id), **env)
    assert code == 0 and "https://t.me/" in out
    code, out, _ = await run_cli(tmp_path, "contacts", "deactivate", str(person.id), **env)
    assert code == 0 and "已停用 孙七" in out
    code, _, err = await run_cli(tmp_path, "contacts", "move", str(person.id), "province", **env)
    assert code == 1 and "无法调到“province”" in err
    code, _, err = await run_cli(tmp_path, "contacts", "deactivate", "99999", **env)
    assert code == 1 and "没有编号为 99999 的人员" in err


async def test_the_guards_remembered_contact_follows_every_change_at_once(
    services: Services, database_url: str
) -> None:
    """The guard keeps its snapshots between updates, but each update reads the row: a move
    or a deactivation made elsewhere (here another process's engine) counts at once."""
    known = KnownPeople()
    async with services.transaction() as session:
        units = {u.code: u for u in await session.scalars(select(m.Unit))}
        person = m.Person(name="周八", telegram_user_id=4242, chat_id=4242,
                           unit_id=units["dalian"].id, created_at=services.clock.now())
        session.add(person)
    async with services.reading() as connection:
        first = await known.lookup(connection, 4242)
        again = await known.lookup(connection, 4242)
    assert first is not None and first.unit.code == "dalian"
    assert again is first  # nothing changed: the same snapshot
    elsewhere = Services.create(services.settings, clock=services.clock)
    await elsewhere.attach()
    async with elsewhere.transaction() as session:
        await move(session, person.id, units["anshan"])
    async with services.reading() as connection:
        moved = await known.lookup(connection, 4242)
    assert moved is not None and moved.unit.code == "anshan"
    async with elsewhere.transaction() as session:
        await deactivate(session, person.id)
    await elsewhere.close()
    async with services.reading() as connection:
        assert await known.lookup(connection, 4242) is None
