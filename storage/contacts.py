"""Looking people up: who is this Telegram user, and who are a unit's contacts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage import models as m

_CONTACTS, _UNITS = m.Contact.__table__, m.Unit.__table__
_CONTACT_FOR_USER = (
    select(_CONTACTS, *(c.label(f"unit__{c.name}") for c in _UNITS.c))
    .join(_UNITS, _UNITS.c.id == _CONTACTS.c.unit_id)
    .where(_CONTACTS.c.telegram_user_id == bindparam("user_id"), _CONTACTS.c.active.is_(True))
)


def _snapshot(row: tuple[Any, ...]) -> m.Contact:
    """The contact with its unit, built from one row of the query: objects for reading."""
    values = dict(zip(_COLUMN_KEYS, row, strict=True))
    unit = m.Unit(**{c.name: values[f"unit__{c.name}"] for c in _UNITS.c})
    contact = m.Contact(**{c.name: values[c.name] for c in _CONTACTS.c})
    contact.unit = unit
    return contact


_COLUMN_KEYS = [c.name for c in _CONTACTS.c] + [f"unit__{c.name}" for c in _UNITS.c]


class KnownContacts:
    """Who a Telegram user is: the active contact bound to them, with its unit.

    It runs on every update, so it is one plain query, no ORM loading. The row is read
    every time, so a change (a contact deactivated, moved, or switching language) counts at
    once; the objects are remembered and built again only when their row has changed. Each
    person's updates are handled one after another, so a snapshot is never in two at once."""

    def __init__(self, limit: int = 5000):
        self._limit = limit
        self._seen: dict[int, tuple[tuple[Any, ...], m.Contact]] = {}

    async def lookup(self, db: AsyncConnection, telegram_user_id: int) -> m.Contact | None:
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


async def unit_by_code(session: AsyncSession, campaign_id: int, code: str) -> m.Unit | None:
    return await session.scalar(
        select(m.Unit).where(
            m.Unit.campaign_id == campaign_id, m.Unit.code == code, m.Unit.retired_at.is_(None)
        )
    )


async def unit_contacts(session: AsyncSession, campaign_id: int,
                        unit_code: str | None = None) -> list[m.Contact]:
    """People of the campaign (of one unit), active first, with their units."""
    query = (select(m.Contact).join(m.Unit, m.Unit.id == m.Contact.unit_id)
             .where(m.Unit.campaign_id == campaign_id)
             .order_by(m.Unit.position, m.Contact.active.desc(), m.Contact.id))
    if unit_code is not None:
        query = query.where(m.Unit.code == unit_code)
    return list(await session.scalars(query))


async def deactivate(session: AsyncSession, contact_id: int) -> m.Contact | None:
    """The person loses access at once; what they submitted stays."""
    contact = await session.get(m.Contact, contact_id)
    if contact is not None:
        contact.active = False
        await session.execute(delete(m.FormCursor).where(m.FormCursor.contact_id == contact_id))
    return contact


async def move(session: AsyncSession, contact_id: int, unit: m.Unit) -> m.Contact | None:
    contact = await session.get(m.Contact, contact_id)
    if contact is not None:
        contact.unit_id = unit.id
        await session.execute(delete(m.FormCursor).where(m.FormCursor.contact_id == contact_id))
        await session.flush()
        await session.refresh(contact, ["unit"])
    return contact
