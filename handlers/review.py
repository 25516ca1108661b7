"""Reviewing a unit's report from `/progress`: ✅ 通过 accepts it; ↩️ 退回 asks for the
reason and takes it (routed here by handlers/messages.py when the slot awaits it)."""

from __future__ import annotations

import html

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler

from flows import review
from handlers.context import BotContext
from storage import waiting
from texts.catalog import t


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(return_chosen, pattern=r"^rt:"))
    application.add_handler(CallbackQueryHandler(accept_chosen, pattern=r"^ac:"))


async def accept_chosen(update: Update, context: BotContext) -> None:
    """通过 pressed: the version is accepted and the unit told."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None and context.contact is not None
    await query.answer()
    if not isinstance(query.message, Message):
        return
    done = await review.accept_report(context.services, context.contact.id, pressed.id(0))
    lang = context.lang
    if done is None:
        await query.message.chat.send_message(t("progress.accept_stale", lang))
        return
    await query.message.chat.send_message(
        t("progress.accepted", lang, unit=html.escape(done.unit_name), n=done.told))


async def return_chosen(update: Update, context: BotContext) -> None:
    """退回 pressed: ask for the reason (the next message is it)."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None and context.contact is not None
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await review.ask_reason(context.services, context.contact.id, pressed.id(0))
    await query.message.chat.send_message(t("progress.ask_reason", context.lang))


async def take_reason(message: Message, context: BotContext, slot: waiting.Slot) -> None:
    """The reason for the return the coordinator was asked about."""
    assert context.contact is not None
    lang = context.lang
    if not message.text:  # a file or a sticker: the reason is still awaited
        await message.reply_text(t("progress.ask_reason", lang))
        return
    done = await review.return_report(context.services, context.contact.id, slot,
                                       message.text)
    if done is None:
        await message.reply_text(t("progress.return_stale", lang))
        return
    await message.reply_text(t("progress.returned", lang, unit=html.escape(done.unit_name),
                               n=done.told))
