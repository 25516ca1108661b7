"""Binding a Telegram user to a unit and role: by invite, or by the roster's phone number."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m
from storage.invites import InviteProblem, Redeemed, redeem_invite
from storage.records import PersonRecord, person_record
from storage.taking_part import taking_part


@dataclass(frozen=True)
class TelegramPerson:
    user_id: int
    chat_id: int
    name: str
    language: str


@dataclass(frozen=True)
class WeComPerson:
    """A WeCom member as a callback names them (成员 UserID)."""

    user_id: str
    name: str
    language: str = "zh"


def roster_phone(phone: str) -> str:
    """A roster's number in full E.164: `+86 138-1234-5678` → `+8613812345678`. A number
    written without a country code is Chinese: `138 1234 5678` and `0411-8888 1234` get
    +86 (a landline loses its trunk 0). Empty if there are no digits."""
    written = phone.strip()
    digits = re.sub(r"\D", "", written)
    if not digits:
        return ""
    if written.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    if digits.startswith("86") and len(digits) >= 12:  # 86 and a full national number
        return f"+{digits}"
    return f"+86{digits.removeprefix('0')}"


def telegram_phone(phone: str) -> str:
    """A number Telegram shared: always with its country code, the `+` sometimes left off."""
    digits = re.sub(r"\D", "", phone)
    return f"+{digits}" if digits else ""


def stored_forms(number: str) -> list[str]:
    """How a full number may be stored: as it is, or as rosters of old kept a Chinese
    number (without +86)."""
    return [number, number[3:]] if number.startswith("+86") else [number]


async def join_by_invite(
    session: AsyncSession, code: str, person: TelegramPerson | WeComPerson, now: dt.datetime
) -> PersonRecord | InviteProblem:
    """Consume the invite and bind the person (again, to the invite's unit, if bound), by
    their Telegram or their WeCom account."""
    on_wecom = isinstance(person, WeComPerson)
    account = m.Person.wecom_user_id if on_wecom else m.Person.telegram_user_id
    contact = await session.scalar(select(m.Person).where(account == person.user_id))
    redeemed = await redeem_invite(session, code, contact.id if contact else None, now)
    if not isinstance(redeemed, Redeemed):
        return redeemed
    if contact is None:
        contact = m.Person(created_at=now, language=person.language)
        session.add(contact)
    if isinstance(person, WeComPerson):
        contact.wecom_user_id = person.user_id
    else:
        contact.telegram_user_id, contact.chat_id = person.user_id, person.chat_id
    contact.name = contact.name or person.name
    contact.unit_id = redeemed.unit.id
    contact.role = redeemed.invite.role
    contact.active, contact.reachable, contact.joined_at = True, True, now
    await session.flush()
    redeemed.invite.used_by = contact.id
    return person_record(contact, redeemed.unit)


async def join_by_phone(
    session: AsyncSession, phone: str, person: TelegramPerson | WeComPerson, now: dt.datetime,
) -> PersonRecord | None:
    """Bind the person to the roster entry with this phone number, if one is free on their
    channel (the roster is the province's: whichever campaigns the unit takes part in).
    WeCom gives a member's mobile as the corp's directory holds it (`13812345678`)."""
    on_wecom = isinstance(person, WeComPerson)
    wanted = roster_phone(phone) if on_wecom else telegram_phone(phone)
    if not wanted:
        return None
    candidates = await session.scalars(
        select(m.Person).join(m.Unit).where(
            m.Person.phone.in_(stored_forms(wanted)),
            m.Person.active.is_(True), m.Unit.retired_at.is_(None),
        )
    )
    for contact in candidates:
        bound = contact.wecom_user_id if on_wecom else contact.telegram_user_id
        if bound not in (None, person.user_id):
            continue
        if isinstance(person, WeComPerson):
            contact.wecom_user_id = person.user_id
        else:
            contact.telegram_user_id, contact.chat_id = person.user_id, person.chat_id
            contact.language = person.language
        contact.name = contact.name or person.name
        contact.reachable, contact.joined_at = True, now
        await session.flush()
        return person_record(contact)
    return None


async def join_as_named_admin(session: AsyncSession, campaign_id: int, person: TelegramPerson,
                              now: dt.datetime) -> PersonRecord | None:
    """Someone whose Telegram id is in ADMIN_IDS, at their first message: an admin at the
    province, without an invite. None if they are bound already (to anything)."""
    existing = await session.scalar(
        select(m.Person).where(m.Person.telegram_user_id == person.user_id))
    if existing is not None:
        return None
    province = await session.scalar(select(m.Unit).where(
        taking_part(campaign_id), m.Unit.is_province.is_(True)))
    if province is None:
        return None
    contact = m.Person(telegram_user_id=person.user_id, chat_id=person.chat_id,
                        name=person.name, language=person.language, unit_id=province.id,
                        role=m.Role.ADMIN, created_at=now, joined_at=now)
    session.add(contact)
    await session.flush()
    return person_record(contact, province)
