"""A joined member on WeCom: what they type, click and send, through the same flows as on
Telegram, answered through WeCom's API.

- A text: a command typed (`/report`), 上一题 or 跳过 on the form, else the answer to the
  question on their screen (a contact) or a pointer to the menu (the province's staff).
- A click on the app's menu: the command of that entry (flows.permissions says who may).
- A click on a card: the press it carries (texts.buttons); the card then shows the answer
  given on a button that can no longer be clicked.
- A picture (or a file, where WeCom posts one): fetched with `media/get`, kept with the
  draft as on Telegram.
"""

from __future__ import annotations

import html
import logging

from flows import channel, permissions
from flows.form_buttons import FORM_ACTIONS, press
from flows.form_files import MAX_FILE_BYTES, IncomingFile
from flows.report_form import ReportFlow
from flows.screens import QuestionScreen, Screen
from flows.services import Services
from flows.standing import deadline_lines, status_lines
from storage import contacts, waiting
from storage import models as m
from storage.records import PersonRecord
from storage.waiting import Awaiting
from texts.buttons import Action, ForgedButton, Pressed, decode
from texts.catalog import LANGUAGES, t
from wecom_front.card_parts import PICK, SEP
from wecom_front.cards import render
from wecom_front.chat import Chat
from wecom_front.pick_cards import channel_card, language_card
from wecom_front.province import COMMANDS as PROVINCE_COMMANDS
from wecom_front.province import ProvinceDoor
from wecom_front.review import ACTIONS as REVIEW_ACTIONS
from wecom_front.review import ReviewDoor
from wecom_front.upload import UploadLinks
from wecom_io.api import WeComApi, WeComError
from wecom_io.callback import Callback

log = logging.getLogger(__name__)
UNSUPPORTED = {"voice", "video", "location", "link"}


class MemberDoor:
    def __init__(self, services: Services, api: WeComApi, person: PersonRecord, user: str,
                 uploads: UploadLinks | None = None):
        self.services = services
        self.api = api
        self.chat = Chat(api, user)
        self.uploads = uploads
        self.person = person
        self.lang = person.language

    @property
    def flow(self) -> ReportFlow:
        return ReportFlow(self.services, self.person, self.lang)  # type: ignore[arg-type]

    @property
    def reviewer(self) -> ReviewDoor:
        return ReviewDoor(self.services, self.chat, self.person.id, self.lang)

    @property
    def province(self) -> ProvinceDoor:
        return ProvinceDoor(self.services, self.chat, self.lang, self.reviewer)

    @property
    def reporter(self) -> bool:
        return self.person.role == m.Role.CONTACT

    async def handle(self, callback: Callback) -> None:
        fields = callback.fields
        kind, event = fields.get("MsgType"), fields.get("Event")
        if kind == "text":
            await self.text(fields.get("Content", ""))
        elif kind in ("image", "file"):
            await self.file(fields)
        elif kind == "event" and event == "click":
            await self.command(fields.get("EventKey", ""))
        elif kind == "event" and event == "template_card_event":
            await self.card(callback)
        elif kind in UNSUPPORTED:
            if self.reporter:
                await self.say(t("form.error.unsupported", self.lang))
                await self.show(await self.flow.current())
            else:
                await self.not_words()
        # other events (entering the app, a member's status) need no answer

    # -- what they type -------------------------------------------------------------------

    async def text(self, text: str) -> None:
        words = text.strip()
        if words.startswith("/"):
            name, _, argument = words[1:].partition(" ")
            await self.command(name.lower(), argument.strip())
        elif not self.reporter:
            slot = await self.awaited_return()
            if slot is not None:
                await self.reviewer.reason(slot, text)
            else:
                await self.use_menu()
        elif words == t("wecom.word.back", self.lang):
            await self.word(Action.BACK)
        elif words == t("wecom.word.skip", self.lang):
            await self.word(Action.SKIP_QUESTION)
        else:
            await self.show(await self.flow.answer_text(text))

    async def word(self, action: Action) -> None:
        """上一题 or 跳过, typed: a press of that button on the question on screen."""
        screen = await self.flow.current()
        if isinstance(screen, QuestionScreen):
            screen = await press(self.flow, Pressed(action, (screen.draft_id,
                                                             screen.question.id)))
        await self.show(screen)

    async def command(self, name: str, argument: str = "") -> None:
        """A menu entry clicked, or a command typed (`/progress r1`)."""
        if name not in permissions.wecom_menu():
            await self.use_menu()
            return
        refusal = permissions.command_refusal(name, self.person.role)
        if refusal is not None:
            await self.say(t(refusal, self.lang))
        elif name == "report":
            await self.show(await self.flow.start())
        elif name in PROVINCE_COMMANDS:
            await self.province.ask(PROVINCE_COMMANDS[name], argument)
        elif name == "language":
            await self.chat.card(language_card(self.lang))
        elif name == "status":
            await self.say("\n".join(await status_lines(self.services, self.person, self.lang)))
        elif name == "deadlines":
            await self.say("\n".join(await deadline_lines(self.services, self.person,
                                                          self.lang)))
        elif name == "cancel":
            if self.reporter:
                await self.show(await self.flow.cancel())
            else:
                await self.cancel_return()
        elif name == "channel":
            said, both = await channel.offer(self.services, self.person, self.lang)
            if both:
                await self.chat.card(channel_card(said, self.lang))
            else:
                await self.say(said)
        else:  # whoami
            await self.say(t("wecom.whoami", self.lang, name=html.escape(self.person.name),
                             unit=html.escape(self.person.unit.name),
                             role=t(f"role.{self.person.role}", self.lang)))

    async def awaited_return(self) -> waiting.Slot | None:
        """The return whose reason the bot waits for from this person, if any."""
        async with self.services.readers() as session:
            slot = await waiting.slot_of(session, self.person.id, self.services.clock.now())
        return slot if slot is not None and slot.kind is Awaiting.RETURN_REASON else None

    async def not_words(self) -> None:
        """A picture, a voice... from the province's staff: a return's reason, if one is
        awaited, is still awaited (it is words); else the menu."""
        if await self.awaited_return() is not None:
            await self.say(t("progress.ask_reason", self.lang))
        else:
            await self.use_menu()

    async def cancel_return(self) -> None:
        """The province's /cancel: a return whose reason was awaited is not sent."""
        slot = await self.awaited_return()
        if slot is not None:
            await self.reviewer.pressed(Action.RETURN_CANCEL, slot.target_id)
        else:
            await self.say(t("cancel.nothing", self.lang))

    async def language(self, code: str) -> None:
        if code not in LANGUAGES:
            await self.say(t("form.stale_button", self.lang))
            return
        async with self.services.transaction() as session:
            await contacts.set_language(session, self.person.id, code)
        await self.say(t("language.set", code))

    async def use_menu(self) -> None:
        entries = t("list.sep", self.lang).join(
            t(f"menu.{name}", self.lang) for name in permissions.wecom_menu()
            if permissions.command_refusal(name, self.person.role) is None)
        await self.say(t("wecom.use_menu", self.lang, entries=entries))

    # -- what they click -------------------------------------------------------------------

    async def card(self, callback: Callback) -> None:
        """A click on a card: its button's press, or the option ticked (`pick`), or a
        multiple choice's options ticked at once."""
        fields = callback.fields
        event_key = fields.get("EventKey", "")
        chosen = [option for options in callback.selected.values() for option in options]
        try:
            carried = chosen[0] if event_key == PICK and chosen else event_key
            pressed, label = _read(carried)
            if pressed.action not in permissions.WECOM_ACTIONS:
                raise ForgedButton("not a button of the form")
            ticked = [_read(option) for option in chosen] if event_key != PICK else []
        except ForgedButton:
            log.warning("a WeCom card carried what the bot never issued")
            await self.say(t("form.stale_button", self.lang))
            return
        refusal = permissions.action_refusal(pressed.action, self.person.role)
        if refusal is not None:
            await self.say(t(refusal, self.lang))
            return
        response = fields.get("ResponseCode", "")
        if pressed.action in FORM_ACTIONS:
            await self.form_card(response, pressed, label, ticked)
            return
        await self.chat.close(response, t("wecom.card.done", self.lang, answer=label))
        if pressed.action in REVIEW_ACTIONS:
            await self.reviewer.pressed(pressed.action, pressed.id(0))
        elif pressed.action in ProvinceDoor.ACTIONS:
            served = self.services.of(pressed.campaign)
            if any(r.code == pressed.code(0) for r in served.rounds):
                await self.province.round(pressed.action, served, pressed.code(0))
            else:  # the round left its campaign's file since the card was sent
                await self.say(t("wecom.round_gone", self.lang))
        elif pressed.action is Action.LANGUAGE:
            await self.language(pressed.code(0))
        else:  # CHANNEL
            await self.say(await channel.choose(self.services, self.person, pressed.code(0),
                                                self.lang))

    async def form_card(self, response: str, pressed: Pressed, label: str,
                        ticked: list[tuple[Pressed, str]]) -> None:
        """A click on the form's card; the card then shows the answer, or that it was seen
        (the answer was refused and the question comes again)."""
        if pressed.action is Action.QUESTION_DONE and ticked and all(
                p.action is Action.TOGGLE_OPTION for p, _ in ticked):
            codes = ",".join(p.code(2) for p, _ in ticked)
            label = t("list.sep", self.lang).join(words for _, words in ticked)
            screen = await self.flow.answer_button(pressed.id(0), pressed.code(1), "several",
                                                   codes)
        else:
            screen = await press(self.flow, pressed)
        answered = not (isinstance(screen, QuestionScreen) and screen.error)
        await self.chat.close(response, t("wecom.card.done", self.lang, answer=label)
                              if answered and label else t("wecom.card.seen", self.lang))
        await self.show(screen)

    # -- what they send ---------------------------------------------------------------------

    async def file(self, fields: dict[str, str]) -> None:
        if not self.reporter:
            await self.not_words()
            return
        try:
            media = await self.api.media(fields.get("MediaId", ""), MAX_FILE_BYTES)
        except WeComError as error:
            log.warning("WeCom media not fetched: %s", error)
            await self.say(t("wecom.file_unreadable", self.lang))
            return
        if media is None:
            await self.say(t("form.error.file_too_big", self.lang))
            return
        picture = fields.get("MsgType") == "image"
        name = media.name or (f"photo_{fields.get('MsgId', '')}.jpg" if picture else "file")
        mime = "image/jpeg" if picture and not media.mime_type.startswith("image/") \
            else media.mime_type
        await self.take_file(IncomingFile(content=media.content, file_name=name, mime_type=mime))

    async def take_file(self, incoming: IncomingFile) -> None:
        """A file for the form: a picture from the chat, or a document from the upload
        page (wecom_front.upload)."""
        await self.show(await self.flow.answer_file(incoming))

    # -- what the bot says ------------------------------------------------------------------

    async def show(self, screen: Screen) -> None:
        zone, now = self.services.campaign.zone, self.services.clock.now()
        upload = self.uploads.link(self.person.id) if self.uploads else None
        for part in render(screen, self.lang, zone, now, upload):
            if part.card is not None:
                await self.chat.card(part.card)
            elif part.text:
                await self.chat.write(part.text)

    async def say(self, text: str) -> None:
        await self.chat.say(text)


def _read(carried: str) -> tuple[Pressed, str]:
    """The press a card's key or option carries, and the words shown with it."""
    data, _, label = carried.partition(SEP)
    return decode(data), label
