"""Joining: a person binds to a unit and a role with an invite (sent as `/start CODE`, or
the bare code typed or pasted, as it reaches people by phone or WeChat), by sharing a
phone number the roster knows, or, for the ids in ADMIN_IDS, at their first message."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.ext.asyncio import AsyncSession

from flows.services import Services
from storage import joining
from storage import models as m
from storage.invites import InviteProblem, create_invite
from storage.joining import TelegramPerson, WeComPerson
from storage.records import PersonRecord, UnitRecord

# What `storage.invites.new_code` makes: 32 characters of the URL-safe alphabet.
INVITE_SHAPE = re.compile(r"^\s*([A-Za-z0-9_-]{32})\s*$")


def invite_link(bot_username: str, code: str) -> str:
    """The deep link that opens the bot with an invite: `https://t.me/<bot>?start=<code>`
    (`<bot>` stands in where the bot's username is not known, for the operator to fill)."""
    return f"https://t.me/{bot_username.lstrip('@') or '<bot>'}?start={code}"


async def invites_for(session: AsyncSession, services: Services, units: list[UnitRecord],
                      now: dt.datetime, bot_username: str = "") -> list[tuple[str, str]]:
    """A fresh contact invite for each unit nobody can be reached in: (short name, link),
    for the province to forward."""
    out = []
    for unit in units:
        code, _ = await create_invite(session, unit, m.Role.CONTACT, now,
                                      services.settings.invite_days)
        out.append((unit.short_name,
                    invite_link(bot_username or services.settings.bot_username, code)))
    return out


def invite_in(text: str | None) -> str | None:
    """The invite code, if `text` is nothing but one."""
    found = INVITE_SHAPE.match(text or "")
    return found.group(1) if found else None


async def with_invite(services: Services, person: TelegramPerson | WeComPerson,
                      code: str) -> PersonRecord | InviteProblem:
    async with services.transaction() as session:
        return await joining.join_by_invite(session, code, person, services.clock.now())


async def with_phone(services: Services, person: TelegramPerson | WeComPerson,
                     phone: str) -> PersonRecord | None:
    async with services.transaction() as session:
        return await joining.join_by_phone(session, phone, person,
                                           services.clock.now())


async def as_named_admin(services: Services, person: TelegramPerson) -> PersonRecord | None:
    async with services.transaction() as session:
        return await joining.join_as_named_admin(session, services.campaign_id, person,
                                                 services.clock.now())
