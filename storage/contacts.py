"""Looking people up: who is this Telegram user, and who are a unit's contacts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage import models as m
from storage.records import (
    PersonRecord,
    UnitRecord,
    joined_somewhere,
    person_record,
    reached_on,
)
from storage.taking_part import campaign_order, taking_part

_CONTACTS, _UNITS = m.Person.__table__, m.Unit.__table__
_CONTACT_FOR_USER = (
    select(_CONTACTS, *(c.label(f"unit__{c.name}") for c in _UNITS.c))
    .join(_UNITS, _UNITS.c.id == _CONTACTS.c.unit_id)
    .where(_CONTACTS.c.telegram_user_id == bindparam("user_id"), _CONTACTS.c.active.is_(True))
)


def _snapshot(row: tuple[Any, ...]) -> PersonRecord:
    """The person with their unit, built from one row of the query."""
    values = dict(zip(_COLUMN_KEYS, row, strict=True))
    unit = UnitRecord(**{f: values[f"unit__{f}"] for f in UnitRecord.__dataclass_fields__})
    return PersonRecord(**{f: values[f] for f in PersonRecord.__dataclass_fields__
                           if f != "unit"}, unit=unit)


_COLUMN_KEYS = [c.name for c in _CONTACTS.c] + [f"unit__{c.name}" for c in _UNITS.c]


class KnownPeople:
    """Who a Telegram user is: the active person bound to them, with their unit.

    It runs on every update, so it is one plain query, no ORM loading. The row is read
    every time, so a change (a contact deactivated, moved, or switching language) counts at
    once; the objects are remembered and built again only when their row has changed. Each
    person's updates are handled one after another, so a snapshot is never in two at once."""

    def __init__(self, limit: int = 5000):
        self._limit = limit
        self._seen: dict[int, tuple[tuple[Any, ...], PersonRecord]] = {}

    async def lookup(self, db: AsyncConnection, telegram_user_id: int) -> PersonRecord | None:
        found = (await db.execute(_CONTACT_FOR_USER, {"user_id": telegram_user_id})).first()
        if found is None:
            self._seen.pop(telegram_user_id, None)
            return None
        row = tuple(found)
        seen = self._seen.get(telegram_user_id)
        if seen is not None and seen[0] == row:
            return seen[1]
        if len(self._seen) >= self._limit:
            self._seen.pop(next(iter(self._seen)))
        contact = _snapshot(row)
        self._seen[telegram_user_id] = (row, contact)
        return contact


async def unit_by_code(session: AsyncSession, code: str) -> m.Unit | None:
    """The roster's unit with this code, unless no campaign lists it any more."""
    return await session.scalar(
        select(m.Unit).where(m.Unit.code == code, m.Unit.retired_at.is_(None)))


async def unit_contacts(session: AsyncSession, campaign_id: int,
                        unit_code: str | None = None) -> list[PersonRecord]:
    """People of the campaign (of one unit), active first, with their units."""
    query = (select(m.Person).join(m.Unit, m.Unit.id == m.Person.unit_id)
             .where(taking_part(campaign_id, retired=None))
             .order_by(campaign_order(campaign_id), m.Person.active.desc(), m.Person.id))
    if unit_code is not None:
        query = query.where(m.Unit.code == unit_code)
    return [person_record(row) for row in await session.scalars(query)]


async def roster_people(session: AsyncSession,
                        unit_code: str | None = None) -> list[PersonRecord]:
    """The people of the roster (of one unit), whichever campaigns, active first."""
    query = (select(m.Person).join(m.Unit, m.Unit.id == m.Person.unit_id)
             .order_by(m.Unit.is_province, m.Unit.position, m.Person.active.desc(),
                       m.Person.id))
    if unit_code is not None:
        query = query.where(m.Unit.code == unit_code)
    return [person_record(row) for row in await session.scalars(query)]


async def roster_codes(session: AsyncSession) -> list[str]:
    """The codes of the roster's units that some campaign lists."""
    return list(await session.scalars(select(m.Unit.code).where(m.Unit.retired_at.is_(None))
                                      .order_by(m.Unit.is_province, m.Unit.position)))


async def province_people(session: AsyncSession, campaign_id: int) -> list[PersonRecord]:
    """Coordinators and admins who have joined and can be reached."""
    return [person_record(row) for row in await session.scalars(
        select(m.Person).join(m.Unit, m.Unit.id == m.Person.unit_id).where(
            taking_part(campaign_id), m.Unit.is_province.is_(True),
            m.Person.active.is_(True), joined_somewhere(),
            m.Person.reachable.is_(True)).order_by(m.Person.id))]


async def person_by_id(session: AsyncSession, person_id: int) -> PersonRecord | None:
    row = await session.get(m.Person, person_id)
    return None if row is None else person_record(row)


async def deactivate(session: AsyncSession, person_id: int) -> PersonRecord | None:
    """The person loses access at once; what they submitted stays."""
    row = await session.get(m.Person, person_id)
    if row is None:
        return None
    row.active = False
    await session.execute(delete(m.FormCursor).where(m.FormCursor.contact_id == person_id))
    return person_record(row)


async def move(session: AsyncSession, person_id: int, unit: m.Unit) -> PersonRecord | None:
    row = await session.get(m.Person, person_id)
    if row is None:
        return None
    row.unit_id = unit.id
    await session.execute(delete(m.FormCursor).where(m.FormCursor.contact_id == person_id))
    return person_record(row, unit)


async def set_language(session: AsyncSession, person_id: int, language: str) -> None:
    await session.execute(update(m.Person).where(m.Person.id == person_id)
                          .values(language=language))


async def channels_of(session: AsyncSession, person_id: int) -> tuple[bool, bool, str]:
    """Whether the person joined on Telegram and on WeCom, and where what the bot sends
    on its own reaches them: `telegram` or `wecom` (chosen, or the one they joined on;
    Telegram when both and none chosen)."""
    row = (await session.execute(select(m.Person.chat_id, m.Person.wecom_user_id,
                                        m.Person.channel).where(m.Person.id == person_id))
           ).one()
    return (row.chat_id is not None, row.wecom_user_id is not None,
            reached_on(row.chat_id, row.wecom_user_id, row.channel))


async def set_channel(session: AsyncSession, person_id: int, channel: str) -> None:
    await session.execute(update(m.Person).where(m.Person.id == person_id)
                          .values(channel=channel))
