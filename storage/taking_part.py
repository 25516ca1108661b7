"""Which units take part in a campaign, as conditions on the `units` table.

Units are the province's (one roster); a campaign lists the ones that report to it, in
its own order (`campaign_units`). Every query about one campaign's units goes through
these two, so "taking part" means the same thing everywhere."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m


def taking_part(campaign_id: int | list[int],
                retired: bool | None = False) -> ColumnElement[bool]:
    """The unit takes part in the campaign (in one of them); `retired=True`: it did, and
    the file no longer lists it; `None`: either (its people and files, past and present)."""
    listed = m.CampaignUnit
    ids = campaign_id if isinstance(campaign_id, list) else [campaign_id]
    units = select(listed.unit_id).where(listed.campaign_id.in_(ids))
    if retired is not None:
        units = units.where(listed.retired_at.is_not(None) if retired
                            else listed.retired_at.is_(None))
    return m.Unit.id.in_(units)


def campaign_order(campaign_id: int) -> Any:
    """The unit's place in the campaign's list, to order by."""
    listed = m.CampaignUnit
    return (select(listed.position)
            .where(listed.unit_id == m.Unit.id, listed.campaign_id == campaign_id)
            .scalar_subquery())


async def campaigns_of(session: AsyncSession, unit_id: int) -> set[int]:
    """The campaigns the unit takes part in."""
    listed = m.CampaignUnit
    return set(await session.scalars(select(listed.campaign_id).where(
        listed.unit_id == unit_id, listed.retired_at.is_(None))))
