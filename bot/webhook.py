"""Webhook mode: Telegram posts updates to us. Several instances can run behind a load
balancer this way (only one may poll).

A small aiohttp server: `POST /<path>` takes an update only with the right
`X-Telegram-Bot-Api-Secret-Token` (compared in constant time; anything else is a 403),
and `GET /healthz` answers whether the database is reachable.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from sqlalchemy import text
from telegram import Update
from telegram.ext import Application

from flows.services import Services

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    """The bot's HTTP server: Telegram's webhook (in webhook mode), WeCom's callbacks (when
    WeCom is set up: `routes`), and `/healthz`, on WEBHOOK_LISTEN:WEBHOOK_PORT."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any],
                 services: Services,
                 routes: tuple[Callable[[web.Application], None], ...] = ()):
        settings = services.settings
        self.telegram = bool(settings.webhook_url)
        if self.telegram and settings.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET must be set for webhook mode")
        self.application = application
        self.services = services
        secret = settings.webhook_secret
        self.secret = secret.get_secret_value().encode() if secret is not None else b""
        self.path = urlparse(settings.webhook_url).path or "/"
        self.routes = routes
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        if self.telegram:
            app.router.add_post(self.path, self.take_update)
        for add in self.routes:
            add(app)
        app.router.add_get("/healthz", self.health)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        settings = self.services.settings
        site = web.TCPSite(self.runner, settings.webhook_listen, settings.webhook_port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if not self.telegram:
            log.info("listening on %s:%s for WeCom", settings.webhook_listen, self.port)
            return
        await self.application.bot.set_webhook(
            settings.webhook_url, secret_token=self.secret.decode(),
            allowed_updates=Update.ALL_TYPES)
        log.info("webhook mode: listening on %s:%s%s", settings.webhook_listen, self.port,
                 self.path)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def take_update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return web.Response(status=400, text="not an update")
            update = Update.de_json(data, self.application.bot)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError, AttributeError,
                RecursionError, UnicodeDecodeError):
            return web.Response(status=400, text="not an update")
        await self.application.update_queue.put(update)
        return web.Response(text="ok")

    async def health(self, request: web.Request) -> web.Response:
        try:
            async with self.services.db.read_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            return web.json_response({"ok": False, "database": type(exc).__name__}, status=503)
        return web.json_response({"ok": True})
