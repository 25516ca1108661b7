"""The WeCom server API the bot calls as the app (自建应用): `gettoken`; `message/send`
for text, files and template cards; `update_template_card` after a click; `media/upload`
and `media/get` for files. The access token is kept in the database for every instance (see
storage/api_tokens.py) and fetched again shortly before it expires, or when WeCom says it
is no longer good (40014, 42001); no call is made inside a transaction. A text longer than
WeCom takes goes in parts, each member's messages at a pace WeCom does not drop."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from storage import api_tokens
from storage.database import Database
from wecom_io.pacer import MemberPacer
from wecom_io.text import split_text

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
TOKEN_MARGIN = dt.timedelta(minutes=5)  # fetched again this long before it expires
TOKEN_REFUSED = {40014, 42001}  # not a valid token / token expired: fetch anew, once
MAX_MEDIA_BYTES = 20 * 1024 * 1024  # a temporary file WeCom takes (media/upload)


def _form(name: str, content: bytes) -> aiohttp.FormData:
    """The upload as WeCom documents it: one part named `media`, with its file name (what
    the member sees) and length."""
    form = aiohttp.FormData(quote_fields=False)  # a Chinese file name stays as it is
    form.add_field("media", content, filename=name, content_type="application/octet-stream")
    return form


class WeComError(Exception):
    """WeCom answered with an error code (its global error codes: 40001 a wrong secret,
    81013 no valid recipient, ...)."""

    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True)
class Media:
    """A file fetched from WeCom: the name it came with, its bytes and type."""

    name: str
    content: bytes
    mime_type: str


def _file_name(response: aiohttp.ClientResponse) -> str:
    """The name in `Content-Disposition` (`filename*=UTF-8''...` or `filename="..."`)."""
    disposition = response.headers.get("Content-Disposition", "")
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename*" and "''" in value:
            return urllib.parse.unquote(value.split("''", 1)[1])
        if key.lower() == "filename":
            return value.strip('"')
    return ""


@dataclass(frozen=True)
class WeComApp:
    corp_id: str
    agent_id: int
    secret: str
    base_url: str = DEFAULT_BASE_URL


class WeComApi:
    def __init__(self, app: WeComApp, db: Database, pacer: MemberPacer | None = None,
                 timeout: float = 10):
        self.app = app
        self.db = db
        self.pacer = pacer or MemberPacer()
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.token_name = f"wecom:{app.corp_id}:{app.agent_id}"
        self._token: tuple[str, dt.datetime] | None = None  # the last read, and its expiry
        self._http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def access_token(self) -> str:
        """The app's token: the one this instance holds, or the one in the database, while
        it is good; else a new one (kept in the database for every instance)."""
        now = dt.datetime.now(dt.UTC)
        if self._token is not None and self._token[1] > now + TOKEN_MARGIN:
            return self._token[0]
        async with self.db.transaction() as session:
            kept = await api_tokens.valid_until(session, self.token_name, now + TOKEN_MARGIN)
        if kept is None:
            data = await self._call("GET", "gettoken", params={
                "corpid": self.app.corp_id, "corpsecret": self.app.secret})
            kept = data["access_token"], now + dt.timedelta(seconds=data["expires_in"])
            async with self.db.transaction() as session:
                await api_tokens.keep_token(session, self.token_name, *kept)
        self._token = kept
        return kept[0]

    async def send_text(self, user_id: str, text: str) -> int:
        """`text` to one member, in as many parts as WeCom's limit needs; the parts sent."""
        parts = split_text(text)
        for part in parts:
            await self.pacer.turn(user_id)
            await self.send_message({"touser": user_id, "msgtype": "text",
                                     "text": {"content": part}})
        return len(parts)

    async def send_file(self, user_id: str, name: str, content: bytes) -> None:
        """A file to one member: uploaded as a temporary file (`media/upload`, kept 3 days
        by WeCom, at most 20 MB), then sent as a file message under its name."""
        await self.pacer.turn(user_id)
        uploaded = await self._authorized("POST", "media/upload", params={"type": "file"},
                                          data=lambda: _form(name, content))
        await self.send_message({"touser": user_id, "msgtype": "file",
                                 "file": {"media_id": uploaded["media_id"]}})

    async def send_card(self, user_id: str, card: dict[str, Any]) -> str:
        """A template card (按钮交互型, 投票选择型...) to one member; its `response_code`,
        good for one update of the card within 72 hours."""
        await self.pacer.turn(user_id)
        sent = await self.send_message({"touser": user_id, "msgtype": "template_card",
                                        "template_card": card})
        return str(sent.get("response_code", ""))

    async def close_card(self, user_id: str, response_code: str, label: str) -> None:
        """`update_template_card`: the card's buttons become one that cannot be clicked,
        saying `label` (the answer given); with the code of the click, used once."""
        await self._authorized("POST", "message/update_template_card", json={
            "userids": [user_id], "agentid": self.app.agent_id,
            "response_code": response_code, "button": {"replace_name": label}})

    async def media(self, media_id: str, limit: int) -> Media | None:
        """`media/get`: a file a member sent (kept by WeCom 3 days); None past `limit`
        bytes (read no further)."""
        async def read(response: aiohttp.ClientResponse) -> Media | None:
            content = await response.content.read(limit + 1)
            if len(content) > limit:
                return None
            kind = response.headers.get("Content-Type", "").split(";")[0]
            return Media(name=_file_name(response), content=content,
                         mime_type=kind or "application/octet-stream")

        media: Media | None = await self._authorized("GET", "media/get", read=read,
                                                     params={"media_id": media_id})
        return media

    async def member(self, user_id: str) -> tuple[str, str]:
        """`user/get`: the member's name and mobile as the corp's directory has them. A
        self-built app made since 2022-06-20 is not given the mobile (empty then)."""
        data = await self._authorized("GET", "user/get", params={"userid": user_id})
        return str(data.get("name") or ""), str(data.get("mobile") or "")

    async def set_menu(self, menu: dict[str, Any]) -> None:
        """`menu/create`: the app's menu, for every member."""
        await self._authorized("POST", "menu/create", params={"agentid": self.app.agent_id},
                               json=menu)

    async def send_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """`message/send` with the app's agent id."""
        body = {**message, "agentid": self.app.agent_id}
        return await self._authorized("POST", "message/send", json=body)

    async def _authorized(self, method: str, path: str, **kwargs: Any) -> Any:
        """A call with the app's token; a token WeCom refuses is replaced, once. `data` is
        a function making the body (a form cannot be sent twice)."""
        make = kwargs.pop("data", None)
        token = await self.access_token()
        try:
            return await self._call(method, path, token=token,
                                    **kwargs, **({"data": make()} if make else {}))
        except WeComError as error:
            if error.errcode not in TOKEN_REFUSED:
                raise
        self._token = None
        async with self.db.transaction() as session:
            await api_tokens.forget_token(session, self.token_name, token)
        return await self._call(method, path, token=await self.access_token(),
                                **kwargs, **({"data": make()} if make else {}))

    async def _call(self, method: str, path: str, token: str | None = None,
                    read: Callable[[aiohttp.ClientResponse], Awaitable[Any]] | None = None,
                    **kwargs: Any) -> Any:
        """WeCom's JSON answer (an error code raised as WeComError); or, for a call that
        answers with a file, what `read` makes of it."""
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self.timeout)
        params = dict(kwargs.pop("params", {}))
        if token is not None:
            params["access_token"] = token
        url = f"{self.app.base_url.rstrip('/')}/cgi-bin/{path}"
        async with self._http.request(method, url, params=params, **kwargs) as response:
            kind = response.headers.get("Content-Type", "")
            if read is not None and not kind.startswith(("application/json", "text/plain")):
                return await read(response)
            data = await response.json(content_type=None)
        if not isinstance(data, dict):
            raise WeComError(-1, "not a WeCom answer")
        if data.get("errcode", 0) != 0:
            raise WeComError(int(data["errcode"]), str(data.get("errmsg", "")))
        return data
