"""`/remind [ROUND]` (coordinators and admins): nudge every unit that has not submitted,
now. A second tap within a few minutes sends nothing more."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from flows.reminders import remind_lines
from flows.services import Services
from handlers import round_pick
from handlers.context import BotContext
from texts.buttons import Action


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("remind", remind))
    application.add_handler(CallbackQueryHandler(remind_button, pattern=r"^rm:"))


async def remind(update: Update, context: BotContext) -> None:
    """Remind now, or ask which round."""
    message = update.effective_message
    assert message is not None
    pick = await round_pick.resolve(message, context, Action.REMIND_ROUND, "remind.which")
    if pick is not None:
        await _remind(message, context, *pick)


async def remind_button(update: Update, context: BotContext) -> None:
    """The round chosen from the list."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None
    if not isinstance(query.message, Message):
        await query.answer()
        return
    await query.answer()
    pick = round_pick.pressed(context)
    if pick is not None:
        await _remind(query.message, context, *pick)


async def _remind(message: Message, context: BotContext, services: Services,
                  code: str) -> None:
    lines = await remind_lines(services, code, context.lang, context.bot.username or "")
    await message.chat.send_message("\n".join(lines), disable_web_page_preview=True)
