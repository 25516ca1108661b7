"""Files people sent: one row per distinct content per unit, and what a unit has stored."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m


async def same_file(session: AsyncSession, unit_id: int, sha256: str) -> m.Attachment | None:
    """The unit's file with exactly this content, if it sent it before."""
    return await session.scalar(select(m.Attachment).where(
        m.Attachment.unit_id == unit_id, m.Attachment.sha256 == sha256).limit(1))


async def unit_usage(session: AsyncSession, unit_id: int) -> int:
    """Bytes the unit's files take."""
    return int(await session.scalar(select(func.coalesce(func.sum(m.Attachment.size), 0))
                                     .where(m.Attachment.unit_id == unit_id)) or 0)
