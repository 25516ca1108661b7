"""The error handler: log with the traceback, apologise to the user, tell the admins."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import Forbidden

from handlers.context import BotContext
from texts.catalog import t

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Never a stack trace in a chat: the user gets an apology, admins a one-line note."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id,
                                           t("error.generic", context.lang))
        except Exception:
            log.warning("could not tell the user about the error")
    note = t("error.admin_note", "zh", error=html.escape(type(context.error).__name__),
             detail=html.escape(str(context.error))[:500])
    for admin_id in context.services.settings.admin_ids:
        try:
            await context.bot.send_message(admin_id, note)
        except Forbidden:
            continue
        except Exception:
            log.warning("could not tell admin %s about the error", admin_id)
