"""WeCom's callbacks, served at WECOM_CALLBACK_PATH on the bot's HTTP server.

`GET`: WeCom checks the URL (answered with the decrypted `echostr`). `POST`: a member's
message. Each is opened by wecom_io.callback (anything forged, stale or malformed is a 403
and changes nothing), handled once however often WeCom posts it, and answered empty: the
bot's replies go out through `message/send`, as WeCom allows at any time.

Someone the bot does not know can join with an invite code, as on Telegram; a member who
has joined is served by wecom_front.member (the form, the menu)."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import logging

from aiohttp import web

from flows import joining
from flows.form_files import IncomingFile
from flows.services import Services
from storage.invites import InviteProblem
from storage.joining import WeComPerson
from storage.records import PersonRecord
from storage.wecom_people import first_time, person_on_wecom, wecom_member
from texts.catalog import t
from wecom_front.chat import Chat
from wecom_front.member import MemberDoor
from wecom_front.menu import app_menu
from wecom_front.upload import UploadLinks, UploadPage
from wecom_io.api import WeComApi, WeComError
from wecom_io.callback import MAX_BODY, Callback, open_callback, verify_url
from wecom_io.crypto import Refused, WeComCrypto

log = logging.getLogger(__name__)
# What someone does that deserves an answer even before they joined; other events (they
# opened the app, their status changed) do not.
ANSWERED_EVENTS = {"click", "template_card_event"}


class WeComFront:
    def __init__(self, services: Services, api: WeComApi, crypto: WeComCrypto, path: str,
                 uploads: UploadLinks | None = None):
        self.services = services
        self.api = api
        self.crypto = crypto
        self.path = path
        self.uploads = uploads  # the upload page's links, when members can reach it

    async def set_menu(self) -> None:
        """The app's menu, from the roles table; WeCom unreachable now is not fatal (the
        menu set last time stays, and commands can be typed)."""
        try:
            await self.api.set_menu(app_menu())
        except Exception as error:  # logged; the bot serves on
            log.warning("WeCom menu not set: %s", error)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(self.path, self.verify)
        app.router.add_post(self.path, self.receive)
        if self.uploads is not None:
            UploadPage(self.uploads, self.take_upload).add_routes(app)

    async def take_upload(self, person_id: int, incoming: IncomingFile) -> str:
        """A document from the upload page, for the person the link was signed for: taken
        by the form, its next screen sent to their WeCom chat; what the page says."""
        async with self.services.readers() as session:
            found = await wecom_member(session, person_id)
        if found is None:
            return t("wecom.upload.expired")
        person, user = found
        door = MemberDoor(self.services, self.api, person, user, self.uploads)
        try:
            await door.take_file(incoming)
        except Exception:
            log.exception("could not take an uploaded file")
            return t("error.generic", person.language)
        return t("wecom.upload.done", person.language, name=incoming.file_name)

    async def verify(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            echo = verify_url(self.crypto, q.get("msg_signature", ""), q.get("timestamp", ""),
                              q.get("nonce", ""), q.get("echostr", ""), _wall_now())
        except Refused as refused:
            log.warning("WeCom URL check refused: %s", refused.reason)
            return web.Response(status=403, text="forbidden")
        return web.Response(text=echo)

    async def receive(self, request: web.Request) -> web.Response:
        q = request.query
        body = await request.content.read(MAX_BODY + 1)
        now = _wall_now()
        try:
            callback = open_callback(self.crypto, q.get("msg_signature", ""),
                                     q.get("timestamp", ""), q.get("nonce", ""), body, now)
        except Refused as refused:
            log.warning("WeCom callback refused: %s", refused.reason)
            return web.Response(status=403, text="forbidden")
        async with self.services.transaction() as session:
            first = await first_time(session, callback.key, now)
        if first:
            try:
                await self.handle(callback)
            except Exception:  # WeCom would post it again; it is marked handled
                log.exception("could not handle a WeCom callback")
                await self._sorry(callback.fields.get("FromUserName", ""))
        return web.Response(text="")

    async def handle(self, callback: Callback) -> None:
        fields = callback.fields
        user = fields.get("FromUserName")
        if not user:
            return
        async with self.services.readers() as session:
            person = await person_on_wecom(session, user)
        if person is not None:
            await MemberDoor(self.services, self.api, person, user,
                             self.uploads).handle(callback)
        elif fields.get("MsgType") != "event" or fields.get("Event") in ANSWERED_EVENTS:
            await self._stranger(user, fields.get("Content", ""))  # a picture, a click...

    async def _stranger(self, user: str, text: str) -> None:
        """Someone not yet known: joined by an invite code they send, or by the mobile the
        corp's directory has for them when the roster lists it; else told how to join."""
        name, mobile = await self._directory(user)
        person = WeComPerson(user, name=name or user)
        code = joining.invite_in(text)
        if code is not None:
            joined = await joining.with_invite(self.services, person, code)
            if isinstance(joined, InviteProblem):
                await self._reply(user, t(f"join.invite_{joined.value}"))
                return
            await self._reply(user, _welcome(joined))
            return
        by_phone = await joining.with_phone(self.services, person, mobile) if mobile else None
        if by_phone is not None:
            await self._reply(user, _welcome(by_phone))
            return
        names = t("list.sep").join(s.campaign.name.zh for s in self.services.each())
        await self._reply(user, t("wecom.unbound", campaign=names))

    async def _directory(self, user: str) -> tuple[str, str]:
        """The member's name and mobile from WeCom's directory; nothing if it will not say."""
        try:
            return await self.api.member(user)
        except WeComError as error:
            log.info("WeCom user/get for a stranger: %s", error)
            return "", ""

    async def _sorry(self, user: str) -> None:
        """What went wrong is the bot's, said as on Telegram; never a traceback."""
        if user:
            with contextlib.suppress(Exception):  # WeCom itself may be what failed
                async with self.services.readers() as session:
                    person = await person_on_wecom(session, user)
                await self._reply(user, t("error.generic", person.language if person else "zh"))

    async def _reply(self, user: str, text: str) -> None:
        await Chat(self.api, user).say(text)


def _welcome(person: PersonRecord) -> str:
    lang = person.language
    return t("join.welcome", lang, name=html.escape(person.name),
             unit=html.escape(person.unit.name), role=t(f"role.{person.role}", lang))


def _wall_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)  # WeCom's timestamps are the wall clock's
