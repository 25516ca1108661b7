"""One-time invites: 192 random bits, single use, expiring; only a hash is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m
from storage.records import UnitRecord

CODE_BYTES = 24  # 192 bits; 32 characters of [A-Za-z0-9_-], within a deep link's 64


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def role_fits_unit(role: m.Role, unit: m.Unit | UnitRecord) -> bool:
    """Contacts belong to a reporting unit; coordinators and admins to the province."""
    return unit.is_province == (role is not m.Role.CONTACT)


async def create_invite(
    session: AsyncSession, unit: m.Unit | UnitRecord, role: m.Role, now: dt.datetime,
    days: int = 14,
) -> tuple[str, m.Invite]:
    if not role_fits_unit(role, unit):
        raise ValueError(f"a {role} invite cannot be for {unit.code}")
    code = new_code()
    invite = m.Invite(
        code_hash=code_hash(code), unit_id=unit.id, role=role, created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(invite)
    await session.flush()
    return code, invite


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    RETIRED = "retired"  # the unit no longer reports in this campaign


@dataclass(frozen=True)
class Redeemed:
    invite: m.Invite
    unit: m.Unit


async def redeem_invite(
    session: AsyncSession, code: str, contact_id: int | None, now: dt.datetime
) -> Redeemed | InviteProblem:
    """Consume the invite for `contact_id`, once: a compare-and-set on `used_at`."""
    invite = await session.scalar(select(m.Invite).where(m.Invite.code_hash == code_hash(code)))
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.used_at is not None:
        return InviteProblem.USED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    unit = await session.get_one(m.Unit, invite.unit_id)
    if unit.retired_at is not None:
        return InviteProblem.RETIRED
    claimed = await session.execute(
        update(m.Invite)
        .where(m.Invite.id == invite.id, m.Invite.used_at.is_(None))
        .values(used_at=now, used_by=contact_id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return InviteProblem.USED
    await session.refresh(invite)
    return Redeemed(invite=invite, unit=unit)
