"""`python -m bot broadcast`: a notice from a script, through the same ledger and sender
as the bot's own (a running bot may share the work; no one gets it twice)."""

from __future__ import annotations

import argparse
import mimetypes
import sys
from pathlib import Path

from telegram.ext import ExtBot

from bot.cli_support import CliError, open_services, round_campaign
from flows import broadcast as flow
from flows.form_files import IncomingFile
from scheduler.sender import DeliverySender
from storage import broadcasts
from telegram_io.aiohttp_request import AiohttpRequest
from telegram_io.pacer import PaceLimits, Pacer
from telegram_io.rate_limit import PacedRateLimiter
from texts.catalog import t
from texts.text import plain


async def broadcast(args: argparse.Namespace) -> int:
    try:
        audience = broadcasts.parse_audience(args.to)
    except broadcasts.AudienceError:
        raise CliError(t("cli.bad_audience", value=args.to)) from None
    text = _read_text(Path(args.text_file))
    attach = Path(args.attach) if args.attach else None
    if attach is not None and not attach.is_file():
        raise CliError(t("cli.no_such_file", path=attach))
    incoming = None
    if attach is not None:
        mime = mimetypes.guess_type(attach.name)[0] or "application/octet-stream"
        incoming = IncomingFile(content=attach.read_bytes(), file_name=attach.name,
                                mime_type=mime)
    services = await open_services()
    settings = services.settings
    try:
        _ = settings.token
        if "missing" in audience:  # a round of one campaign served
            audience["campaign"] = round_campaign(services, audience["missing"],
                                                  args.campaign).campaign_id
        prepared = await flow.prepare(services, text, audience, incoming,
                                      photo=incoming is not None
                                      and incoming.mime_type in {"image/jpeg", "image/png"})
        if isinstance(prepared, flow.Refused):
            raise CliError(t(prepared.key, **prepared.values))
        broadcast_id, count = prepared
        print(t("cli.broadcast_preview", n=count))
        print(text)
        if not count:
            await flow.cancel(services, None, broadcast_id)
            raise CliError(t("broadcast.nobody"))
        if not args.yes and not _confirmed():
            await flow.cancel(services, None, broadcast_id)
            print(t("broadcast.cancelled"))
            return 1
        sent = await flow.send(services, None, broadcast_id)
        if isinstance(sent, flow.Refused):
            raise CliError(t(sent.key, **sent.values))
        root = settings.telegram_api_base_url
        bot = ExtBot(settings.token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot",
                     request=AiohttpRequest(),
                     rate_limiter=PacedRateLimiter(Pacer(PaceLimits(per_second=settings.send_rate))))
        sender = DeliverySender(services, bot)
        shown = -1

        async def finished() -> bool:
            nonlocal shown
            result = await flow.report(services, broadcast_id)
            if result.done != shown:
                shown = result.done
                print(plain(t("broadcast.progress", done=result.done, total=result.total)),
                      flush=True)
            return result.finished

        async with bot:
            await sender.drain(done=finished, timeout=24 * 3600)
        await flow.finish(services, broadcast_id)
        print(plain(flow.render_report(await flow.report(services, broadcast_id), "zh")))
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
