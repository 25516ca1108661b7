"""The database: migrations from empty, an idempotent `init`, changes in place, invites.
Each test runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from flows.services import NotInitialised, Services
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE
from reporting.clock import FakeClock
from storage import models as m
from storage import schema
from storage.contacts import unit_by_code
from storage.invites import InviteProblem, Redeemed, create_invite, redeem_invite
from tests.conftest import CAMPAIGN_START, make_settings


async def snapshot(services: Services) -> dict[str, list[tuple]]:
    """Every row that `init` writes, by table, without load times."""
    out: dict[str, list[tuple]] = {}
    async with services.sessions() as session:
        for model, cols in (
            (m.Unit, ("code", "name", "short_name", "is_province", "position", "retired_at")),
            (m.Round, ("code", "title", "position", "opens_at", "due_at", "late_until")),
            (m.UpstreamDeadline, ("code", "title", "due_at", "round_codes")),
            (m.Campaign, ("code", "name", "timezone", "fingerprint")),
        ):
            rows = await session.scalars(select(model).order_by(model.id))
            out[model.__tablename__] = [(r.id, *(getattr(r, c) for c in cols)) for r in rows]
    return out


def campaign_copy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    path = tmp_path / "campaign.yaml"
    path.write_text(
        DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8"
    )
    return path


async def test_migrations_create_every_table_from_an_empty_database(database_url: str) -> None:
    services = Services.create(make_settings(database_url), clock=FakeClock(CAMPAIGN_START))
    assert await schema.current_revision(services.engine) is None
    await schema.upgrade(services.engine)
    assert await schema.current_revision(services.engine) == schema.head_revision()
    async with services.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(m.Base.metadata.tables) <= tables
    await services.close()


async def test_running_init_twice_leaves_the_same_rows(database_url: str) -> None:
    services = Services.create(make_settings(database_url), clock=FakeClock(CAMPAIGN_START))
    first_changes = await services.initialise()
    before = await snapshot(services)
    second_changes = await services.initialise()
    assert await snapshot(services) == before
    assert first_changes and second_changes == []
    assert len(before["units"]) == 16  # 15 reporting units and the province
    assert len(before["rounds"]) == 3
    await services.close()


async def test_a_changed_deadline_updates_its_row_in_place(
    database_url: str, tmp_path: Path
) -> None:
    services = Services.create(
        make_settings(database_url, campaign_file=campaign_copy(tmp_path)),
        clock=FakeClock(CAMPAIGN_START),
    )
    await services.initialise()
    before = await snapshot(services)

    moved = campaign_copy(tmp_path, 'due: "2021-02-08"', 'due: "2021-02-07 17:00"')
    services2 = Services.create(
        make_settings(database_url, campaign_file=moved), clock=FakeClock(CAMPAIGN_START)
    )
    changes = await services2.initialise()
    after = await snapshot(services2)
    assert len(after["rounds"]) == 3
    r2_before = next(r for r in before["rounds"] if r[1] == "r2")
    r2_after = next(r for r in after["rounds"] if r[1] == "r2")
    assert r2_after[0] == r2_before[0]  # same row
    assert r2_after[5] == dt.datetime(2021, 2, 7, 9, 0, tzinfo=dt.UTC)  # 17:00 in Shanghai
    assert any(c.startswith("报送节点 r2 的截止时间：") for c in changes)
    await services.close()
    await services2.close()


async def test_a_unit_removed_from_the_file_is_retired_with_its_data(
    database_url: str, tmp_path: Path
) -> None:
    services = Services.create(
        make_settings(database_url, campaign_file=campaign_copy(tmp_path)),
        clock=FakeClock(CAMPAIGN_START),
    )
    await services.initialise()
    async with services.transaction() as session:
        unit = await unit_by_code(session, "fuxin")
        assert unit is not None
        session.add(m.Person(name="王丽", unit_id=unit.id, created_at=CAMPAIGN_START))

    line = "  - {code: fuxin,      name: 阜新市商务局,     short: 阜新}\n"
    without = campaign_copy(tmp_path, line, "")
    services2 = Services.create(
        make_settings(database_url, campaign_file=without), clock=FakeClock(CAMPAIGN_START)
    )
    changes = await services2.initialise()
    assert "停用单位 fuxin" in changes
    async with services2.sessions() as session:
        fuxin = await session.scalar(select(m.Unit).where(m.Unit.code == "fuxin"))
        assert fuxin is not None and fuxin.retired_at is not None
        assert await session.scalar(select(func.count()).select_from(m.Person)) == 1

    back = Services.create(
        make_settings(database_url, campaign_file=campaign_copy(tmp_path)),
        clock=FakeClock(CAMPAIGN_START),
    )
    assert "恢复单位 fuxin" in await back.initialise()
    for svc in (services, services2, back):
        await svc.close()


async def test_attach_refuses_a_database_that_was_never_initialised(database_url: str) -> None:
    services = Services.create(make_settings(database_url), clock=FakeClock(CAMPAIGN_START))
    with pytest.raises(NotInitialised):
        await services.attach()
    await services.close()


async def test_an_invite_works_once(services: Services) -> None:
    now = services.clock.now()
    async with services.transaction() as session:
        unit = await unit_by_code(session, "dalian")
        assert unit is not None
        code, _ = await create_invite(session, unit, m.Role.CONTACT, now)
    assert len(code) >= 32  # 24 random bytes: 192 bits

    async with services.transaction() as session:
        first = await redeem_invite(session, code, None, now)
    async with services.transaction() as session:
        second = await redeem_invite(session, code, None, now)
    assert isinstance(first, Redeemed) and first.unit.code == "dalian"
    assert second is InviteProblem.USED


async def test_an_invite_does_not_work_after_it_expires(services: Services) -> None:
    now = services.clock.now()
    async with services.transaction() as session:
        unit = await unit_by_code(session, "anshan")
        assert unit is not None
        code, _ = await create_invite(session, unit, m.Role.CONTACT, now, days=14)
    async with services.transaction() as session:
        late = await redeem_invite(session, code, None, now + dt.timedelta(days=14, seconds=1))
        unknown = await redeem_invite(session, code + "x", None, now)
    assert late is InviteProblem.EXPIRED
    assert unknown is InviteProblem.UNKNOWN


async def test_only_a_hash_of_the_invite_code_is_stored(services: Services) -> None:
    async with services.transaction() as session:
        unit = await unit_by_code(session, "province")
        assert unit is not None
        code, invite = await create_invite(session, unit, m.Role.COORDINATOR, services.clock.now())
    assert code not in invite.code_hash


async def test_a_contact_invite_cannot_be_for_the_province(services: Services) -> None:
    async with services.transaction() as session:
        province = await unit_by_code(session, "province")
        assert province is not None
        with pytest.raises(ValueError, match="cannot be for province"):
            await create_invite(session, province, m.Role.CONTACT, services.clock.now())


def test_the_revisions_read_from_the_migration_files_are_alembics() -> None:
    """Start-up reads the head revision without importing Alembic: it must agree."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(schema.alembic_config())
    assert schema.head_revision() == scripts.get_current_head()
    assert schema.known_revisions() == {s.revision for s in scripts.walk_revisions()}
