"""Binding a Telegram user to a unit and role: by invite, or by the roster's phone number."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m
from storage.invites import InviteProblem, Redeemed, redeem_invite


@dataclass(frozen=True)
class TelegramPerson:
    user_id: int
    chat_id: int
    name: str
    language: str


def normalise_phone(phone: str) -> str:
    """`+86 138-1234-5678` → `13812345678`; landlines keep their area code."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
            digits = digits[len(prefix):]
            break
    return digits


async def join_by_invite(
    session: AsyncSession, code: str, person: TelegramPerson, now: dt.datetime
) -> m.Contact | InviteProblem:
    """Consume the invite and bind the person (again, to the invite's unit, if bound)."""
    contact = await session.scalar(
        select(m.Contact).where(m.Contact.telegram_user_id == person.user_id))
    redeemed = await redeem_invite(session, code, contact.id if contact else None, now)
    if not isinstance(redeemed, Redeemed):
        return redeemed
    if contact is None:
        contact = m.Contact(telegram_user_id=person.user_id, created_at=now,
                            language=person.language)
        session.add(contact)
    contact.chat_id = person.chat_id
    contact.name = contact.name or person.name
    contact.unit_id = redeemed.unit.id
    contact.role = redeemed.invite.role
    contact.active, contact.reachable, contact.joined_at = True, True, now
    await session.flush()
    redeemed.invite.used_by = contact.id
    await session.refresh(contact, ["unit"])
    return contact


async def join_by_phone(
    session: AsyncSession, campaign_id: int, phone: str, person: TelegramPerson,
    now: dt.datetime,
) -> m.Contact | None:
    """Bind the person to the roster entry with this phone number, if one is free."""
    wanted = normalise_phone(phone)
    if not wanted:
        return None
    candidates = await session.scalars(
        select(m.Contact).join(m.Unit).where(
            m.Unit.campaign_id == campaign_id, m.Contact.phone == wanted,
            m.Contact.active.is_(True),
        )
    )
    for contact in candidates:
        if contact.telegram_user_id in (None, person.user_id):
            contact.telegram_user_id = person.user_id
            contact.chat_id = person.chat_id
            contact.name = contact.name or person.name
            contact.language = person.language
            contact.reachable, contact.joined_at = True, now
            await session.flush()
            return contact
    return None
