"""Assembling the Telegram application: one readable chain, the guard first, then the
handlers by area, then the error handler."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot.updates import PerChatUpdateProcessor
from flows.services import Services
from handlers import (
    broadcast,
    contacts,
    digest,
    errors,
    guard,
    joining,
    messages,
    remind,
    report,
    status,
)
from handlers.context import BotContext
from scheduler.pacer import PaceLimits, Pacer
from scheduler.rate_limit import PacedRateLimiter
from texts.catalog import t

GUARD_GROUP = -1


def build_application(
    services: Services, rate_limited: bool = True
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot. `rate_limited=False` drops Telegram's limits on direct replies, for the
    form benchmark against a stand-in with its limits lifted."""
    settings = services.settings
    root = settings.telegram_api_base_url
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .post_init(_set_default_menu)
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if rate_limited:
        pacer = Pacer(PaceLimits(per_second=settings.send_rate))
        builder = builder.rate_limiter(PacedRateLimiter(pacer, max_retries=3))
    application = builder.build()
    application.bot_data["services"] = services
    application.add_handler(TypeHandler(Update, guard.identify), group=GUARD_GROUP)
    messages.register_edits(application)  # first: an edit is never an answer or a command
    joining.register(application)
    status.register(application)
    report.register(application)
    broadcast.register(application)
    remind.register(application)
    digest.register(application)
    contacts.register(application)
    messages.register(application)  # last: the plain messages that are left
    application.add_error_handler(errors.on_error)
    return application


async def _set_default_menu(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The menu everyone sees before joining; roles get their own menu when they join."""
    for lang, code in (("zh", None), ("en", "en")):
        await application.bot.set_my_commands(
            [BotCommand("start", t("menu.start", lang)), BotCommand("help", t("menu.help", lang))],
            language_code=code,
        )
