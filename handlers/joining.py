"""Joining: `/start <code>` with an invite (or the bare code), or sharing one's own phone
number that the roster knows. Once bound, the person is greeted and gets the command menu
of their role."""

from __future__ import annotations

import html

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from flows import joining
from flows.permissions import menu
from handlers import messages
from handlers.context import BotContext
from storage import models as m
from storage.invites import InviteProblem
from storage.joining import TelegramPerson
from storage.records import PersonRecord
from storage.taking_part import campaigns_of
from texts.catalog import language_of, t
from texts.dates import moment


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.CONTACT, shared_contact))
    application.add_handler(MessageHandler(
        filters.TEXT & ~filters.COMMAND & filters.Regex(joining.INVITE_SHAPE), typed_code))


def _person(update: Update) -> TelegramPerson:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    return TelegramPerson(user_id=user.id, chat_id=chat.id, name=user.full_name,
                          language=language_of(user.language_code))


async def start(update: Update, context: BotContext) -> None:
    """`/start CODE` joins with an invite; plain `/start` greets, or offers the phone button."""
    message = update.effective_message
    assert message is not None
    services = context.services
    if context.args:
        await _join_with(update, context, context.args[0])
        return
    lang = context.lang
    if context.contact is not None:
        contact = context.contact
        await message.reply_text(t("start.welcome_back", lang, name=html.escape(contact.name),
                                   unit=html.escape(contact.unit.name),
                                   role=t(f"role.{contact.role}", lang)))
        return
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(t("join.share_phone", lang), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True)
    names = t("list.sep", lang).join(c.campaign.name.get(lang) for c in services.each())
    await message.reply_text(t("start.hello", lang, campaign=html.escape(
        names or services.campaign.name.get(lang))))
    await message.reply_text(t("join.phone_offer", lang), reply_markup=keyboard)


async def typed_code(update: Update, context: BotContext) -> None:
    """A message that is nothing but an invite code joins, as `/start CODE` does; from
    someone who has joined, it is an ordinary message."""
    message = update.effective_message
    assert message is not None
    code = joining.invite_in(message.text)
    if context.contact is not None or code is None:
        await messages.on_text(update, context)
        return
    await _join_with(update, context, code)


async def _join_with(update: Update, context: BotContext, code: str) -> None:
    message = update.effective_message
    assert message is not None
    joined = await joining.with_invite(context.services, _person(update), code)
    if isinstance(joined, InviteProblem):
        await message.reply_text(t(f"join.invite_{joined.value}", context.lang))
        return
    context.contact = joined
    await welcome(message, context, joined)


async def shared_contact(update: Update, context: BotContext) -> None:
    """A shared contact card: only one's own, and only if the roster has the number."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    user = update.effective_user
    assert user is not None
    lang = context.lang
    if message.contact.user_id != user.id:
        await message.reply_text(t("join.not_own_contact", lang),
                                 reply_markup=ReplyKeyboardRemove())
        return
    if context.contact is not None:
        unit = html.escape(context.contact.unit.name)
        await message.reply_text(t("join.already", lang, unit=unit),
                                 reply_markup=ReplyKeyboardRemove())
        return
    joined = await joining.with_phone(context.services, _person(update),
                                      message.contact.phone_number)
    if joined is None:
        await message.reply_text(t("join.no_roster_match", lang),
                                 reply_markup=ReplyKeyboardRemove())
        return
    context.contact = joined
    await welcome(message, context, joined)


COMING_SHOWN = 6  # with several campaigns: the next deadlines; /deadlines has them all


async def welcome(message: Message, context: BotContext, contact: PersonRecord) -> None:
    """Set the role's menu, then greet by name with the unit and the coming deadlines
    (so the menu is there when the greeting is read)."""
    services = context.services
    lang, now, zone = contact.language, services.clock.now(), services.campaign.zone
    async with services.readers() as session:
        taking_part = await campaigns_of(session, contact.unit_id)
    coming = sorted((r.due_at, served.round_title(r.code, lang))
                    for served in services.each() if served.campaign_id in taking_part
                    for r in served.rounds if r.due_at > now)
    lines = [t("join.welcome", lang, name=html.escape(contact.name),
               unit=html.escape(contact.unit.name), role=t(f"role.{contact.role}", lang))]
    if coming:
        lines.append(t("join.coming", lang))
        shown = coming[:COMING_SHOWN] if services.several else coming
        lines += [t("join.coming_line", lang, title=html.escape(title), due=moment(due, zone, lang))
                  for due, title in shown]
    lines.append(t(f"join.next_step.{contact.role}", lang))
    await set_menu(context, contact)
    await message.reply_text("\n".join(lines), reply_markup=ReplyKeyboardRemove())


async def set_menu(context: BotContext, contact: PersonRecord) -> None:
    """The command menu of the contact's role, in their language, for their chat only."""
    if contact.chat_id is None:
        return
    lang = contact.language
    commands = [BotCommand(name, t(f"menu.{name}", lang)) for name in menu(m.Role(contact.role))]
    await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(contact.chat_id))
