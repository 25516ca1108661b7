"""Plain messages (text, photos, documents, anything else), routed by who sent them:
a contact's go to their report form, an admin's to the notice they are writing."""

from __future__ import annotations

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, MessageHandler, filters

from flows.report_form import MAX_FILE_BYTES, IncomingFile
from handlers import broadcast, digest, report
from handlers.context import BotContext
from storage import models as m
from texts.catalog import t


def register_edits(application: Application) -> None:  # type: ignore[type-arg]
    """First of all handlers: an edited message is never taken as anything."""
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, on_edited))


def register(application: Application) -> None:  # type: ignore[type-arg]
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


async def on_text(update: Update, context: BotContext) -> None:
    """Text: an answer, a notice, or a reminder of what this person can do."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    role = context.contact.role
    if role == m.Role.CONTACT:
        await report.text_answer(message, context)
        return
    if await digest.take_reason(message, context):
        return
    if not (role == m.Role.ADMIN and await broadcast.take_message(message, context, None)):
        await message.reply_text(t("messages.use_commands", context.lang))


async def on_file(update: Update, context: BotContext) -> None:
    """A photo or document, downloaded and kept: for the report, or for a notice."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    role = context.contact.role
    if role == m.Role.COORDINATOR:
        await message.reply_text(t("messages.use_commands", context.lang))
        return
    incoming = await download(message, context)
    if incoming is None:
        return
    if role == m.Role.CONTACT:
        await report.file_answer(message, context, incoming)
    elif not await broadcast.take_message(message, context, incoming):
        await message.reply_text(t("messages.use_commands", context.lang))


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
                        telegram_file_id=file_id)
