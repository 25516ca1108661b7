"""`/contacts [UNIT]` (admins): a unit's people, with buttons to deactivate one or issue a
new invite. Moving someone between units is on the command line (`python -m bot contacts
move`)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from flows.joining import invite_link
from handlers.context import BotContext
from handlers.keyboards import action_button
from storage.contacts import deactivate, person_by_id, roster_people
from storage.invites import create_invite
from texts.buttons import Action
from texts.catalog import t

Button = InlineKeyboardButton


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("contacts", contacts))
    application.add_handler(CallbackQueryHandler(button, pattern=r"^ct:"))


async def contacts(update: Update, context: BotContext) -> None:
    """List a unit's people, or ask which unit."""
    message = update.effective_message
    assert message is not None
    units = context.services.roster()
    if context.args and context.args[0] in units:
        await show_unit(message, context, context.args[0])
        return
    listed = list(units.values())
    rows = [[action_button(u.short_name, Action.CONTACTS_OF_UNIT, u.code)
             for u in listed[i:i + 4]] for i in range(0, len(listed), 4)]
    await message.reply_text(t("contacts.which_unit", context.lang),
                             reply_markup=InlineKeyboardMarkup(rows))


async def show_unit(message: Message, context: BotContext, code: str) -> None:
    lang, services = context.lang, context.services
    async with services.readers() as session:
        people = await roster_people(session, code)
    unit = services.roster()[code]
    lines = [t("contacts.title", lang, unit=html.escape(unit.name))]
    buttons = []
    for p in people:
        state = t("contacts.active" if p.active else "contacts.inactive", lang)
        joined = t("contacts.joined" if p.telegram_user_id else "contacts.roster", lang)
        lines.append(html.escape(t("contacts.line", lang, id=p.id, unit=p.unit.short_name,
                                   name=p.name, role=t(f"role.{p.role}", lang),
                                   phone=p.phone or "—", state=state, joined=joined)))
        if p.active:
            buttons.append([
                action_button(t("contacts.btn.deactivate", lang, name=p.name)[:40],
                              Action.DEACTIVATE_PERSON, p.id),
                action_button(t("contacts.btn.reinvite", lang, name=p.name)[:40],
                              Action.REINVITE_PERSON, p.id)])
    if not people:
        lines.append(t("contacts.none", lang))
    await message.chat.send_message("\n".join(lines),
                                    reply_markup=InlineKeyboardMarkup(buttons) if buttons else None)


async def button(update: Update, context: BotContext) -> None:
    """A unit chosen, a person deactivated, or a new invite."""
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, Message):
        await query.answer()
        return
    pressed = context.pressed
    assert pressed is not None
    await query.answer()
    services, lang = context.services, context.lang
    if pressed.action is Action.CONTACTS_OF_UNIT:
        if pressed.code(0) in services.roster():
            await show_unit(query.message, context, pressed.code(0))
        return
    async with services.transaction() as session:
        person = await person_by_id(session, pressed.id(0))
        if person is None:
            return
        unit = person.unit
        if pressed.action is Action.DEACTIVATE_PERSON:
            await deactivate(session, person.id)
            text = t("contacts.deactivated", lang, name=html.escape(person.name))
        else:
            code, _ = await create_invite(session, unit, person.role,
                                          services.clock.now(), services.settings.invite_days)
            text = t("contacts.invite_text", lang, name=html.escape(person.name),
                     days=services.settings.invite_days,
                     link=invite_link(services.settings.bot_username or context.bot.username,
                                      code))
    await query.message.chat.send_message(text)
