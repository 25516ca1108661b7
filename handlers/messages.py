"""Plain messages (text, photos, documents, anything else), routed by what the bot waits
for from the sender (storage.waiting: a return's reason, a notice), else to a reporter's
form, else a hint."""

from __future__ import annotations

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from flows.report_form import MAX_FILE_BYTES, IncomingFile
from handlers import broadcast, report, review
from handlers.context import BotContext
from storage import broadcasts, waiting
from storage import models as m
from storage.waiting import Awaiting
from texts.catalog import t


def register_edits(application: Application) -> None:  # type: ignore[type-arg]
    """First of all handlers: an edited message is never taken as anything."""
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, on_edited))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("cancel", cancel))
    application.add_handler(MessageHandler(filters.PHOTO | filters.Document.ALL, on_file))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(
        ~filters.COMMAND & ~filters.TEXT & ~filters.CONTACT & ~filters.StatusUpdate.ALL,
        on_other))


async def on_edited(update: Update, context: BotContext) -> None:
    """An edit of a message sent before: it changes nothing stored; say how to change it."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(t("messages.edit_ignored", context.lang))


async def awaited(context: BotContext) -> waiting.Slot | None:
    """What the bot waits for from this person (a return's reason, a notice), if anything."""
    assert context.contact is not None
    services = context.services
    async with services.readers() as session:
        return await waiting.slot_of(session, context.contact.id, services.clock.now())


async def cancel(update: Update, context: BotContext) -> None:
    """Leave whatever the bot waits for: a return's reason, a notice being written, or the
    form (its draft stays)."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    services = context.services
    async with services.transaction() as session:
        slot = await waiting.slot_of(session, context.contact.id, services.clock.now())
        await waiting.clear(session, context.contact.id)
        if slot is not None and slot.kind is Awaiting.BROADCAST_TEXT:
            await broadcasts.cancel(session, slot.target_id)
    if slot is not None:
        await message.reply_text(t(f"cancel.{slot.kind.value}", context.lang))
    elif context.contact.role == m.Role.CONTACT:
        await report.cancel(message, context)
    else:
        await message.reply_text(t("cancel.nothing", context.lang))


async def on_text(update: Update, context: BotContext) -> None:
    """Text: what the bot asked this person for; a reporter's answer; or a hint."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    slot = await awaited(context)
    if slot is not None and slot.kind is Awaiting.RETURN_REASON:
        await review.take_reason(message, context, slot)
    elif slot is not None and slot.kind is Awaiting.BROADCAST_TEXT:
        await broadcast.take_message(message, context, None, slot)
    elif context.contact.role == m.Role.CONTACT:  # the form's cursor says which question
        await report.text_answer(message, context)
    else:
        await message.reply_text(t("messages.use_commands", context.lang))


async def on_file(update: Update, context: BotContext) -> None:
    """A photo or document, downloaded and kept: for the report, or for a notice."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    slot = await awaited(context)
    if slot is not None and slot.kind is Awaiting.RETURN_REASON:
        await review.take_reason(message, context, slot)
        return
    wanted = (slot is not None and slot.kind is Awaiting.BROADCAST_TEXT) or (
        context.contact.role == m.Role.CONTACT)
    if not wanted:
        await message.reply_text(t("messages.use_commands", context.lang))
        return
    incoming = await download(message, context)
    if incoming is None:
        return
    if slot is not None:
        await broadcast.take_message(message, context, incoming, slot)
    else:
        await report.file_answer(message, context, incoming)


async def on_other(update: Update, context: BotContext) -> None:
    """Stickers, voice, locations...: a hint."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    if context.contact.role == m.Role.CONTACT:
        await report.other_message(message, context)
    else:
        await message.reply_text(t("messages.use_commands", context.lang))


async def download(message: Message, context: BotContext) -> IncomingFile | None:
    """The file's bytes (Telegram lets bots download up to 20 MB), or a reply saying why
    not."""
    if message.photo:
        size = message.photo[-1]
        file_id, name, mime, file_size = (size.file_id, f"photo_{size.file_unique_id}.jpg",
                                          "image/jpeg", size.file_size)
    else:
        document = message.document
        assert document is not None
        file_id, name, mime, file_size = (document.file_id, document.file_name or "file",
                                          document.mime_type or "application/octet-stream",
                                          document.file_size)
    if file_size is not None and file_size > MAX_FILE_BYTES:
        await message.reply_text(t("form.error.file_too_big", context.lang))
        return None
    try:
        telegram_file = await context.bot.get_file(file_id)
        content = bytes(await telegram_file.download_as_bytearray())
    except BadRequest:
        await message.reply_text(t("form.error.file_too_big", context.lang))
        return None
    return IncomingFile(content=content, file_name=name, mime_type=mime,
                        telegram_file_id=file_id, caption=message.caption)
