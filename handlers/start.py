"""`/start` and `/help`: the greeting, and what this person can do here."""

from __future__ import annotations

from telegram import Update

from bot.catalog import t
from handlers.context import BotContext


async def start(update: Update, context: BotContext) -> None:
    """Greet the user: by name if bound, otherwise explain how to join."""
    assert update.effective_message is not None
    contact, lang = context.contact, context.lang
    campaign = context.services.campaign.name.get(lang)
    if contact is None:
        await update.effective_message.reply_text(t("start.hello", lang, campaign=campaign))
        return
    await update.effective_message.reply_text(
        t("start.welcome_back", lang, name=contact.name, unit=contact.unit.name,
          role=t(f"role.{contact.role}", lang))
    )


async def help_command(update: Update, context: BotContext) -> None:
    """Say what this role can do, or how to join."""
    assert update.effective_message is not None
    lang = context.lang
    key = f"help.{context.contact.role}" if context.contact else "help.unbound"
    campaign = context.services.campaign.name.get(lang)
    await update.effective_message.reply_text(t(key, lang, campaign=campaign))
