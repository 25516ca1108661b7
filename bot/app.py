"""Assembling the Telegram application: one readable chain, the guard first, then the
handlers by area, then the error handler."""

from __future__ import annotations

import asyncio
import logging
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
    review,
    status,
)
from handlers.context import BotContext
from scheduler.sender import DeliverySender
from scheduler.wakeup import Wakeup
from telegram_io.aiohttp_request import AiohttpRequest
from telegram_io.pacer import PaceLimits, Pacer
from telegram_io.rate_limit import PacedRateLimiter
from texts.catalog import t

GUARD_GROUP = -1
STOP_GRACE_SECONDS = 20
log = logging.getLogger(__name__)


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
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .job_queue(None)  # the plan is rows; one wake-up of our own (scheduler/wakeup.py)
        .post_init(start_background)
        .post_shutdown(stop_background)
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
    review.register(application)
    messages.register(application)  # last: the plain messages that are left
    application.add_error_handler(errors.on_error)
    return application


async def start_background(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """After the application is initialised: the default menu, the delivery sender (the way
    out) and the wake-up (time), kept in `bot_data` until `stop_background`."""
    await _set_default_menu(application)
    services: Services = application.bot_data["services"]
    sender = DeliverySender(services, application.bot)
    stop = asyncio.Event()
    wakeup = Wakeup(services)
    application.bot_data.update(
        sender=sender, sender_stop=stop, wakeup=wakeup,
        sending=asyncio.create_task(sender.run(stop), name="delivery-sender"))
    wakeup.start()
    log.info("bot started as @%s", application.bot.username)


async def stop_background(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The wake-up stops; the messages in flight finish, but a sender stuck on a dead
    database does not hold the exit for more than STOP_GRACE_SECONDS."""
    data = application.bot_data
    data["wakeup"].shutdown()
    data["sender_stop"].set()
    try:
        await asyncio.wait_for(data["sending"], STOP_GRACE_SECONDS)
    except TimeoutError:
        log.warning("the sender did not finish in %s s; stopping anyway", STOP_GRACE_SECONDS)


async def _set_default_menu(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The menu everyone sees before joining; roles get their own menu when they join."""
    for lang, code in (("zh", None), ("en", "en")):
        await application.bot.set_my_commands(
            [BotCommand("start", t("menu.start", lang)), BotCommand("help", t("menu.help", lang))],
            language_code=code,
        )
