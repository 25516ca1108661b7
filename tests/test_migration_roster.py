"""Upgrading to one roster (migration 0007) keeps everything.

A database at the previous revision, as the previous release left it: two campaigns, each
with its own row for 沈阳市商务局, people in both, a report submitted, another returned and
amended, a draft in progress with a person in the middle of it, a file, invites, the
delivery ledger and the plan. After the upgrade every row is still there, pointing at the
one unit per code, and each person is still recognised by the running bot, in their unit,
with their submission and their draft, without a new invite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from flows.services import Services
from reporting.clock import FakeClock
from standin.server import StandinServer
from storage import schema
from tests.conftest import make_settings

PREVIOUS = "0006"
T0 = dt.datetime(2021, 1, 20, 1, 0)  # naive UTC, as the previous release stored times


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def old_rows() -> dict[str, list[dict[str, Any]]]:
    """What the previous release had written, table by table, in insertion order."""
    def unit(id: int, campaign: int, code: str, name: str, short: str, position: int,
             province: bool = False, retired: dt.datetime | None = None) -> dict[str, Any]:
        return dict(id=id, campaign_id=campaign, code=code, name=name, short_name=short,
                    is_province=province, position=position, retired_at=retired)

    def person(id: int, unit: int, name: str, user: int | None, role: str = "contact",
               phone: str | None = None) -> dict[str, Any]:
        return dict(id=id, telegram_user_id=user, chat_id=user, name=name, phone=phone,
                    unit_id=unit, role=role, language="zh", reachable=True, active=True,
                    created_at=at(0), joined_at=None if user is None else at(1))

    return {
        "campaigns": [
            dict(id=1, code="liaoning-2021", name="2021年网上年货节", timezone="Asia/Shanghai",
                 fingerprint="a" * 32, loaded_at=at(0), archived_at=None),
            dict(id=2, code="ec-monthly-2026", name="电子商务统计月报",
                 timezone="Asia/Shanghai", fingerprint="b" * 32, loaded_at=at(0),
                 archived_at=None),
        ],
        "units": [
            unit(1, 1, "shenyang", "沈阳市商务局", "沈阳", 0),
            unit(2, 1, "dalian", "大连市商务局", "大连", 1),
            unit(3, 1, "province", "辽宁省商务厅电子商务处", "省商务厅", 2, province=True),
            unit(4, 2, "shenyang", "沈阳市商务局", "沈阳", 0),
            unit(5, 2, "anshan", "鞍山市商务局", "鞍山", 1),
            unit(6, 2, "province", "辽宁省商务厅电子商务处", "省商务厅", 2, province=True),
            unit(7, 2, "dalian", "大连市商务局", "大连", 3, retired=at(2)),
        ],
        "rounds": [
            dict(id=1, campaign_id=1, code="r1", title="第一次阶段性活动情况", position=0,
                 opens_at=at(0), due_at=at(9 * 24 + 1), late_until=None, retired_at=None),
            dict(id=2, campaign_id=2, code="2026-01", title="2026年1月", position=0,
                 opens_at=at(0), due_at=at(10 * 24), late_until=None, retired_at=None),
        ],
        "contacts": [
            person(1, 1, "李娜", 7001),
            person(2, 2, "王强", 7002),
            person(3, 3, "张敏", 7003, role="coordinator"),
            person(4, 5, "赵磊", 7004),
            person(5, 4, "刘洋", 7005),
            person(6, 6, "陈静", 7006, role="admin"),
            person(7, 7, "孙丽", None, phone="13800000007"),
        ],
        "invites": [
            dict(id=1, code_hash="c" * 64, unit_id=4, role="contact", created_at=at(0),
                 expires_at=at(24 * 14), used_at=None, used_by=None),
            dict(id=2, code_hash="d" * 64, unit_id=1, role="contact", created_at=at(0),
                 expires_at=at(24 * 14), used_at=at(1), used_by=1),
        ],
        "drafts": [
            dict(id=1, unit_id=4, round_id=2, based_on_version=None, created_at=at(3),
                 updated_at=at(4)),
        ],
        "draft_answers": [
            dict(id=1, draft_id=1, question_id="reporter", value="刘洋 024-1234567",
                 skipped=False, answered_by=5, answered_at=at(3)),
        ],
        "form_cursors": [
            dict(contact_id=5, draft_id=1, question_id="online_retail", mode="ask",
                 updated_at=at(4)),
        ],
        "submissions": [
            dict(id=1, unit_id=1, round_id=1, version=1, submitted_by=1, submitted_at=at(5),
                 late=False, review_state="pending", review_note=None),
            dict(id=2, unit_id=2, round_id=1, version=1, submitted_by=2, submitted_at=at(5),
                 late=False, review_state="returned", review_note="数字有误"),
            dict(id=3, unit_id=2, round_id=1, version=2, submitted_by=2, submitted_at=at(6),
                 late=False, review_state="pending", review_note=None),
            dict(id=4, unit_id=5, round_id=2, version=1, submitted_by=4, submitted_at=at(6),
                 late=False, review_state="accepted", review_note=None),
        ],
        "answers": [
            dict(id=1, submission_id=1, question_id="enterprises", value=120),
            dict(id=2, submission_id=3, question_id="enterprises", value=95),
        ],
        "attachments": [
            dict(id=1, unit_id=4, round_id=2, file_name="沈阳1月报表.docx",
                 mime_type="application/octet-stream", size=3, sha256="e" * 64,
                 content=b"abc", telegram_file_id="f1", uploaded_by=5, created_at=at(4),
                 caption=None),
        ],
        "deliveries": [
            dict(id=1, key="reminder:r1:3d:1", purpose="reminder", contact_id=1, chat_id=7001,
                 payload={"text": "提醒"}, state="sent", attempts=1, not_before=at(2),
                 lease_until=None, claimed_by=None, sent_at=at(2), message_id=11,
                 error=None, created_at=at(2), updated_at=at(2)),
            dict(id=2, key="reminder:2026-01:1d:5", purpose="reminder", contact_id=5,
                 chat_id=7005, payload={"text": "提醒"}, state="pending", attempts=0,
                 not_before=at(30), lease_until=None, claimed_by=None, sent_at=None,
                 message_id=None, error=None, created_at=at(2), updated_at=at(2)),
        ],
        "plan_items": [
            dict(id=1, campaign_id=1, kind="reminder", ref="r1", label="3d", at=at(2),
                 due=at(9 * 24 + 1), state="done", fired_at=at(2), note=None),
            dict(id=2, campaign_id=2, kind="reminder", ref="2026-01", label="1d", at=at(30),
                 due=at(10 * 24), state="planned", fired_at=None, note=None),
        ],
    }


# Where each unit of the previous revision went: the oldest row with its code.
MERGED = {1: 1, 2: 2, 3: 3, 4: 1, 5: 5, 6: 3, 7: 2}
POINTING_AT_UNITS = {"contacts", "invites", "drafts", "submissions", "attachments"}


async def tables(engine: AsyncEngine) -> MetaData:
    meta = MetaData()
    async with engine.connect() as conn:
        await conn.run_sync(meta.reflect)
    return meta


async def build_previous(engine: AsyncEngine) -> None:
    await schema.upgrade(engine, PREVIOUS)
    meta = await tables(engine)
    async with engine.begin() as conn:
        for name, rows in old_rows().items():
            await conn.execute(meta.tables[name].insert(), rows)
        if engine.dialect.name == "postgresql":  # the rows came with their ids, as they were
            for name in old_rows():
                if "id" in meta.tables[name].c:
                    await conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT MAX(id) FROM {name}))"))


async def read_all(engine: AsyncEngine, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    meta = await tables(engine)
    out = {}
    async with engine.connect() as conn:
        for name in names:
            table = meta.tables[name]
            order = list(table.primary_key.columns)
            rows = await conn.execute(select(table).order_by(*order))
            out[name] = [dict(row._mapping) for row in rows]
    return out


async def test_the_upgrade_keeps_every_row_and_merges_units_by_code(database_url: str) -> None:
    services = Services.create(make_settings(database_url), clock=FakeClock(T0.replace(tzinfo=dt.UTC)))
    await build_previous(services.engine)
    before = old_rows()

    await schema.upgrade(services.engine)

    after = await read_all(services.engine, [*before, "campaign_units"])
    assert [(u["id"], u["code"]) for u in after["units"]] == [
        (1, "shenyang"), (2, "dalian"), (3, "province"), (5, "anshan")]
    assert all(u["retired_at"] is None for u in after["units"])  # each listed somewhere still
    assert [(c["campaign_id"], c["unit_id"], c["position"], c["retired_at"])
            for c in after["campaign_units"]] == [
        (1, 1, 0, None), (1, 2, 1, None), (1, 3, 2, None),
        (2, 1, 0, None), (2, 2, 3, at(2)), (2, 3, 2, None), (2, 5, 1, None)]
    for name, rows in before.items():
        if name == "units":
            continue
        expected = [{**row, "unit_id": MERGED[row["unit_id"]]}
                    if name in POINTING_AT_UNITS else row for row in rows]
        kept = [{k: row[k] for k in old} for row, old in zip(after[name], rows, strict=True)]
        assert kept == expected, name  # each row's columns as they were (later ones aside)
    await services.close()


@pytest.fixture
async def services(database_url: str, standin: StandinServer,
                   clock: FakeClock) -> AsyncIterator[Services]:
    """The shipped 年货节 campaign, `init` run on a database of the previous revision."""
    svc = Services.create(make_settings(database_url, standin), clock=clock)
    await build_previous(svc.engine)
    await svc.initialise()
    yield svc
    await svc.close()


async def test_after_the_upgrade_everyone_works_without_a_new_invite(
    running_bot: Services, standin: StandinServer
) -> None:
    for user_id, unit_name in ((7001, "沈阳市商务局"), (7005, "沈阳市商务局"),
                               (7002, "大连市商务局"), (7004, "鞍山市商务局")):
        user = standin.user("联络员", user_id=user_id)
        await user.command("status")
        # 鞍山 also hears that round 1 opened: the 年货节's file lists it, and it has not
        # reported.
        status = next(m for m in await user.read_all() if "报送状态" in m.text)
        assert f"{unit_name} 报送状态" in status.text, status.text
        if user_id == 7001:
            assert "第一次阶段性活动情况（1月29日（周五）18:00 截止）：已提交 第 1 版" in status.text
        if user_id == 7002:
            assert "已提交 第 2 版" in status.text
    coordinator = standin.user("张敏", user_id=7003)
    await coordinator.command("status")
    assert "已报送 2/15" in (await coordinator.next_message()).text  # 沈阳 and 大连
