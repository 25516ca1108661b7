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
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any],
                 services: Services):
        settings = services.settings
        if settings.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET must be set for webhook mode")
        self.application = application
        self.services = services
        self.secret = settings.webhook_secret.get_secret_value().encode()
        self.path = urlparse(settings.webhook_url).path or "/"
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self.path, self.take_update)
        app.router.add_get("/healthz", self.health)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        settings = self.services.settings
        site = web.TCPSite(self.runner, settings.webhook_listen, settings.webhook_port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
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
