"""Looking people up: who is this Telegram user, and who are a unit's contacts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m


async def contact_for_user(session: AsyncSession, telegram_user_id: int) -> m.Contact | None:
    """The active contact bound to this Telegram user, if any."""
    return await session.scalar(
        select(m.Contact).where(
            m.Contact.telegram_user_id == telegram_user_id, m.Contact.active.is_(True)
        )
    )


async def unit_by_code(session: AsyncSession, campaign_id: int, code: str) -> m.Unit | None:
    return await session.scalar(
        select(m.Unit).where(
            m.Unit.campaign_id == campaign_id, m.Unit.code == code, m.Unit.retired_at.is_(None)
        )
    )
