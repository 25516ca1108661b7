"""Loading a campaign into the database: idempotent, updating in place, never deleting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from storage import models as m
from texts.catalog import t

WHAT = {"campaign": "sync.what.campaign", "unit": "sync.what.unit", "round": "sync.what.round",
        "upstream": "sync.what.upstream"}
FIELDS = {"name": "名称", "timezone": "时区", "short_name": "简称", "is_province": "是否省厅",
          "position": "顺序", "title": "标题", "opens_at": "开始时间", "due_at": "截止时间",
          "late_until": "补报截止时间", "round_codes": "对应报送节点"}


def _said(event: str, kind: str, code: str, lang: str) -> str:
    """`新增单位 shenyang`: what `init` prints, in the catalog's words."""
    return t(f"sync.{event}", lang, what=t(WHAT[kind], lang), code=code)


async def sync_campaign(
    session: AsyncSession, campaign: Campaign, fingerprint: str, now: dt.datetime,
    lang: str = "zh",
) -> tuple[m.Campaign, list[str]]:
    """Make the rows match the file. Returns the campaign row and what changed.

    Run twice, nothing changes. A changed deadline updates its row; a unit that left the
    file is retired (its contacts and submissions stay), and comes back if it returns.
    """
    changes: list[str] = []
    said = (lang, campaign.zone)  # how a change is worded: the language, the time zone
    row = await session.scalar(select(m.Campaign).where(m.Campaign.code == campaign.code))
    if row is None:
        row = m.Campaign(code=campaign.code, loaded_at=now)
        session.add(row)
        changes.append(_said("added", "campaign", campaign.code, lang))
    _assign(row, changes, said, ("campaign", campaign.code), name=campaign.name.zh,
            timezone=campaign.timezone)
    row.fingerprint = fingerprint
    row.loaded_at = now
    await session.flush()

    await _sync_units(session, row, campaign, now, changes, said)

    existing_rounds = {
        r.code: r
        for r in await session.scalars(select(m.Round).where(m.Round.campaign_id == row.id))
    }
    for position, rnd in enumerate(campaign.rounds):
        round_row = _listed(session, existing_rounds.pop(rnd.code, None),
                            lambda code=rnd.code: m.Round(campaign_id=row.id, code=code),
                            ("round", rnd.code), changes, lang)
        _assign(round_row, changes, said, ("round", rnd.code), title=rnd.title.zh,
                position=position,
                opens_at=_utc(campaign.round_opens_at(rnd.code)),
                due_at=_utc(campaign.deadline(rnd.code)),
                late_until=_utc(campaign.late_cutoff(rnd.code)))
    for gone_round in existing_rounds.values():
        if gone_round.retired_at is None:
            gone_round.retired_at = now
            changes.append(_said("retired", "round", gone_round.code, lang))

    existing_up = {
        u.code: u
        for u in await session.scalars(
            select(m.UpstreamDeadline).where(m.UpstreamDeadline.campaign_id == row.id)
        )
    }
    for up in campaign.upstream:
        up_row = existing_up.pop(up.code, None)
        if up_row is None:
            up_row = m.UpstreamDeadline(campaign_id=row.id, code=up.code)
            session.add(up_row)
            changes.append(_said("added", "upstream", up.code, lang))
        up_row.retired_at = None
        _assign(up_row, changes, said, ("upstream", up.code), title=up.title.zh,
                due_at=_utc(campaign.upstream_deadline(up.code)), round_codes=list(up.rounds))
    for gone_up in existing_up.values():
        if gone_up.retired_at is None:
            gone_up.retired_at = now
            changes.append(_said("retired", "upstream", gone_up.code, lang))
    await session.flush()
    return row, changes


async def _sync_units(session: AsyncSession, row: m.Campaign, campaign: Campaign,
                      now: dt.datetime, changes: list[str], said: tuple[str, dt.tzinfo]) -> None:
    """The units the file lists take part in the campaign, in its order; the roster's row
    for each code is shared by every campaign that lists it."""
    lang = said[0]
    units = [(u, False) for u in campaign.units] + [(campaign.province, True)]
    listed = {cu.unit_id: cu for cu in await session.scalars(
        select(m.CampaignUnit).where(m.CampaignUnit.campaign_id == row.id))}
    roster = {u.code: u for u in await session.scalars(select(m.Unit).where(
        m.Unit.code.in_([unit.code for unit, _ in units]) | m.Unit.id.in_(list(listed))))}
    rows = []
    for position, (unit, is_province) in enumerate(units):
        unit_row = roster.get(unit.code)
        if unit_row is None:
            unit_row = m.Unit(first_campaign_id=row.id, code=unit.code, position=position)
            session.add(unit_row)
        _assign(unit_row, changes, said, ("unit", unit.code), name=unit.name,
                short_name=unit.short_name, is_province=is_province)
        unit_row.retired_at = None
        rows.append(unit_row)
    await session.flush()  # the new units' ids, in one go
    for position, ((unit, _), unit_row) in enumerate(zip(units, rows, strict=True)):
        member = _listed(session, listed.pop(unit_row.id, None),
                         lambda unit_id=unit_row.id: m.CampaignUnit(campaign_id=row.id,
                                                                     unit_id=unit_id),
                         ("unit", unit.code), changes, lang)
        _assign(member, changes, said, ("unit", unit.code), position=position)
    codes = {u.id: u.code for u in roster.values()}
    for gone in listed.values():
        if gone.retired_at is None:
            gone.retired_at = now
            changes.append(_said("retired", "unit", codes[gone.unit_id], lang))
    await session.flush()
    await retire_unlisted_units(session, now)


async def retire_unlisted_units(session: AsyncSession, now: dt.datetime) -> None:
    """A unit no campaign lists any more is retired from the roster (no invites, no
    joining); its people and reports stay."""
    listed = select(m.CampaignUnit.unit_id).where(m.CampaignUnit.retired_at.is_(None))
    await session.execute(update(m.Unit).where(m.Unit.id.not_in(listed),
                                               m.Unit.retired_at.is_(None))
                          .values(retired_at=now))


def _listed(session: AsyncSession, found: Any, make: Callable[[], Any],
            label: tuple[str, str], changes: list[str], lang: str) -> Any:
    """The row of something the file lists: made if it is new, back if it had left."""
    kind, code = label
    if found is None:
        found = make()
        session.add(found)
        changes.append(_said("added", kind, code, lang))
    elif found.retired_at is not None:
        found.retired_at = None
        changes.append(_said("restored", kind, code, lang))
    return found


def _assign(row: object, changes: list[str], said: tuple[str, dt.tzinfo],
            label: tuple[str, str], **values: object) -> None:
    """Set the attributes that differ, noting each change (a new row notes none)."""
    is_new = not inspect(row).persistent
    kind, code = label
    lang, zone = said
    for name, value in values.items():
        old = getattr(row, name, None)
        if old != value:
            setattr(row, name, value)
            if not is_new:
                field = FIELDS.get(name, name) if lang == "zh" else name
                changes.append(t("sync.changed", lang, what=t(WHAT[kind], lang), code=code,
                                 field=field, old=_show(old, zone), new=_show(value, zone)))


def _show(value: object, zone: dt.tzinfo) -> str:
    if isinstance(value, dt.datetime):  # stored in UTC; said in the campaign's time
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if value is None:
        return "无"
    return str(value)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(dt.UTC)
