"""The roster in a file of its own (`roster:`), shared by campaign files: units and their
names from one place, reporters who join by sharing their phone, nothing undone by the next
`init`, and a clear problem for a code the roster does not have."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from flows.services import Services
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE, CampaignFileError, load_campaign
from reporting.clock import FakeClock
from standin.server import StandinServer
from storage import models as m
from storage.contacts import deactivate
from tests.conftest import make_settings

ROSTER = """\
province: {code: province, name: 辽宁省商务厅电子商务处, short: 省商务厅,
           reporters: [{name: 杜四龙, phone: "024-86890383"}]}
units:
  - {code: shenyang, name: 沈阳市商务局, short: 沈阳,
     reporters: [{name: 王磊, phone: "138 0000 0001"}, {name: 李梅, phone: "13800000011"}]}
  - {code: dalian, name: 大连市商务局, short: 大连,
     reporters: [{name: 刘洋, phone: "+86 139 0000 0002"}]}
  - {code: anshan, name: 鞍山市商务局, short: 鞍山}
"""


def campaign_with_roster(folder: Path, units: object = None, code: str = "liaoning-2021",
                         roster: str = "名单.yaml") -> Path:
    """The shipped 年货节 with `roster:` in place of its own province and units."""
    data = yaml.safe_load(DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8"))
    del data["province"], data["units"]
    data["code"], data["roster"] = code, roster
    if units is not None:
        data["units"] = units
    path = folder / f"{code}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
async def services(database_url: str, standin: StandinServer, clock: FakeClock,
                   tmp_path: Path) -> AsyncIterator[Services]:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / "名单.yaml").write_text(ROSTER, encoding="utf-8")
    campaign_with_roster(folder)
    campaign_with_roster(folder, units=["dalian"], code="festival-b")
    svc = Services.create(make_settings(database_url, standin, campaign_file=None,
                                        campaigns_dir=folder), clock=clock)
    await svc.initialise()
    yield svc
    await svc.close()


def test_units_and_names_come_from_the_roster(tmp_path: Path) -> None:
    (tmp_path / "名单.yaml").write_text(ROSTER, encoding="utf-8")
    every = load_campaign(campaign_with_roster(tmp_path))
    assert [u.name for u in every.units] == ["沈阳市商务局", "大连市商务局", "鞍山市商务局"]
    assert every.province.short_name == "省商务厅"
    some = load_campaign(campaign_with_roster(tmp_path, units=["anshan", {"code": "dalian"}],
                                              code="b"))
    assert [u.code for u in some.units] == ["anshan", "dalian"]


@pytest.mark.parametrize(("units", "roster", "problem"), [
    (["dalian", "tieling"], "名单.yaml", 'units[1]: "tieling" is not a unit of 名单.yaml'),
    (["province"], "名单.yaml", 'units[0]: "province" is not a unit of 名单.yaml'),
    (None, "没有这个文件.yaml", "roster: 没有这个文件.yaml cannot be read"),
])
def test_a_wrong_roster_reference_is_a_located_problem(tmp_path: Path, units: object,
                                                       roster: str, problem: str) -> None:
    (tmp_path / "名单.yaml").write_text(ROSTER, encoding="utf-8")
    with pytest.raises(CampaignFileError) as raised:
        load_campaign(campaign_with_roster(tmp_path, units=units, roster=roster))
    assert any(p.startswith(problem) for p in raised.value.problems), raised.value.problems


def test_a_broken_roster_file_names_its_problem(tmp_path: Path) -> None:
    (tmp_path / "名单.yaml").write_text(ROSTER.replace('"138 0000 0001"', '"电话待定"'),
                                        encoding="utf-8")
    with pytest.raises(CampaignFileError) as raised:
        load_campaign(campaign_with_roster(tmp_path))
    assert raised.value.problems == [
        'roster: 名单.yaml: units[0].reporters[0].phone: "电话待定" is not a phone number']


async def test_reporters_join_by_phone_and_report_in_their_campaigns(
    running_bot: Services, standin: StandinServer
) -> None:
    async with running_bot.readers() as session:
        people = (await session.execute(
            select(m.Person.name, m.Unit.code, m.Person.role)
            .join(m.Unit, m.Unit.id == m.Person.unit_id).order_by(m.Person.id))).all()
    assert [tuple(p) for p in people] == [
        ("王磊", "shenyang", m.Role.CONTACT), ("李梅", "shenyang", m.Role.CONTACT),
        ("刘洋", "dalian", m.Role.CONTACT), ("杜四龙", "province", m.Role.COORDINATOR)]
    user = standin.user("刘洋")
    await user.command("start")  # how to join, then the offer to share the phone number
    hello, offer = await user.next_message(), await user.next_message()
    assert offer.keyboard[0]["request_contact"] is True, hello.text
    await user.share_contact("+8613900000002")
    welcome = await user.next_message()
    assert "大连市商务局" in welcome.text
    await user.command("report")  # round 1 of both campaigns: which one
    choice = await user.next_message()
    assert [label.split("（")[0] for label, _ in choice.buttons] == [
        "2021 辽宁网上年货节｜第一次阶段性活动情况", "2021 辽宁网上年货节｜第一次阶段性活动情况"]
    assert len({data for _, data in choice.buttons}) == 2  # two campaigns' round r1


async def test_the_next_init_undoes_nothing(services: Services, clock: FakeClock) -> None:
    async with services.transaction() as session:
        person = await session.scalar(select(m.Person).where(m.Person.name == "王磊"))
        assert person is not None
        await deactivate(session, person.id)
    changes = await services.initialise()
    assert not any("名单文件" in c for c in changes), changes
    async with services.readers() as session:
        again = await session.scalar(select(m.Person).where(m.Person.name == "王磊"))
        count = len(list(await session.scalars(select(m.Person))))
    assert again is not None and again.active is False and count == 4
