"""Broadcasts: an admin's notice to everyone or a chosen group, through the ledger.

An audience is one of `{"all": true}`, `{"role": "contact"}`, `{"units": ["dalian", ...]}`
or `{"missing": "r1"}` (the contacts of units that have not submitted round r1). Only
people who have joined (and are active) can be reached.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deliveries
from storage import models as m
from storage.notices import Attached, NewDelivery, Notice
from storage.outbox import Outbox
from storage.records import joined_somewhere
from storage.taking_part import campaign_order, taking_part

OPEN_STAGES = m.OPEN_STAGES


@dataclass(frozen=True)
class BroadcastRecord:
    """A notice an admin is writing or sent, as the steps above storage see it."""

    id: int
    created_by: int | None
    stage: m.BroadcastStage
    text: str
    attachment_id: int | None
    attachment_kind: str | None
    audience: dict[str, Any]
    recipients: int


def broadcast_record(row: m.Broadcast) -> BroadcastRecord:
    return BroadcastRecord(id=row.id, created_by=row.created_by,
                           stage=m.BroadcastStage(row.stage), text=row.text,
                           attachment_id=row.attachment_id,
                           attachment_kind=row.attachment_kind,
                           audience=dict(row.audience or {}), recipients=row.recipients)


class AudienceError(ValueError):
    """An audience that names something unknown."""


def parse_audience(text: str) -> dict[str, Any]:
    """The command line's `all|role:ROLE|unit:CODE,...|missing:ROUND`."""
    kind, _, value = text.partition(":")
    if kind == "all" and not value:
        return {"all": True}
    if kind == "role" and value in {r.value for r in m.Role}:
        return {"role": value}
    if kind == "unit" and value:
        return {"units": [v.strip() for v in value.split(",") if v.strip()]}
    if kind == "missing" and value:
        return {"missing": value}
    raise AudienceError(text)


async def recipients(session: AsyncSession, campaign_ids: list[int],
                     audience: dict[str, Any]) -> list[m.Person]:
    """Active, joined people of the campaigns served that the audience names; `missing`
    is a round of one of them (`audience["campaign"]`, or the first with that code)."""
    query = (select(m.Person).join(m.Unit, m.Unit.id == m.Person.unit_id)
             .where(taking_part(campaign_ids, retired=None), m.Person.active.is_(True),
                    joined_somewhere())
             .order_by(m.Unit.is_province, m.Unit.position, m.Person.id))
    if audience.get("all"):
        pass
    elif "role" in audience:
        query = query.where(m.Person.role == audience["role"])
    elif "units" in audience:
        codes = list(audience["units"])
        known = set(await session.scalars(select(m.Unit.code).where(
            taking_part(campaign_ids), m.Unit.code.in_(codes))))
        if unknown := [c for c in codes if c not in known]:
            raise AudienceError(", ".join(unknown))
        query = query.where(m.Unit.code.in_(codes))
    elif "missing" in audience:
        ids = [audience["campaign"]] if audience.get("campaign") in campaign_ids \
            else campaign_ids
        rnd = await session.scalar(select(m.Round).where(
            m.Round.campaign_id.in_(ids), m.Round.code == audience["missing"],
            m.Round.retired_at.is_(None)).order_by(m.Round.campaign_id).limit(1))
        if rnd is None:
            raise AudienceError(audience["missing"])
        submitted = exists().where(m.Submission.unit_id == m.Unit.id,
                                   m.Submission.round_id == rnd.id)
        query = query.where(m.Person.role == m.Role.CONTACT, m.Unit.is_province.is_(False),
                            taking_part(rnd.campaign_id), ~submitted)
    else:
        raise AudienceError(str(audience))
    return list(await session.scalars(query))


async def active_unit_ids(session: AsyncSession, campaign_id: int) -> list[int]:
    """The campaign's reporting units, in their order."""
    return list(await session.scalars(select(m.Unit.id).where(
        taking_part(campaign_id), m.Unit.is_province.is_(False))
        .order_by(campaign_order(campaign_id))))


def notice(broadcast: m.Broadcast | BroadcastRecord, sender: str = "") -> Notice:
    """The message every recipient gets: who it is from (`【辽宁省商务厅】`), the admin's
    text, escaped, and the attachment."""
    head = f"<b>【{html.escape(sender)}】</b>" if sender else ""
    text = "\n".join(part for part in (head, html.escape(broadcast.text)) if part)
    return Notice(text=text, attachment_id=broadcast.attachment_id,
                  attached=Attached(broadcast.attachment_kind or Attached.DOCUMENT))


def key_prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"


async def open_broadcast(session: AsyncSession, admin_id: int) -> m.Broadcast | None:
    """The admin's broadcast being written, if any."""
    return await session.scalar(
        select(m.Broadcast).where(m.Broadcast.created_by == admin_id,
                                  m.Broadcast.stage.in_(OPEN_STAGES))
        .order_by(m.Broadcast.id.desc()).limit(1))


async def start_broadcast(session: AsyncSession, admin_id: int | None,
                          now: dt.datetime) -> m.Broadcast:
    if admin_id is not None:
        await session.execute(update(m.Broadcast).where(
            m.Broadcast.created_by == admin_id, m.Broadcast.stage.in_(OPEN_STAGES),
        ).values(stage=m.BroadcastStage.CANCELLED))
    broadcast = m.Broadcast(created_by=admin_id, stage=m.BroadcastStage.COMPOSE, audience={},
                            created_at=now)
    session.add(broadcast)
    await session.flush()
    return broadcast


async def cancel(session: AsyncSession, broadcast_id: int) -> None:
    """The broadcast will not go out (if it had not yet)."""
    await session.execute(update(m.Broadcast).where(
        m.Broadcast.id == broadcast_id, m.Broadcast.stage.in_(OPEN_STAGES))
        .values(stage=m.BroadcastStage.CANCELLED))


@dataclass(frozen=True)
class Sent:
    broadcast: BroadcastRecord
    queued: int


async def confirm(session: AsyncSession, broadcast: m.Broadcast, campaign_ids: list[int],
                  now: dt.datetime, outbox: Outbox, sender: str = "") -> Sent:
    """Queue one ledger row per recipient, in the same transaction as the decision."""
    people = await recipients(session, campaign_ids, broadcast.audience)
    body = notice(broadcast, sender)
    queued = await outbox.enqueue(session, [
        NewDelivery(key=f"{key_prefix(broadcast.id)}{p.id}", purpose="broadcast",
                 chat_id=p.chat_id or 0, notice=body, contact_id=p.id)
        for p in people], now)
    broadcast.stage, broadcast.confirmed_at, broadcast.recipients = (
        m.BroadcastStage.SENT, now, len(people))
    await session.flush()
    return Sent(broadcast=broadcast_record(broadcast), queued=queued)


@dataclass(frozen=True)
class Report:
    total: int
    counts: dict[str, int]
    blocked: list[str]
    failed: list[tuple[str, str]]
    uncertain: list[str]

    @property
    def done(self) -> int:
        return sum(self.counts.get(s, 0) for s in deliveries.FINAL)

    @property
    def finished(self) -> bool:
        return self.done >= self.total


async def finish(session: AsyncSession, broadcast_id: int, now: dt.datetime) -> None:
    """Every delivery of the broadcast has settled."""
    await session.execute(update(m.Broadcast).where(m.Broadcast.id == broadcast_id)
                          .values(finished_at=now))


async def report(session: AsyncSession, broadcast_id: int) -> Report:
    broadcast = await session.get_one(m.Broadcast, broadcast_id)
    prefix = key_prefix(broadcast.id)
    counts = await deliveries.tally(session, prefix)
    troubles = await deliveries.rows_in(session, prefix, ["blocked", "failed", "uncertain"])

    def who(contact: m.Person | None) -> str:
        return f"{contact.unit.short_name} {contact.name}" if contact else "?"

    return Report(
        total=broadcast.recipients, counts=counts,
        blocked=[who(c) for d, c in troubles if d.state == "blocked"],
        failed=[(who(c), d.error or "") for d, c in troubles if d.state == "failed"],
        uncertain=[who(c) for d, c in troubles if d.state == "uncertain"],
    )
