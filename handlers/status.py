"""`/status`, `/deadlines` and `/language`: where the unit stands, the calendar, and the
language of the bot's messages."""

from __future__ import annotations

import html
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from flows import channel
from flows.permissions import menu
from flows.standing import deadline_lines, status_lines
from handlers.context import BotContext
from handlers.joining import set_menu
from handlers.keyboards import action_button
from storage import contacts
from storage import models as m
from texts.buttons import Action
from texts.catalog import LANGUAGES, t
from texts.text import split_message


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("status", status))
    application.add_handler(CommandHandler("deadlines", deadlines))
    application.add_handler(CommandHandler("language", language))
    application.add_handler(CommandHandler("whoami", whoami))
    application.add_handler(CallbackQueryHandler(language_chosen, pattern=r"^lang:"))
    application.add_handler(CommandHandler("channel", channel_command))
    application.add_handler(CallbackQueryHandler(channel_chosen, pattern=r"^ch:"))


async def help_command(update: Update, context: BotContext) -> None:
    """What this role can do, or how to join."""
    assert update.effective_message is not None
    lang, contact = context.lang, context.contact
    if contact is None:
        campaign = html.escape(context.services.campaign.name.get(lang))
        await update.effective_message.reply_text(t("help.unbound", lang, campaign=campaign))
        return
    lines = [t("help.intro", lang, role=t(f"role.{contact.role}", lang),
               unit=html.escape(contact.unit.name))]
    lines += [f"/{name} — {t(f'menu.{name}', lang)}" for name in menu(m.Role(contact.role))]
    await update.effective_message.reply_text("\n".join(lines))


async def whoami(update: Update, context: BotContext) -> None:
    """Who the bot takes this person for: name, unit, role, language, Telegram id."""
    assert update.effective_message is not None and context.contact is not None
    contact, lang = context.contact, context.lang
    await update.effective_message.reply_text(t(
        "whoami", lang, name=html.escape(contact.name), unit=html.escape(contact.unit.name),
        role=t(f"role.{contact.role}", lang), language=t("language.name", lang),
        id=contact.telegram_user_id))


async def status(update: Update, context: BotContext) -> None:
    """Where the unit stands, or the province's counts (flows.standing)."""
    assert update.effective_message is not None and context.contact is not None
    await _reply(update.effective_message,
                 await status_lines(context.services, context.contact, context.lang))


async def deadlines(update: Update, context: BotContext) -> None:
    """The reporting calendar (flows.standing)."""
    assert update.effective_message is not None and context.contact is not None
    await _reply(update.effective_message,
                 await deadline_lines(context.services, context.contact, context.lang))


async def _reply(message: Message, lines: list[str]) -> None:
    for part in split_message("\n".join(lines)):
        await message.reply_text(part)


async def language(update: Update, context: BotContext) -> None:
    """Offer the languages as buttons."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[
        action_button(t("language.name", code), Action.LANGUAGE, code)
        for code in LANGUAGES
    ]])
    await update.effective_message.reply_text(t("language.choose", context.lang),
                                              reply_markup=keyboard)


async def language_chosen(update: Update, context: BotContext) -> None:
    """Keep the chosen language and reset the menu in it."""
    query = update.callback_query
    pressed = context.pressed
    assert query is not None and pressed is not None and context.contact is not None
    code = pressed.code(0)
    if code not in LANGUAGES:
        await query.answer()
        return
    services = context.services
    async with services.transaction() as session:
        await contacts.set_language(session, context.contact.id, code)
    context.contact = replace(context.contact, language=code)
    await query.answer(t("language.set", code))
    await query.edit_message_text(t("language.set", code))
    await set_menu(context, context.contact)


async def channel_command(update: Update, context: BotContext) -> None:
    """Where reminders reach someone on both Telegram and WeCom: the two, to choose."""
    assert update.effective_message is not None and context.contact is not None
    said, both = await channel.offer(context.services, context.contact, context.lang)
    keyboard = InlineKeyboardMarkup([[
        action_button(t(f"channel.{name}", context.lang), Action.CHANNEL, name)
        for name in channel.CHANNELS]]) if both else None
    await update.effective_message.reply_text(said, reply_markup=keyboard)


async def channel_chosen(update: Update, context: BotContext) -> None:
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None and context.contact is not None
    said = await channel.choose(context.services, context.contact, pressed.code(0),
                                context.lang)
    await query.answer()
    await query.edit_message_text(said)
