"""Running the bot in one event loop until asked to stop: the application (polling, or
webhook mode), the delivery sender and the wake-up. Only one process may poll a database's
bot: polling takes a lease in the database first, and a second poller refuses to start."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Any

from telegram.ext import Application

from bot.app import build_application
from flows.services import Services
from reporting.digest_chart import warn_without_cjk_font
from storage import leases

log = logging.getLogger(__name__)
LEASE_TTL = dt.timedelta(seconds=30)  # how long a poller that died elsewhere blocks a new one


async def serve(services: Services, stop: asyncio.Event, poll_timeout: float = 10,
                rate_limited: bool = True,
                started: asyncio.Future[Application[Any, Any, Any, Any, Any, Any]] | None = None,
                ) -> None:
    """Start the real PTB application, poll for updates, and stop cleanly on `stop`.
    `started` gets the application once everything runs (for tests and the demo).
    `LeaseHeld` if another process polls for this database's bot."""
    warn_without_cjk_font()  # once, at start-up: the digest's chart needs a Chinese font
    polling = not services.settings.webhook_url
    async with polling_lease(services) if polling else contextlib.nullcontext():
        await _serve(services, stop, poll_timeout, rate_limited, started)


@contextlib.asynccontextmanager
async def polling_lease(services: Services) -> AsyncIterator[None]:
    """Hold the polling lease while the bot runs: taken first, renewed, given back."""
    holder = leases.this_process()
    async with services.transaction() as session:
        other = await leases.take(session, leases.POLLING, holder, _wall_now(), LEASE_TTL)
    if other is not None:
        raise leases.LeaseHeld(leases.POLLING, other)
    renewing = asyncio.create_task(_keep_lease(services, holder), name="polling-lease")
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        try:
            async with services.transaction() as session:
                await leases.release(session, leases.POLLING, holder)
        except Exception:  # it expires by itself; a stop must not fail for it
            log.warning("could not give back the polling lease; it expires in %s",
                        LEASE_TTL)


async def _keep_lease(services: Services, holder: str) -> None:
    while True:
        await asyncio.sleep(LEASE_TTL.total_seconds() / 3)
        try:
            async with services.transaction() as session:
                kept = await leases.renew(session, leases.POLLING, holder, _wall_now(),
                                          LEASE_TTL)
            if not kept:
                log.error("the polling lease was taken by another process")
        except Exception:
            log.warning("could not renew the polling lease; trying again", exc_info=True)


def _wall_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _serve(services: Services, stop: asyncio.Event, poll_timeout: float,
                 rate_limited: bool,
                 started: asyncio.Future[Application[Any, Any, Any, Any, Any, Any]] | None,
                 ) -> None:
    application = build_application(services, rate_limited=rate_limited)
    async with application:
        # PTB's run_polling would call the two hooks; we serve by hand (our own webhook
        # server, and a loop shared with tests and the demo), so we call them.
        assert application.post_init is not None and application.post_shutdown is not None
        await application.post_init(application)
        await application.start()
        assert application.updater is not None
        webhook = None
        settings: Any = services.settings  # the entry's own settings, WeCom's among them
        wecom = wecom_front(services) if settings.wecom_enabled else None
        if settings.webhook_url or wecom is not None:
            from bot.webhook import WebhookServer  # aiohttp's server: only when it serves

            webhook = WebhookServer(application, services,
                                    routes=(wecom.add_routes,) if wecom is not None else ())
            await webhook.start()
            application.bot_data["webhook"] = webhook
            application.bot_data["wecom"] = wecom
        wecom_stop, wecom_sending, menu = asyncio.Event(), None, None
        if wecom is not None:  # WeCom's own way out, from the same ledger
            # The app's menu, without holding up the start for WeCom's answer.
            menu = asyncio.create_task(wecom.set_menu(), name="wecom-menu")
            from scheduler.wecom_sender import WeComSender

            wecom_sender = WeComSender(services, wecom.api)
            application.bot_data["wecom_sender"] = wecom_sender
            wecom_sending = asyncio.create_task(wecom_sender.run(wecom_stop),
                                                name="wecom-sender")
        if not services.settings.webhook_url:
            await application.updater.start_polling(timeout=poll_timeout, poll_interval=0)
        if started is not None:
            started.set_result(application)
        try:
            await stop.wait()
        finally:
            if webhook is not None:
                await webhook.stop()
            wecom_stop.set()
            if menu is not None and not menu.done():
                menu.cancel()
            if wecom_sending is not None:
                with suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(wecom_sending, 15)
            if wecom is not None:
                await wecom.api.close()
            if application.updater.running:
                await application.updater.stop()
            await application.stop()
            await application.post_shutdown(application)
            log.info("bot stopped")


def wecom_front(services: Services) -> Any:
    """WeCom's front door, from the settings (only when they are given)."""
    from wecom_front.callbacks import WeComFront
    from wecom_io.api import WeComApi, WeComApp
    from wecom_io.crypto import WeComCrypto
    from wecom_io.pacer import MemberLimits, MemberPacer

    settings: Any = services.settings
    app = WeComApp(corp_id=settings.wecom_corp_id, agent_id=settings.wecom_agent_id,
                   secret=settings.wecom_secret.get_secret_value(),
                   base_url=settings.wecom_api_base_url)
    crypto = WeComCrypto.from_settings(settings.wecom_token.get_secret_value(),
                                       settings.wecom_aes_key.get_secret_value(),
                                       settings.wecom_corp_id)
    uploads = None
    if settings.wecom_public_url:
        from wecom_front.upload import UploadLinks

        uploads = UploadLinks(settings.wecom_public_url,
                              settings.wecom_aes_key.get_secret_value().encode())
    pacer = MemberPacer(MemberLimits.per_minute(settings.wecom_member_per_minute))
    return WeComFront(services, WeComApi(app, services.db, pacer), crypto,
                      settings.wecom_callback_path, uploads)


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM set `stop`, so work in flight finishes and nothing new starts."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
