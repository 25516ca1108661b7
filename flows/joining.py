"""Joining: a person binds to a unit and a role with an invite (sent as `/start CODE`, or
the bare code typed or pasted, as it reaches people by phone or WeChat), by sharing a
phone number the roster knows, or, for the ids in ADMIN_IDS, at their first message."""

from __future__ import annotations

import re

from flows.services import Services
from storage import joining
from storage.invites import InviteProblem
from storage.joining import TelegramPerson
from storage.records import PersonRecord

# What `storage.invites.new_code` makes: 32 characters of the URL-safe alphabet.
INVITE_SHAPE = re.compile(r"^\s*([A-Za-z0-9_-]{32})\s*$")


def invite_in(text: str | None) -> str | None:
    """The invite code, if `text` is nothing but one."""
    found = INVITE_SHAPE.match(text or "")
    return found.group(1) if found else None


async def with_invite(services: Services, person: TelegramPerson,
                      code: str) -> PersonRecord | InviteProblem:
    async with services.transaction() as session:
        return await joining.join_by_invite(session, code, person, services.clock.now())


async def with_phone(services: Services, person: TelegramPerson,
                     phone: str) -> PersonRecord | None:
    async with services.transaction() as session:
        return await joining.join_by_phone(session, services.campaign_id, phone, person,
                                           services.clock.now())


async def as_named_admin(services: Services, person: TelegramPerson) -> PersonRecord | None:
    async with services.transaction() as session:
        return await joining.join_as_named_admin(session, services.campaign_id, person,
                                                 services.clock.now())
