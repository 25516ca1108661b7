"""Looking people up: who is this Telegram user, and who are a unit's contacts."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m

_CONTACTS, _UNITS = m.Contact.__table__, m.Unit.__table__
_CONTACT_FOR_USER = (
    select(_CONTACTS, *(c.label(f"unit__{c.name}") for c in _UNITS.c))
    .join(_UNITS, _UNITS.c.id == _CONTACTS.c.unit_id)
    .where(_CONTACTS.c.telegram_user_id == bindparam("user_id"), _CONTACTS.c.active.is_(True))
)


async def contact_for_user(session: AsyncSession, telegram_user_id: int) -> m.Contact | None:
    """The active contact bound to this Telegram user, if any, with its unit: a snapshot
    for reading (it runs on every update, so it is one plain query, no ORM loading)."""
    row = (await session.execute(_CONTACT_FOR_USER, {"user_id": telegram_user_id})).first()
    if row is None:
        return None
    values = row._asdict()
    unit = m.Unit(**{c.name: values[f"unit__{c.name}"] for c in _UNITS.c})
    contact = m.Contact(**{c.name: values[c.name] for c in _CONTACTS.c})
    contact.unit = unit
    return contact


async def unit_by_code(session: AsyncSession, campaign_id: int, code: str) -> m.Unit | None:
    return await session.scalar(
        select(m.Unit).where(
            m.Unit.campaign_id == campaign_id, m.Unit.code == code, m.Unit.retired_at.is_(None)
        )
    )
