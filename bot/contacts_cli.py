"""`python -m bot contacts`: list a unit's people, deactivate one, move one to another
unit, or reissue an invite."""

from __future__ import annotations

import argparse

from bot.cli_support import CliError, open_services
from flows.joining import invite_link
from storage.contacts import deactivate, move, person_by_id, roster_people, unit_by_code
from storage.invites import create_invite, role_fits_unit
from texts.catalog import t
from texts.dates import moment


async def contacts(args: argparse.Namespace) -> int:
    services = await open_services()
    try:
        async with services.transaction() as session:
            if args.action == "list":
                people = await roster_people(session, args.target)
                for p in people:
                    state = t("contacts.active" if p.active else "contacts.inactive")
                    joined = t("contacts.joined" if p.telegram_user_id else "contacts.roster")
                    print(t("contacts.line", id=p.id, unit=p.unit.short_name, name=p.name,
                            role=t(f"role.{p.role}"), phone=p.phone or "—", state=state,
                            joined=joined))
                if not people:
                    print(t("contacts.none"))
                return 0
            if args.target is None or not _is_id(args.target):
                raise CliError(t("contacts.need_id"))
            contact = await person_by_id(session, int(args.target))
            if contact is None:
                raise CliError(t("contacts.no_such", id=args.target))
            if args.action == "deactivate":
                await deactivate(session, contact.id)
                print(t("contacts.deactivated", name=contact.name))
            elif args.action == "move":
                unit = await unit_by_code(session, args.unit or "")
                if unit is None or not role_fits_unit(contact.role, unit):
                    raise CliError(t("contacts.bad_unit", code=args.unit or ""))
                await move(session, contact.id, unit)
                print(t("contacts.moved", name=contact.name, unit=unit.name))
            else:  # reinvite
                code, invite = await create_invite(session, contact.unit, contact.role,
                                                   services.clock.now(),
                                                   services.settings.invite_days)
                print(t("contacts.reinvited", name=contact.name))
                print(t("cli.invite_link",
                        link=invite_link(services.settings.bot_username, code)))
                print(t("cli.invite_expires", when=moment(invite.expires_at,
                                                          services.campaign.zone)))
    finally:
        await services.close()
    return 0


def _is_id(text: str) -> bool:
    """A person's id as `contacts list` shows it: ASCII digits, within a database key."""
    return text.isascii() and text.isdigit() and 0 < int(text) < 2**63
