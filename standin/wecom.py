"""A stand-in WeCom server for tests and the demo: the part of WeCom's server API the bot
calls, over real HTTP, answering as WeCom documents it.

- `GET /cgi-bin/gettoken`: 40013 for another corp, 40001 for a wrong secret; otherwise the
  token and `expires_in` 7200, the same token while it is valid.
- `POST /cgi-bin/message/send` (text, markdown, file, template_card): 40014 for a token it never
  gave, 42001 for an expired one, 40056 for another app; recipients it does not know come
  back in `invaliduser`, and 81013 when none is valid. A text's content past 2048 bytes is
  cut, and past 30 messages a minute (1000 an hour) to one member the rest is dropped
  without an error, as WeCom does: `truncated` and `dropped` say when the bot let that
  happen. A card gets a `response_code`; `update_template_card` spends one to close the
  card's buttons.
- `POST /cgi-bin/media/upload`, `GET /cgi-bin/media/get`: temporary files.

What a member does (messages, clicks, files, menu) is standin.wecom_member.

    wecom = WeComStandin(corp_id="ww-liaoning", secret="s3cret", agent_id=1000002)
    await wecom.start()          # wecom.root is WECOM_API_BASE_URL
    wecom.member("li-na", "李娜", "13800000001")
"""

from __future__ import annotations

import re
import secrets
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from standin.wecom_member import MemberActions
from wecom_io.crypto import WeComCrypto
from wecom_io.pacer import MemberLimits
from wecom_io.text import MAX_TEXT_BYTES

TOKEN_SECONDS = 7200


@dataclass
class Member:
    user_id: str
    name: str
    mobile: str = ""


@dataclass
class Received:
    """A message as the member's WeCom shows it (a file: its name as `content`; a card:
    its texts as `content`, and the card itself, with `closed` once updated)."""

    user_id: str
    msgtype: str
    content: str
    at: float
    card: dict[str, Any] | None = None
    closed: str | None = None  # the label the card's buttons were replaced with


CARD_TYPES = {"text_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
TASK_ID = re.compile(r"[A-Za-z0-9_\-@]{1,128}")


@dataclass
class WeComStandin(MemberActions):
    corp_id: str = "ww-standin-corp"
    secret: str = "standin-secret"
    agent_id: int = 1000002
    # The app's 接收消息 settings: what it signs and encrypts callbacks with.
    callback_token: str = "standin-token"
    aes_key: str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    limits: MemberLimits = field(default_factory=MemberLimits)
    members: dict[str, Member] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # id: (name, bytes)
    # response_code: (member, task id, spent): each good for one update of its card
    response_codes: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    task_ids: set[str] = field(default_factory=set)
    menu: list[dict[str, Any]] = field(default_factory=list)  # the app's menu, as set
    _created: dict[str, int] = field(default_factory=dict)
    truncated: list[str] = field(default_factory=list)
    dropped: list[Received] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    root: str = ""
    _tokens: dict[str, float] = field(default_factory=dict)  # token: expires (monotonic)
    _runner: web.AppRunner | None = None

    def member(self, user_id: str, name: str, mobile: str = "") -> Member:
        self.members[user_id] = Member(user_id, name, mobile)
        return self.members[user_id]

    @property
    def crypto(self) -> WeComCrypto:
        return WeComCrypto.from_settings(self.callback_token, self.aes_key, self.corp_id)

    def file_named(self, name: str) -> bytes:
        """The content of a file sent under `name`."""
        return next(content for file_name, content in self.media.values() if file_name == name)

    def messages_to(self, user_id: str) -> list[Received]:
        return [r for r in self.received if r.user_id == user_id]

    def expire_tokens(self) -> None:
        """Every token given so far expires now (as after two hours)."""
        self._tokens = {token: 0.0 for token in self._tokens}

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_post("/cgi-bin/menu/create", self._menu)
        app.router.add_get("/cgi-bin/user/get", self._user)
        app.router.add_post("/cgi-bin/message/update_template_card", self._update_card)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.root = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.calls["gettoken"] += 1
        if request.query.get("corpid") != self.corp_id:
            return _error(40013, "invalid corpid")
        if request.query.get("corpsecret") != self.secret:
            return _error(40001, "invalid credential")
        now = time.monotonic()
        valid = [(t, e) for t, e in self._tokens.items() if e > now]
        if valid:
            token, expires = valid[0]
        else:
            token, expires = secrets.token_urlsafe(32), now + TOKEN_SECONDS
            self._tokens[token] = expires
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token,
                                  "expires_in": int(expires - now)})

    def _token_refused(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token not in self._tokens:
            return _error(40014, "invalid access_token")
        if self._tokens[token] <= time.monotonic():
            return _error(42001, "access_token expired")
        return None

    async def _upload(self, request: web.Request) -> web.Response:
        """`media/upload`: a temporary file (type file: more than 5 bytes, at most 20 MB)."""
        self.calls["media/upload"] += 1
        if (refused := self._token_refused(request)) is not None:
            return refused
        if request.query.get("type") not in {"image", "voice", "video", "file"}:
            return _error(40004, "invalid media type")
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return _error(41009, "missing media")
        content = media.file.read()
        if not 5 < len(content) <= 20 * 1024 * 1024:
            return _error(40006, "invalid file size")
        media_id = secrets.token_urlsafe(24)
        self.media[media_id] = (media.filename, content)
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "file",
                                  "media_id": media_id, "created_at": str(int(time.time()))})

    async def _send(self, request: web.Request) -> web.Response:
        self.calls["message/send"] += 1
        if (refused := self._token_refused(request)) is not None:
            return refused
        try:
            body: dict[str, Any] = await request.json()
        except ValueError:
            return _error(40035, "invalid parameter")
        if body.get("agentid") != self.agent_id:
            return _error(40056, "invalid agentid")
        msgtype = body.get("msgtype")
        card = None
        if msgtype == "file":
            media_id = (body.get("file") or {}).get("media_id")
            if media_id not in self.media:
                return _error(40007, "invalid media_id")
            body = {**body, "text": {"content": self.media[media_id][0]}}
        elif msgtype == "template_card":
            card = body.get("template_card")
            if (refused := self._card_refused(card)) is not None:
                return refused
            assert isinstance(card, dict)
            body = {**body, "text": {"content": _card_text(card)}}
        elif msgtype == "markdown" and isinstance(body.get("markdown"), dict):
            body = {**body, "text": body["markdown"]}  # the same 2048 bytes
        elif msgtype != "text" or not isinstance(body.get("text"), dict):
            return _error(40008, "invalid message type")
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        invalid = [u for u in users if u not in self.members]
        if users and len(invalid) == len(users):
            return _error(81013, "user & party & tag all invalid")
        content = str(body["text"].get("content", ""))
        raw = content.encode("utf-8")
        if len(raw) > MAX_TEXT_BYTES:
            self.truncated.append(content)
            content = raw[:MAX_TEXT_BYTES].decode("utf-8", errors="ignore")
        now = time.monotonic()
        for user in users:
            if user in invalid:
                continue
            message = Received(user, msgtype, content, now, card=card)
            if self._over_limit(user, now):
                self.dropped.append(message)  # WeCom drops it and says nothing
            else:
                self.received.append(message)
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": secrets.token_hex(8)}
        if card is not None and card.get("card_type") != "text_notice":
            answer["response_code"] = self.response_code(users[0], card["task_id"])
        if invalid:
            answer["invaliduser"] = "|".join(invalid)
        return web.json_response(answer)

    def _card_refused(self, card: object) -> web.Response | None:
        """A card as WeCom takes it: a known type, a task id never used before (letters,
        digits, `_-@`, at most 128 bytes), at most 6 buttons and 20 checkbox options, keys of
        at most 1024 bytes. WeCom documents no code of its own for these: 40035, its code
        for a parameter it does not take."""
        if not isinstance(card, dict) or card.get("card_type") not in CARD_TYPES:
            return _error(40035, "invalid template_card")
        task_id = str(card.get("task_id", ""))
        if card["card_type"] != "text_notice" and (
                not TASK_ID.fullmatch(task_id) or task_id in self.task_ids):
            return _error(40035, "invalid task_id")
        buttons = card.get("button_list") or []
        options = (card.get("checkbox") or {}).get("option_list") or []
        keys = [b.get("key", "") for b in buttons] + [
            (card.get("submit_button") or {}).get("key", "")]
        if len(buttons) > 6 or len(options) > 20 or any(len(k.encode()) > 1024 for k in keys):
            return _error(40035, "invalid template_card")
        self.task_ids.add(task_id)
        return None

    def response_code(self, user: str, task_id: str) -> str:
        """A new code for one update of the member's card (on sending it, and each click)."""
        code = secrets.token_urlsafe(24)
        self.response_codes[code] = (user, task_id, False)
        return code

    async def _update_card(self, request: web.Request) -> web.Response:
        """`update_template_card` with `button.replace_name`: the card's buttons become one
        that cannot be clicked. A response code is good once (40035 otherwise)."""
        self.calls["message/update_template_card"] += 1
        if (refused := self._token_refused(request)) is not None:
            return refused
        body = await request.json()
        code = str(body.get("response_code", ""))
        if body.get("agentid") != self.agent_id:
            return _error(40056, "invalid agentid")
        if code not in self.response_codes or self.response_codes[code][2]:
            return _error(40035, "invalid response_code")
        user, task_id, _ = self.response_codes[code]
        self.response_codes[code] = (user, task_id, True)
        label = str((body.get("button") or {}).get("replace_name", ""))
        for message in self.received:
            if message.card is not None and message.card.get("task_id") == task_id:
                message.closed = label
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _user(self, request: web.Request) -> web.Response:
        """`user/get`: a member's name and mobile (60111 for a UserID the corp lacks)."""
        self.calls["user/get"] += 1
        if (refused := self._token_refused(request)) is not None:
            return refused
        member = self.members.get(request.query.get("userid", ""))
        if member is None:
            return _error(60111, "userid not found")
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": member.user_id,
                                  "name": member.name, "mobile": member.mobile})

    async def _menu(self, request: web.Request) -> web.Response:
        """`menu/create`: 1 to 3 entries, each with at most 5 below it; names of at most 16
        bytes on top and 40 below, keys of at most 128 bytes (WeCom's 40016 for the
        number of buttons, 40018 and 40025 for a name too long, 40019 and 40026 for a key)."""
        self.calls["menu/create"] += 1
        if (refused := self._token_refused(request)) is not None:
            return refused
        if request.query.get("agentid") != str(self.agent_id):
            return _error(40056, "invalid agentid")
        buttons = (await request.json()).get("button") or []
        if not 1 <= len(buttons) <= 3 or any(len(b.get("sub_button") or []) > 5
                                             for b in buttons):
            return _error(40016, "invalid button size")
        for top in buttons:
            if not 0 < len(top.get("name", "").encode()) <= 16:
                return _error(40018, "invalid button name size")
            if len(top.get("key", "").encode()) > 128:
                return _error(40019, "invalid button key size")
            for sub in top.get("sub_button") or []:
                if not 0 < len(sub.get("name", "").encode()) <= 40:
                    return _error(40025, "invalid sub button name size")
                if len(sub.get("key", "").encode()) > 128:
                    return _error(40026, "invalid sub button key size")
        self.menu = buttons
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _media_get(self, request: web.Request) -> web.StreamResponse:
        """`media/get`: the file's bytes under its name, or 40007 for an unknown media id."""
        self.calls["media/get"] += 1
        if (refused := self._token_refused(request)) is not None:
            return refused
        media_id = request.query.get("media_id", "")
        if media_id not in self.media:
            return _error(40007, "invalid media_id")
        name, content = self.media[media_id]
        quoted = urllib.parse.quote(name)
        return web.Response(body=content, content_type="application/octet-stream", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quoted}"})

    def _over_limit(self, user: str, now: float) -> bool:
        times = [r.at for r in self.received if r.user_id == user]
        return any(sum(1 for t in times if now - t < seconds) >= count
                   for count, seconds in self.limits.windows)


def _card_text(card: dict[str, Any]) -> str:
    """What a card says, as the member reads it: titles, texts, then its buttons or
    options in brackets."""
    parts = [(card.get("source") or {}).get("desc", ""),
             (card.get("main_title") or {}).get("title", ""),
             (card.get("main_title") or {}).get("desc", ""), card.get("sub_title_text", "")]
    parts += [f"{h.get('keyname', '')}：{h.get('value', '')}"
              for h in card.get("horizontal_content_list") or []]
    parts += [f"[{o.get('text', '')}]" for o in
              ((card.get("checkbox") or {}).get("option_list") or [])]
    parts += [f"[{o.get('text', '')}]" for o in
              ((card.get("button_selection") or {}).get("option_list") or [])]
    parts += [f"[{b.get('text', '')}]" for b in card.get("button_list") or []]
    if card.get("submit_button"):
        parts.append(f"[{card['submit_button'].get('text', '')}]")
    return "\n".join(p for p in parts if p)


def _error(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})
