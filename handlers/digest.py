"""What the province reads of a round (coordinators and admins): `/digest [ROUND]`,
`/progress [ROUND]` and `/files [ROUND]` (every file units sent, zipped by unit). Accepting
or returning a report from the progress screen: handlers/review.py."""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from flows.digests import file_caption
from flows.files import round_bundle
from flows.progress import progress_view
from flows.services import Services
from handlers import round_pick
from handlers.context import BotContext
from handlers.keyboards import action_button
from reporting.digest_files import LABELS, render_file
from reporting.digest_text import digest_text
from storage.digest_data import load_digest
from texts.buttons import Action
from texts.catalog import t
from texts.text import split_message

Button = InlineKeyboardButton


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("digest", digest))
    application.add_handler(CommandHandler("progress", progress))
    application.add_handler(CommandHandler("files", files))
    application.add_handler(CallbackQueryHandler(round_chosen, pattern=r"^(dg|pg|fl):"))


QUESTIONS = {Action.DIGEST_ROUND: "digest.which", Action.PROGRESS_ROUND: "progress.which",
             Action.FILES_ROUND: "files.which"}


async def digest(update: Update, context: BotContext) -> None:
    """The round's digest now: chat, Word and Excel (provisional before the deadline)."""
    await _for_round(update, context, Action.DIGEST_ROUND, send_digest)


async def progress(update: Update, context: BotContext) -> None:
    """Who has and has not submitted, now: each report to open, accept or return; the
    units that owe it, with whom to call; what to check before forwarding."""
    await _for_round(update, context, Action.PROGRESS_ROUND, send_progress)


async def files(update: Update, context: BotContext) -> None:
    """Every file units sent for the round, as one zip (or several under 50 MB each)."""
    await _for_round(update, context, Action.FILES_ROUND, send_files)


async def _for_round(update: Update, context: BotContext, action: Action,
                     send: Any) -> None:
    """Province only; the round named after the command, or a choice of rounds."""
    message = update.effective_message
    assert message is not None
    pick = await round_pick.resolve(message, context, action, QUESTIONS[action])
    if pick is not None:
        await send(message, context, *pick)


async def round_chosen(update: Update, context: BotContext) -> None:
    """A round picked for /digest or /progress."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None
    if not isinstance(query.message, Message):  # too old to answer in
        await query.answer()
        return
    await query.answer()
    pick = round_pick.pressed(context)
    if pick is None:
        return
    send = {Action.DIGEST_ROUND: send_digest, Action.PROGRESS_ROUND: send_progress,
            Action.FILES_ROUND: send_files}[pressed.action]
    await send(query.message, context, *pick)


async def send_digest(message: Message, context: BotContext, services: Services,
                      code: str) -> None:
    async with services.readers() as session:
        compiled = await load_digest(session, services.campaign, services.campaign_id, code,
                                     services.clock.now())
    lang, zone = context.lang, services.campaign.zone
    for part in digest_text(compiled, lang):  # the summary first: the files take a moment
        await message.chat.send_message(part)
    await message.chat.send_action("upload_document")
    for kind in LABELS:  # each file as soon as it is made
        made = render_file(compiled, kind)
        await message.chat.send_document(
            InputFile(made.content, filename=made.name),
            caption=file_caption(kind, compiled.round_title, compiled.as_of, zone, lang))


async def send_files(message: Message, context: BotContext, services: Services,
                     code: str) -> None:
    lang = context.lang
    title = html.escape(services.round_title(code, lang))
    bundles = await round_bundle(services, code)
    if not bundles:
        await message.chat.send_message(t("files.none", lang, round=title))
        return
    await message.chat.send_action("upload_document")
    for i, bundle in enumerate(bundles, 1):
        caption = t("files.caption", lang, round=title, n=bundle.files,
                    part=t("files.part", lang, i=i, of=len(bundles)) if len(bundles) > 1 else "")
        await message.chat.send_document(InputFile(bundle.content, filename=bundle.name),
                                         caption=caption)


async def send_progress(message: Message, context: BotContext, services: Services,
                        code: str) -> None:
    lang = context.lang
    view = await progress_view(services, code, lang)
    rows = []
    for report in view.reports:
        row = [action_button(t("progress.open", lang, unit=report.unit), Action.OPEN_REPORT,
                             report.submission_id)]
        if not report.decided:
            row.append(action_button(t("progress.accept", lang, unit=report.unit),
                                     Action.ACCEPT_REPORT, report.submission_id))
            row.append(action_button(t("progress.return", lang, unit=report.unit),
                                     Action.RETURN_REPORT, report.submission_id))
        rows.append(row)
    rows += [[action_button(t("progress.return_checked", lang, unit=report.unit),
                            Action.RETURN_CHECKED, report.submission_id)]
             for report in view.checked]
    if view.owed:  # the units that owe the round, reminded from here as /remind does
        rows.append([action_button(t("progress.remind", lang, n=view.owed),
                                   Action.REMIND_ROUND, code, services.campaign_id)])
    parts = split_message("\n".join(view.lines))
    for i, part in enumerate(parts, 1):
        await message.chat.send_message(
            part, reply_markup=InlineKeyboardMarkup(rows) if rows and i == len(parts) else None)
