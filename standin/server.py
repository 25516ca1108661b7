"""A stand-in Telegram Bot API server for tests and the offline demo.

It speaks the part of the Bot API the bot uses, over real HTTP, and answers as Telegram
does, limits included: 400 for text over 4096 characters or callback_data over 64 bytes,
429 with `retry_after` past the rate, 403 for users who blocked the bot. The simulated
users' side is in `standin.users`.

    server = StandinServer(token="123:abc")
    await server.start()          # server.root is the TELEGRAM_API_BASE_URL
    alice = server.user("Alice")  # a simulated person with a phone
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from standin.limits import Faults, Limits, RateGate
from standin.telegram_text import EntityError, html_to_plain, utf16_len

log = logging.getLogger(__name__)

ALWAYS_STRING = {
    "text", "caption", "parse_mode", "url", "secret_token", "callback_query_id", "file_id",
    "language_code", "action", "inline_message_id", "business_connection_id",
}
SENDING = {"sendMessage", "sendDocument", "sendPhoto"}


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    path: str
    content: bytes
    name: str | None = None
    mime_type: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent (or a user's message, `from_bot=False`), as the chat shows it."""

    message_id: int
    chat_id: int
    date: int
    text: str = ""
    html: str = ""
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    from_bot: bool = True
    edits: int = 0

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Inline buttons as (text, callback_data), row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    @property
    def keyboard(self) -> list[dict[str, Any]]:
        """Reply-keyboard buttons (for example "share my phone number")."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]

    def as_json(self, bot_user: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": self.message_id, "from": bot_user, "chat": chat, "date": self.date,
        }
        if self.edits:
            out["edit_date"] = self.date
        if self.document is not None:
            out["document"] = _document_json(self.document)
            if self.text:
                out["caption"] = self.text
        elif self.photo is not None:
            out["photo"] = [_photo_json(self.photo)]
            if self.text:
                out["caption"] = self.text
        else:
            out["text"] = self.text
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            out["reply_markup"] = self.reply_markup
        return out


def _document_json(f: StoredFile) -> dict[str, Any]:
    return {"file_id": f.file_id, "file_unique_id": f.unique_id, "file_name": f.name,
            "mime_type": f.mime_type, "file_size": len(f.content)}


def _photo_json(f: StoredFile) -> dict[str, Any]:
    return {"file_id": f.file_id, "file_unique_id": f.unique_id, "width": 800,
            "height": 600, "file_size": len(f.content)}


@dataclass
class Chat:
    id: int
    type: str = "private"
    title: str | None = None
    first_name: str | None = None
    messages: list[SentMessage] = field(default_factory=list)
    from_bot: list[SentMessage] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    def add(self, message: SentMessage) -> None:
        self.messages.append(message)
        if message.from_bot:
            self.from_bot.append(message)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            out["title"] = self.title
        if self.first_name:
            out["first_name"] = self.first_name
        return out


class StandinServer:
    def __init__(
        self,
        token: str = "123456:STANDIN-TOKEN",
        username: str = "standin_report_bot",
        limits: Limits | None = None,
    ):
        self.token = token
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True,
                         "first_name": "报送助手", "username": username}
        self.limits = limits or Limits()
        self.gate = RateGate(self.limits)
        self.faults = Faults()
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.call_times: list[float] = []
        self.rejections: list[tuple[str, int, str]] = []
        self.webhook: dict[str, Any] = {}
        self.changed = asyncio.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._poller: asyncio.Future[None] | None = None
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.root = ""

    # -- running -------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.root = f"http://{host}:{bound}"
        return self.root

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- the users' side -------------------------------------------------------------

    def user(self, first_name: str = "测试用户", **kwargs: Any) -> Any:
        from standin.users import SimulatedUser

        return SimulatedUser(self, first_name=first_name, **kwargs)

    def chat(self, chat_id: int, **kwargs: Any) -> Chat:
        if chat_id not in self.chats:
            self.chats[chat_id] = Chat(id=chat_id, **kwargs)
        return self.chats[chat_id]

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def store_file(self, content: bytes, name: str | None, mime_type: str | None,
                   kind: str = "documents") -> StoredFile:
        n = next(self._file_ids)
        file_id = f"F{n}{secrets.token_hex(6)}"
        stored = StoredFile(file_id=file_id, unique_id=f"U{n}", content=content, name=name,
                            mime_type=mime_type, path=f"{kind}/file_{n}_{name or 'file'}")
        self.files[file_id] = stored
        return stored

    async def push_update(self, payload: dict[str, Any]) -> int:
        """Queue an update from a user; delivered by getUpdates or to the webhook."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **payload}
        if self.webhook.get("url"):
            await self._post_to_webhook(update)
        else:
            self._updates.append(update)
            await self._notify()
        return update_id

    async def _post_to_webhook(self, update: dict[str, Any]) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        async with self._http.post(self.webhook["url"], json=update, headers=headers) as resp:
            self.webhook.setdefault("statuses", []).append(resp.status)

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), timeout)

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    def sent(self, method: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        return [c for c in self.calls if method is None or c[0] == method]

    # -- HTTP -------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        handler: Callable[[dict[str, Any]], Awaitable[Any]] | None = getattr(
            self, f"_m_{method}", None
        )
        if handler is None:
            return _error(ApiError(404, "Not Found: method not found"))
        params = await _params(request, self)
        self.calls.append((method, params))
        self.call_times.append(time.monotonic())
        if method == "getUpdates":
            await self._notify()  # so a test waiting for "the bot is polling" need not wait
        try:
            if method in SENDING or method == "editMessageText":
                await self._admit(method, params)
            result = await handler(params)
        except ApiError as exc:
            self.rejections.append((method, exc.code, exc.description))
            return _error(exc)
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.path == path:
                return web.Response(body=stored.content)
        return web.Response(status=404)

    async def _admit(self, method: str, params: dict[str, Any]) -> None:
        """Faults and limits, in Telegram's order: blocked, then rate, then the message."""
        chat_id = _int(params.get("chat_id"), "chat_id")
        fault = self.faults.chats.get(chat_id)
        delay = max(self.faults.delay, fault.delay if fault else 0.0)
        if delay:
            await asyncio.sleep(delay)
        if fault and fault.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if fault and fault.error_times > 0 and fault.error_status:
            fault.error_times -= 1
            raise ApiError(fault.error_status, "Bad Gateway" if fault.error_status == 502
                           else "Internal Server Error")
        if self.faults.throttle_times > 0:
            self.faults.throttle_times -= 1
            retry = self.faults.throttle_retry_after
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
        if method in SENDING:
            chat = self.chats.get(chat_id)
            is_group = chat is not None and chat.type in {"group", "supergroup"}
            retry_after = self.gate.check(chat_id, is_group)
            if retry_after is not None:
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    # -- methods ------------------------------------------------------------------------

    async def _m_getMe(self, p: dict[str, Any]) -> dict[str, Any]:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def _m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if self._poller is not None and not self._poller.done():
            # Telegram ends the older long poll when a newer one arrives.
            self._poller.set_exception(
                ApiError(409, "Conflict: terminated by other getUpdates request")
            )
            await self._notify()
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        if not self._updates and timeout > 0:
            me = self._poller = asyncio.get_running_loop().create_future()
            try:
                # The check and the wait are under the condition's lock, so an update
                # pushed in between cannot be missed.
                async with self.changed:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self.changed.wait_for(
                            lambda: bool(self._updates) or me.done()), timeout)
                if me.done():
                    me.result()  # raises the conflict
            finally:
                if self._poller is me:
                    self._poller = None
        return self._updates[:limit]

    async def _m_setWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook = {"url": p.get("url", ""), "secret_token": p.get("secret_token")}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook = {}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getWebhookInfo(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _m_setMyCommands(self, p: dict[str, Any]) -> bool:
        self.commands[_scope_key(p.get("scope"), p.get("language_code"))] = list(
            p.get("commands") or [])
        return True

    async def _m_deleteMyCommands(self, p: dict[str, Any]) -> bool:
        self.commands.pop(_scope_key(p.get("scope"), p.get("language_code")), None)
        return True

    async def _m_getMyCommands(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(_scope_key(p.get("scope"), p.get("language_code")), [])

    async def _m_sendChatAction(self, p: dict[str, Any]) -> bool:
        self.chat(_int(p.get("chat_id"), "chat_id")).actions.append(str(p.get("action")))
        return True

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        self.callback_answers[str(p.get("callback_query_id"))] = p
        return True

    async def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self.chat(_int(p.get("chat_id"), "chat_id"))
        raw = str(p.get("text") or "")
        if not raw.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain = self._checked_text(raw, p.get("parse_mode"), self.limits.max_text,
                                   "message is too long")
        markup = self._checked_markup(p.get("reply_markup"))
        msg = SentMessage(message_id=self.next_message_id(), chat_id=chat.id,
                          date=int(time.time()), text=plain, html=raw, reply_markup=markup)
        chat.add(msg)
        return msg.as_json(self.bot_user, chat.as_json())

    async def _m_sendDocument(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(p, "document")

    async def _m_sendPhoto(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(p, "photo")

    async def _send_file(self, p: dict[str, Any], kind: str) -> dict[str, Any]:
        chat = self.chat(_int(p.get("chat_id"), "chat_id"))
        given = p.get(kind)
        if isinstance(given, StoredFile):
            stored = given
        elif isinstance(given, str) and given in self.files:
            stored = self.files[given]
        else:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        raw = str(p.get("caption") or "")
        plain = self._checked_text(raw, p.get("parse_mode"), self.limits.max_caption,
                                   "message caption is too long") if raw else ""
        markup = self._checked_markup(p.get("reply_markup"))
        msg = SentMessage(message_id=self.next_message_id(), chat_id=chat.id,
                          date=int(time.time()), text=plain, html=raw, reply_markup=markup,
                          **{kind: stored})
        chat.add(msg)
        return msg.as_json(self.bot_user, chat.as_json())

    async def _m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        msg, chat = self._find(p)
        raw = str(p.get("text") or "")
        plain = self._checked_text(raw, p.get("parse_mode"), self.limits.max_text,
                                   "message is too long")
        markup = self._checked_markup(p.get("reply_markup"))
        if plain == msg.text and markup == msg.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                           "content and reply markup are exactly the same as a current content "
                           "and reply markup of the message")
        msg.text, msg.html, msg.reply_markup = plain, raw, markup
        msg.edits += 1
        return msg.as_json(self.bot_user, chat.as_json())

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        msg, chat = self._find(p)
        msg.reply_markup = self._checked_markup(p.get("reply_markup"))
        msg.edits += 1
        return msg.as_json(self.bot_user, chat.as_json())

    async def _m_deleteMessage(self, p: dict[str, Any]) -> bool:
        msg, chat = self._find(p)
        chat.messages.remove(msg)
        chat.from_bot.remove(msg)
        return True

    async def _m_getFile(self, p: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(p.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > self.limits.max_download:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                "file_size": len(stored.content), "file_path": stored.path}

    # -- checks ----------------------------------------------------------------------------

    def _find(self, p: dict[str, Any]) -> tuple[SentMessage, Chat]:
        chat = self.chats.get(_int(p.get("chat_id"), "chat_id"))
        message_id = _int(p.get("message_id"), "message_id")
        for msg in chat.messages if chat else []:
            if msg.message_id == message_id and msg.from_bot:
                return msg, chat  # type: ignore[return-value]
        raise ApiError(400, "Bad Request: message to edit not found")

    def _checked_text(self, raw: str, parse_mode: Any, limit: int, too_long: str) -> str:
        plain = raw
        if parse_mode == "HTML":
            try:
                plain = html_to_plain(raw)
            except EntityError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if utf16_len(plain) > limit:
            raise ApiError(400, f"Bad Request: {too_long}")
        return plain

    def _checked_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.code)


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: {name} is invalid") from None


def _scope_key(scope: Any, language_code: Any = None) -> str:
    """`default`, `chat:42`, ... with `/en` when the commands are for one language."""
    if not scope:
        key = "default"
    elif scope.get("type") == "chat":
        key = f"chat:{scope.get('chat_id')}"
    else:
        key = str(scope.get("type"))
    return f"{key}/{language_code}" if language_code else key


async def _params(request: web.Request, server: StandinServer) -> dict[str, Any]:
    """Parameters as Telegram reads them: JSON body, query string, form or multipart."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        with contextlib.suppress(ValueError):
            params.update(await request.json())
        return params
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                content = value.file.read()
                kind = "photos" if key == "photo" else "documents"
                params[key] = server.store_file(content, value.filename, value.content_type, kind)
            else:
                params[key] = _decode(key, str(value))
    return params


def _decode(key: str, value: str) -> Any:
    if key in ALWAYS_STRING:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
