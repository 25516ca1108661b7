"""`python -m bot broadcast`: a notice from a script, through the same ledger and sender
as the bot's own (a running bot may share the work; no one gets it twice)."""

from __future__ import annotations

import argparse
import mimetypes
import sys
from pathlib import Path

from telegram.ext import ExtBot

from bot.cli_support import CliError, open_services, plain
from flows.broadcast import render_report
from scheduler.pacer import PaceLimits, Pacer
from scheduler.rate_limit import PacedRateLimiter
from scheduler.sender import DeliverySender
from storage import broadcasts
from storage import models as m
from texts.catalog import t


async def broadcast(args: argparse.Namespace) -> int:
    try:
        audience = broadcasts.parse_audience(args.to)
    except broadcasts.AudienceError:
        raise CliError(t("cli.bad_audience", value=args.to)) from None
    text = _read_text(Path(args.text_file))
    attach = Path(args.attach) if args.attach else None
    if attach is not None and not attach.is_file():
        raise CliError(t("cli.no_such_file", path=attach))
    if attach is not None and len(text) > 1024:
        raise CliError(t("broadcast.caption_too_long", limit=1024))
    services = await open_services()
    settings = services.settings
    try:
        _ = settings.token
        now = services.clock.now()
        async with services.transaction() as session:
            try:
                people = await broadcasts.recipients(session, services.campaign_id, audience)
            except broadcasts.AudienceError as exc:
                raise CliError(t("cli.bad_audience", value=str(exc))) from None
        print(t("cli.broadcast_preview", n=len(people)))
        print(text)
        if not people:
            raise CliError(t("broadcast.nobody"))
        if not args.yes and not _confirmed():
            print(t("broadcast.cancelled"))
            return 1
        async with services.transaction() as session:
            row = await broadcasts.start_broadcast(session, None, now)
            row.text, row.audience = text, audience
            if attach is not None:
                mime = mimetypes.guess_type(attach.name)[0] or "application/octet-stream"
                file = m.Attachment(file_name=attach.name, mime_type=mime,
                                    size=attach.stat().st_size, sha256="",
                                    content=attach.read_bytes(), created_at=now)
                session.add(file)
                await session.flush()
                row.attachment_id = file.id
                row.attachment_kind = "photo" if mime in {"image/jpeg", "image/png"} \
                    else "document"
            sent = await broadcasts.confirm(session, row, services.campaign_id, now,
                                            services.outbox)
        root = settings.telegram_api_base_url
        bot = ExtBot(settings.token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot",
                     rate_limiter=PacedRateLimiter(Pacer(PaceLimits(per_second=settings.send_rate))))
        sender = DeliverySender(services, bot)
        shown = -1

        async def finished() -> bool:
            nonlocal shown
            async with services.readers() as session:
                result = await broadcasts.report(session, sent.broadcast)
            if result.done != shown:
                shown = result.done
                print(plain(t("broadcast.progress", done=result.done, total=result.total)),
                      flush=True)
            return result.finished

        async with bot:
            await sender.drain(done=finished, timeout=24 * 3600)
        async with services.readers() as session:
            result = await broadcasts.report(session, sent.broadcast)
        print(plain(render_report(result, "zh")))
    finally:
        await services.close()
    return 0


def _read_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        raise CliError(t("cli.no_such_file", path=path)) from None
    except UnicodeDecodeError:
        raise CliError(t("cli.not_utf8", path=path)) from None
    if not text:
        raise CliError(t("broadcast.empty"))
    return text


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        raise CliError(t("cli.need_yes"))
    return input(t("cli.confirm")).strip().lower() in {"y", "yes", "是"}
