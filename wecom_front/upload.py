"""A page to send a document from WeCom. WeCom passes a member's pictures to the app, but
not their files (an app receives text, pictures, voice, video, places and links), so a
Word report or a PDF goes through this page instead: the form's cards carry a 上传文件
button that opens it in WeCom's own browser, signed for that member for a day. What is
uploaded is taken exactly as a document sent on Telegram (an attachment, or a Word file
in place of the narrative sections), and the form's next screen comes in the chat.

Served on the bot's HTTP server beside the callback URL, at WECOM_PUBLIC_URL's
`/wecom/upload`; without WECOM_PUBLIC_URL there is no button (pictures still work)."""

from __future__ import annotations

import hashlib
import hmac
import html
import time
import urllib.parse
from collections.abc import Awaitable, Callable

from aiohttp import BodyPartReader, web

from flows.form_files import MAX_FILE_BYTES, IncomingFile
from texts.catalog import t

PATH = "/wecom/upload"
VALID_SECONDS = 24 * 3600
Receiver = Callable[[int, IncomingFile], Awaitable[str]]  # person id, file: what to show


class UploadLinks:
    """Links signed for one person, checked in constant time, good for a day."""

    def __init__(self, public_url: str, key: bytes, clock: Callable[[], float] = time.time):
        self.public_url = public_url.rstrip("/")
        self.key = hashlib.sha256(b"wecom-upload:" + key).digest()
        self.clock = clock

    def link(self, person_id: int) -> str:
        expires = int(self.clock()) + VALID_SECONDS
        token = f"{person_id}.{expires}.{self._sign(person_id, expires)}"
        return f"{self.public_url}{PATH}?{urllib.parse.urlencode({'t': token})}"

    def person(self, token: str) -> int | None:
        """The person a token was signed for, if it is ours and still good."""
        parts = token.split(".")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
            return None
        person_id, expires = int(parts[0]), int(parts[1])
        if expires < self.clock() or not hmac.compare_digest(
                parts[2], self._sign(person_id, expires)):
            return None
        return person_id

    def _sign(self, person_id: int, expires: int) -> str:
        said = f"{person_id}:{expires}".encode()
        return hmac.new(self.key, said, hashlib.sha256).hexdigest()[:32]


class UploadPage:
    def __init__(self, links: UploadLinks, receive: Receiver):
        self.links = links
        self.receive = receive

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.form)
        app.router.add_post(PATH, self.upload)

    async def form(self, request: web.Request) -> web.Response:
        if self.links.person(request.query.get("t", "")) is None:
            return _page(t("wecom.upload.expired"), status=403)
        token = html.escape(request.query["t"], quote=True)
        return _page(t("wecom.upload.intro"), form=(
            f'<form method="post" enctype="multipart/form-data" action="?t={token}">'
            f'<input type="file" name="file" required>'
            f'<button type="submit">{html.escape(t("wecom.upload.send"))}</button></form>'))

    async def upload(self, request: web.Request) -> web.Response:
        person_id = self.links.person(request.query.get("t", ""))
        if person_id is None:
            return _page(t("wecom.upload.expired"), status=403)
        incoming = await _read_file(request)
        if incoming is None:
            return _page(t("wecom.upload.no_file"), status=400)
        if isinstance(incoming, str):
            return _page(incoming, status=413)
        said = await self.receive(person_id, incoming)
        return _page(said + "\n" + t("wecom.upload.back"))


async def _read_file(request: web.Request) -> IncomingFile | str | None:
    """The one file of the form, read in pieces up to the form's limit (the server's
    limit on a request body does not apply to a stream)."""
    try:
        reader = await request.multipart()
        part = await reader.next()
    except (ValueError, AssertionError):
        return None
    while part is not None and not (isinstance(part, BodyPartReader) and part.filename):
        part = await reader.next()
    if not isinstance(part, BodyPartReader):
        return None
    content = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        content += chunk
        if len(content) > MAX_FILE_BYTES:
            return t("form.error.file_too_big")
    if not content:
        return None
    mime = part.headers.get("Content-Type", "application/octet-stream")
    return IncomingFile(content=bytes(content), file_name=part.filename or "file",
                        mime_type=mime)


def _page(message: str, form: str = "", status: int = 200) -> web.Response:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in message.split("\n") if line)
    return web.Response(status=status, content_type="text/html", charset="utf-8", text=(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(t('wecom.upload.title'))}</title>"
        "<style>body{font:17px/1.6 sans-serif;margin:24px;color:#222}"
        "input,button{font-size:17px;margin:12px 0;display:block}</style></head>"
        f"<body><h3>{html.escape(t('wecom.upload.title'))}</h3>{body}{form}</body></html>"))
