"""The command line: `python -m bot init|status|invite|import-contacts|digest|files|broadcast|
contacts|run|demo`.

Every error is one clear line (in Chinese) and a non-zero exit; no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from telegram.error import InvalidToken

from bot import logs
from bot.cli_support import CliError, open_services, round_campaign
from bot.settings import MissingToken, Settings
from flows.joining import invite_link
from flows.services import NotInitialised, Services
from reporting.campaign_file import CampaignFileError
from storage import models as m
from storage.contacts import roster_codes, unit_by_code
from storage.invites import create_invite, role_fits_unit
from storage.leases import LeaseHeld
from storage.progress import active_units, retired_units, round_counts
from storage.roster import RosterError, import_roster, read_rows
from storage.schema import NewerSchema
from texts.catalog import language_of, t, upstream_name
from texts.dates import day, full_date, moment
from texts.text import plain

EXIT_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=t("cli.description"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("init", help=t("cli.help.init"), description=t("cli.help.init"))

    status = sub.add_parser("status", help=t("cli.help.status"), description=t("cli.help.status"))
    status.add_argument("round", nargs="?", help=t("cli.help.round"))
    status.add_argument("--campaign", help=t("cli.help.campaign"))

    invite = sub.add_parser("invite", help=t("cli.help.invite"), description=t("cli.help.invite"))
    invite.add_argument("unit", help=t("cli.help.unit"))
    invite.add_argument("--role", choices=[r.value for r in m.Role], default=None,
                        help=t("cli.help.role"))
    invite.add_argument("--days", type=_days, default=None, help=t("cli.help.days"))

    roster = sub.add_parser("import-contacts", help=t("cli.help.import"),
                            description=t("cli.help.import"))
    roster.add_argument("file", help=t("cli.help.roster_file"))

    digest = sub.add_parser("digest", help=t("cli.help.digest"), description=t("cli.help.digest"))
    digest.add_argument("round", help=t("cli.help.round"))
    digest.add_argument("--campaign", help=t("cli.help.campaign"))
    digest.add_argument("--format", choices=["text", "report", "check", "xlsx", "docx"],
                        default="text",
                        help=t("cli.help.format"))
    digest.add_argument("--out", help=t("cli.help.digest_out"))

    template = sub.add_parser("template", help=t("cli.help.template"),
                              description=t("cli.help.template"))
    template.add_argument("--out", default="报告模板.docx", help=t("cli.help.template_out"))

    bundle = sub.add_parser("files", help=t("cli.help.files"), description=t("cli.help.files"))
    bundle.add_argument("round", help=t("cli.help.round"))
    bundle.add_argument("--campaign", help=t("cli.help.campaign"))
    bundle.add_argument("--out", required=True, help=t("cli.help.files_out"))

    cast = sub.add_parser("broadcast", help=t("cli.help.broadcast"),
                          description=t("cli.help.broadcast"))
    cast.add_argument("--to", required=True, metavar="all|role:ROLE|unit:CODE,...|missing:ROUND",
                      help=t("cli.help.to"))
    cast.add_argument("--text-file", required=True, help=t("cli.help.text_file"))
    cast.add_argument("--attach", help=t("cli.help.attach"))
    cast.add_argument("--yes", action="store_true", help=t("cli.help.yes"))
    cast.add_argument("--campaign", help=t("cli.help.campaign"))

    people = sub.add_parser("contacts", help=t("cli.help.contacts"),
                            description=t("cli.help.contacts"))
    people.add_argument("action", choices=["list", "deactivate", "move", "reinvite"],
                        help=t("cli.help.contacts_action"))
    people.add_argument("target", nargs="?", help=t("cli.help.contacts_target"))
    people.add_argument("unit", nargs="?", help=t("cli.help.unit"))

    listing = sub.add_parser("campaigns", help=t("cli.help.campaigns"),
                             description=t("cli.help.campaigns"))
    listing.add_argument("action", nargs="?", choices=["list", "archive"], default="list",
                         help=t("cli.help.campaigns_action"))
    listing.add_argument("code", nargs="?", help=t("cli.help.campaign_code"))

    sub.add_parser("run", help=t("cli.help.run"), description=t("cli.help.run"))

    demo = sub.add_parser("demo", help=t("cli.help.demo"), description=t("cli.help.demo"))
    demo.add_argument("--out", default="out", help=t("cli.help.out"))
    demo.add_argument("--speed", type=float, default=60_000, help=t("cli.help.speed"))
    return parser


MAX_INVITE_DAYS = 365


def _days(value: str) -> int:
    """`--days`: a whole number of days from 1 to a year."""
    try:
        days = int(value)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_INVITE_DAYS:
        raise argparse.ArgumentTypeError(t("cli.bad_days", value=value, most=MAX_INVITE_DAYS))
    return days


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = COMMANDS[args.command]
    try:
        settings = Settings()
    except ValidationError as exc:
        return _fail("; ".join(str(e["msg"]).removeprefix("Value error, ")
                               for e in exc.errors()))
    logs.setup(settings.log_level, settings.secrets())
    try:
        return asyncio.run(command(args))
    except CampaignFileError as exc:
        print(t("cli.campaign_invalid", path=exc.path), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_ERROR
    except CliError as exc:
        return _fail(str(exc))
    except NotInitialised:
        return _fail(t("cli.not_initialised"))
    except LeaseHeld as exc:
        return _fail(t("cli.another_poller", holder=exc.holder))
    except NewerSchema as exc:
        return _fail(t("cli.newer_schema", revision=exc.revision))
    except (ArgumentError, NoSuchModuleError):  # what Settings let through, if anything
        return _fail(t("cli.bad_database_url", url=settings.safe_database_url))
    except MissingToken:
        return _fail(t("cli.no_token"))
    except InvalidToken:
        return _fail(t("cli.token_refused"))
    except (OperationalError, DBAPIError, OSError) as exc:
        return _fail(t("cli.db_unreachable", url=settings.safe_database_url,
                       reason=_reason(exc)))
    except KeyboardInterrupt:
        return 130


def _fail(message: str) -> int:
    print(t("cli.error", message=message), file=sys.stderr)
    return EXIT_ERROR


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return logs.redact(str(original).splitlines()[0] if str(original) else type(original).__name__)


async def cmd_init(args: argparse.Namespace) -> int:
    services = await open_services(attach=False)
    lang = language_of(os.environ.get("LANG"))
    try:
        changes = await services.initialise(lang)
        url = services.settings.safe_database_url
        if services.several:
            print(t("cli.init_done_several", lang, url=url, n=len(services.each())))
            for served in services.each():
                campaign = served.campaign
                print(t("cli.init_campaign", lang, campaign=campaign.name.get(lang),
                        code=campaign.code, units=len(campaign.units),
                        rounds=len(campaign.rounds)))
        else:
            campaign = services.campaign
            print(t("cli.init_done", lang, url=url, campaign=campaign.name.get(lang),
                    units=len(campaign.units), rounds=len(campaign.rounds)))
        print(t("cli.init_changes", lang, changes=t("list.semicolon", lang).join(changes))
              if changes else t("cli.init_no_changes", lang))
    finally:
        await services.close()
    return 0


async def cmd_status(args: argparse.Namespace) -> int:
    services = await open_services()
    try:
        served = services.each()
        if args.round is not None:
            served = [round_campaign(services, args.round, args.campaign)]
        elif args.campaign is not None:
            served = [s for s in served if s.campaign.code == args.campaign]
            if not served:
                raise CliError(t("cli.unknown_campaign", code=args.campaign, codes=", ".join(
                    s.campaign.code for s in services.each())))
        blocks = [await _campaign_status(campaign, args.round) for campaign in served]
        print("\n\n".join("\n".join(lines) for lines in blocks))
    finally:
        await services.close()
    return 0


async def _campaign_status(services: Services, round_code: str | None) -> list[str]:
    """One campaign's units, rounds with their counts, and the province's deadlines."""
    campaign, zone = services.campaign, services.campaign.zone
    async with services.sessions() as session:
        units = await active_units(session, services.campaign_id)
        retired = await retired_units(session, services.campaign_id)
        counts = await round_counts(session, services.campaign_id)
    reporting = [u for u in units if not u.is_province]
    lines = [
        t("status.title", campaign=campaign.name.zh, theme=campaign.theme.zh)
        if campaign.theme else campaign.name.zh,
        t("status.period", **_period(campaign.period.start, campaign.period.end)),
        t("status.units", n=len(reporting), names="、".join(u.short_name for u in reporting)),
        t("status.rounds"),
    ]
    for count in counts:
        if round_code is not None and count.round.code != round_code:
            continue
        late = t("status.round_late", n=count.late) if count.late else ""
        lines.append(t("status.round_line", title=count.round.title,
                       due=moment(count.round.due_at, zone), submitted=count.submitted,
                       total=count.total, late=late))
    if campaign.upstream and round_code is None:
        lines.append(t("status.upstream", **upstream_name(campaign)))
        for up in campaign.upstream:
            lines.append(t("status.upstream_line", title=up.title.zh,
                           due=moment(campaign.upstream_deadline(up.code), zone)))
    if retired:
        lines.append(t("status.retired", names="、".join(u.short_name for u in retired)))
    return lines



async def cmd_invite(args: argparse.Namespace) -> int:
    services = await open_services()
    settings = services.settings
    try:
        async with services.transaction() as session:
            unit = await unit_by_code(session, args.unit)
            if unit is None:
                codes = await roster_codes(session)
                raise CliError(t("cli.unknown_unit", code=args.unit, codes=", ".join(codes)))
            role = m.Role(args.role) if args.role else (
                m.Role.COORDINATOR if unit.is_province else m.Role.CONTACT)
            if not role_fits_unit(role, unit):
                raise CliError(_role_mismatch(role, services))
            days = args.days or settings.invite_days
            code, invite = await create_invite(session, unit, role, services.clock.now(), days)
        print(t("cli.invite_header", unit=unit.name, role=t(f"role.{role}"), days=days))
        print(t("cli.invite_link", link=invite_link(settings.bot_username, code)))
        if not settings.bot_username.lstrip("@"):
            print(t("cli.invite_no_username"))
        print(t("cli.invite_code", code=code))
        print(t("cli.invite_expires", when=moment(invite.expires_at, services.campaign.zone)))
    finally:
        await services.close()
    return 0


async def cmd_import_contacts(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(t("cli.no_such_file", path=path))
    try:
        rows = read_rows(path)
    except RosterError as exc:
        problems = "; ".join(exc.problems)
        raise CliError(t("cli.roster_invalid", path=path, problems=problems)) from None
    services = await open_services()
    try:
        async with services.transaction() as session:
            added, updated = await import_roster(session, rows,
                                                 services.clock.now())
        print(t("cli.roster_done", added=added, updated=updated))
    except RosterError as exc:
        print(t("cli.roster_invalid", path=path, problems=""), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        await services.close()
    return 0


def _role_mismatch(role: m.Role, services: Services) -> str:
    campaign = services.campaign
    if role is m.Role.CONTACT:
        expected = t("cli.expected_units")
        codes = ", ".join(u.code for u in campaign.units)
    else:
        expected = t("cli.expected_province", name=campaign.province.name)
        codes = campaign.province.code
    return t("cli.role_unit_mismatch", role=t(f"role.{role}"), expected=expected, codes=codes)


def _period(start: dt.date, end: dt.date) -> dict[str, str]:
    """`1月20日（周三）` to `2月18日（周四）`; with the years when it spans two."""
    if start.year == end.year:
        return {"start": day(start), "end": day(end)}
    return {"start": full_date(start), "end": full_date(end)}


async def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import serve, stop_on_signals

    _ = Settings().token  # fails first, naming the variable to set
    services = await open_services()
    try:
        stop = asyncio.Event()
        stop_on_signals(stop)
        mode = "webhook" if services.settings.webhook_url else "polling"
        print(t("cli.run_starting", mode=mode))
        await serve(services, stop)
    finally:
        await services.close()
    return 0


async def cmd_digest(args: argparse.Namespace) -> int:
    from reporting.digest_files import render_file
    from reporting.digest_text import digest_text
    from storage.digest_data import load_digest

    services = await open_services()
    try:
        served = round_campaign(services, args.round, args.campaign)
        async with services.readers() as session:
            digest = await load_digest(session, served.campaign, served.campaign_id,
                                       args.round, services.clock.now())
    finally:
        await services.close()
    if args.format == "text":
        text = "\n".join(plain(part) for part in digest_text(digest))
        if args.out:
            _write(Path(args.out), (text + "\n").encode("utf-8"))
            print(t("cli.digest_written", path=args.out))
        else:
            print(text)
        return 0
    made = render_file(digest, "report" if args.format == "docx" else args.format)
    out = Path(args.out or made.name)  # named as the chat names it
    if out.is_dir():
        out = out / made.name
    _write(out, made.content)
    print(t("cli.digest_written", path=out))
    return 0


def _write(path: Path, content: bytes) -> None:
    """Write a file the operator named, or say in one line why it cannot be."""
    if path.is_dir():
        raise CliError(t("cli.out_is_directory", path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        raise CliError(t("cli.cannot_write", path=path, reason=exc.strerror or exc)) from None


async def cmd_broadcast(args: argparse.Namespace) -> int:
    from bot.broadcast_cli import broadcast

    return await broadcast(args)


async def cmd_template(args: argparse.Namespace) -> int:
    """The default report template, to start the province's own from."""
    from reporting.report_template import default_template

    _write(Path(args.out), default_template())
    print(t("cli.digest_written", path=args.out))
    return 0


async def cmd_files(args: argparse.Namespace) -> int:
    from bot.files_cli import files

    return await files(args)


async def cmd_campaigns(args: argparse.Namespace) -> int:
    from bot.campaigns_cli import campaigns

    return await campaigns(args)


async def cmd_contacts(args: argparse.Namespace) -> int:
    from bot.contacts_cli import contacts

    return await contacts(args)


async def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return await run_demo(out_dir=args.out, speed=args.speed)


COMMANDS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "init": cmd_init,
    "status": cmd_status,
    "invite": cmd_invite,
    "import-contacts": cmd_import_contacts,
    "digest": cmd_digest,
    "files": cmd_files,
    "template": cmd_template,
    "broadcast": cmd_broadcast,
    "contacts": cmd_contacts,
    "campaigns": cmd_campaigns,
    "run": cmd_run,
    "demo": cmd_demo,
}
