"""The guard in front of every handler: who is this, and may they go on.

It runs first (group -1), loads the sender's contact into the context once, and stops
updates that no handler should see: anything from a group, and anything from a user who
is not bound except `/start`, `/help` and sharing their own phone number, every button's
tap that the bot did not issue, and every command or tap the sender's role may not use
(the table in flows/permissions.py): no handler checks a role.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from flows import joining, permissions
from handlers.context import BotContext
from handlers.joining import set_menu
from storage import models as m
from storage.joining import TelegramPerson
from storage.records import PersonRecord
from texts.buttons import ForgedButton, decode
from texts.catalog import language_of, t

log = logging.getLogger(__name__)

OPEN_COMMANDS = {"start", "help"}


async def identify(update: Update, context: BotContext) -> None:
    """Load the sender's contact; stop updates that the sender may not make."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != "private":
        raise ApplicationHandlerStop
    context.telegram_language = user.language_code
    services = context.services
    async with services.reading() as connection:
        context.contact = await services.known_people.lookup(connection, user.id)
    if context.contact is None and user.id in services.settings.admin_ids:
        context.contact = await _admit_named_admin(update, context)
    if context.contact is not None:
        await _decode_button(update, context)
        await _enforce_roles(update, context)
        return
    if _open_to_everyone(update):
        return
    if update.callback_query is not None:
        await update.callback_query.answer(t("guard.not_joined", context.lang), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(t("guard.not_joined", context.lang))
    raise ApplicationHandlerStop


def _open_to_everyone(update: Update) -> bool:
    message = update.message
    if message is None:
        return False
    return (message.contact is not None or _command(update) in OPEN_COMMANDS
            or joining.invite_in(message.text) is not None)


def _command(update: Update) -> str | None:
    """`report` for a message `/report` or `/report@bot args`; None for anything else."""
    text = update.message.text if update.message is not None else None
    words = (text or "").split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return None
    return words[0][1:].split("@")[0]


async def _enforce_roles(update: Update, context: BotContext) -> None:
    """The roles table (flows/permissions.py), for every command and every tap."""
    assert context.contact is not None
    role = m.Role(context.contact.role)
    if context.pressed is not None:
        refusal = permissions.action_refusal(context.pressed.action, role)
        if refusal is not None:
            assert update.callback_query is not None
            await update.callback_query.answer(
                t(refusal, context.lang), show_alert=refusal == permissions.NOT_ALLOWED)
            raise ApplicationHandlerStop
        return
    command = _command(update)
    refusal = permissions.command_refusal(command, role) if command else None
    if refusal is not None:
        assert update.message is not None
        await update.message.reply_text(t(refusal, context.lang))
        raise ApplicationHandlerStop


async def _decode_button(update: Update, context: BotContext) -> None:
    """A tap reaches a handler only as a button the bot issued (see texts.buttons)."""
    query = update.callback_query
    if query is None:
        return
    try:
        context.pressed = decode(query.data)
    except ForgedButton:
        await query.answer(t("form.stale_button", context.lang))
        raise ApplicationHandlerStop from None


async def _admit_named_admin(update: Update, context: BotContext) -> PersonRecord | None:
    """ADMIN_IDS are admins from their first message, without an invite."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    person = TelegramPerson(user_id=user.id, chat_id=chat.id, name=user.full_name,
                            language=language_of(user.language_code))
    contact = await joining.as_named_admin(services, person)
    if contact is not None:
        log.info("ADMIN_IDS: Telegram user %s joined as an admin", user.id)
        await set_menu(context, contact)
        async with services.reading() as connection:
            return await services.known_people.lookup(connection, user.id)
    return None
