"""A broadcast, step by step, the same from chat and from the command line: begin a
notice, take its text (and file), choose who gets it, send it through the outbox; and its
outcome, told in the same words in both places. No Telegram here: the handler renders
what each step returns."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flows.form_files import IncomingFile
from flows.joining import invites_for
from flows.services import Services
from storage import broadcasts, waiting
from storage import models as m
from storage.broadcasts import BroadcastRecord, broadcast_record
from storage.notices import Attached
from storage.progress import active_units, round_status
from storage.records import UnitRecord, unit_record
from storage.waiting import Awaiting
from texts.catalog import t
from texts.text import clean_text

MAX_CAPTION = 1024  # Telegram's limit on a caption
MAX_TEXT = 4000


class Choose(StrEnum):
    """What a tap on the audience screens chose."""

    ALL = "all"
    ROLE = "role"  # with a role
    UNIT = "unit"  # with a unit code, toggled in the list
    MISSING = "missing"  # with a round code: units that have not submitted it
    UNITS_DONE = "units_done"  # the list of units is complete


@dataclass(frozen=True)
class Refused:
    """A step that could not be done, and the catalog key (with values) that says why."""

    key: str
    values: dict[str, object]


@dataclass(frozen=True)
class Chosen:
    broadcast: BroadcastRecord
    recipients: int  # how many people the audience reaches now
    # At the preview: the audience's units nobody in can receive it, with an invite link.
    unreached: list[tuple[str, str]] = field(default_factory=list)


async def begin(services: Services, admin_id: int) -> int:
    """A new notice (any unfinished one of this admin's is dropped); the admin's next
    message is its text. Returns the broadcast's id."""
    now = services.clock.now()
    async with services.transaction() as session:
        broadcast = await broadcasts.start_broadcast(session, admin_id, now)
        await waiting.wait_for(session, admin_id, Awaiting.BROADCAST_TEXT, broadcast.id, now)
    return broadcast.id


async def take_notice(services: Services, admin_id: int, slot: waiting.Slot, typed: str,
                      incoming: IncomingFile | None, photo: bool) -> BroadcastRecord | Refused:
    """The notice's text (a caption when a file comes with it), and its file."""
    text = clean_text(typed).strip()
    async with services.transaction() as session:
        broadcast = await session.get(m.Broadcast, slot.target_id)
        if broadcast is None or broadcast.created_by != admin_id \
                or broadcast.stage != m.BroadcastStage.COMPOSE:
            await waiting.clear(session, admin_id)
            return Refused("messages.use_commands", {})
        refused = _refused(services, text, incoming)
        if refused is not None:
            return refused
        await _fill(session, services, broadcast, text, incoming, photo, admin_id)
        broadcast.stage = m.BroadcastStage.AUDIENCE
        await waiting.clear(session, admin_id)
        return broadcast_record(broadcast)


async def prepare(services: Services, text: str, audience: dict[str, Any],
                  incoming: IncomingFile | None, photo: bool) -> tuple[int, int] | Refused:
    """The command line's way in: a whole notice at once, text, file and audience, to its
    preview. Returns the broadcast's id and how many people it reaches."""
    text = clean_text(text).strip()
    refused = _refused(services, text, incoming)
    if refused is not None:
        return refused
    async with services.transaction() as session:
        try:
            count = len(await broadcasts.recipients(session, services.campaign_ids, audience))
        except broadcasts.AudienceError as exc:
            return Refused("cli.bad_audience", {"value": str(exc)})
        broadcast = await broadcasts.start_broadcast(session, None, services.clock.now())
        await _fill(session, services, broadcast, text, incoming, photo, None)
        broadcast.audience = audience
        broadcast.stage = m.BroadcastStage.PREVIEW
    return broadcast.id, count


def caption_room(services: Services) -> int:
    """Characters a notice sent with a file may have: Telegram's caption limit, less the
    sender's header line."""
    header = sender_header(services)
    return MAX_CAPTION - (len(header) + 3 if header else 0)


def _refused(services: Services, text: str, incoming: IncomingFile | None) -> Refused | None:
    if incoming is not None and len(text) > caption_room(services):
        return Refused("broadcast.caption_too_long", {"limit": caption_room(services)})
    if not text and incoming is None:
        return Refused("broadcast.empty", {})
    if len(text) > MAX_TEXT:
        return Refused("broadcast.too_long", {})
    return None


async def _fill(session, services: Services, broadcast: m.Broadcast, text: str,  # type: ignore[no-untyped-def]
                incoming: IncomingFile | None, photo: bool, admin_id: int | None) -> None:
    broadcast.text = text
    if incoming is not None:
        attachment = m.Attachment(
            file_name=incoming.file_name, mime_type=incoming.mime_type,
            size=len(incoming.content), sha256="", content=incoming.content,
            telegram_file_id=incoming.telegram_file_id, uploaded_by=admin_id,
            created_at=services.clock.now())
        session.add(attachment)
        await session.flush()
        broadcast.attachment_id = attachment.id
        broadcast.attachment_kind = Attached.PHOTO if photo else Attached.DOCUMENT


async def choose(services: Services, admin_id: int, broadcast_id: int,
                 what: Choose | None, code: str = "", bot_username: str = "",
                 campaign_id: int | None = None) -> Chosen | Refused:
    """A tap on the audience screens (`what` None: only open a list). A complete choice
    moves the broadcast to its preview. A round (`missing`) is of `campaign_id`."""
    served = services.of(campaign_id)
    async with services.transaction() as session:
        broadcast = await _open(session, admin_id, broadcast_id)
        if broadcast is None:
            return Refused("form.stale_button", {})
        if what is Choose.ALL:
            broadcast.audience = {"all": True}
        elif what is Choose.ROLE and code in {r.value for r in m.Role}:
            broadcast.audience = {"role": code}
        elif what is Choose.UNIT and code in services.roster():
            chosen = list(broadcast.audience.get("units", []))
            chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
            broadcast.audience = {"units": chosen}
        elif what is Choose.MISSING and code in {r.code for r in served.campaign.rounds}:
            broadcast.audience = {"missing": code, "campaign": served.campaign_id}
        count = await _count(session, services, broadcast)
        unreached: list[tuple[str, str]] = []
        if what in (Choose.ALL, Choose.ROLE, Choose.MISSING, Choose.UNITS_DONE) \
                and broadcast.audience:
            broadcast.stage = m.BroadcastStage.PREVIEW
            unreached = await invites_for(
                session, services, await _unreached(session, services, broadcast.audience),
                services.clock.now(), bot_username)
        return Chosen(broadcast=broadcast_record(broadcast), recipients=count,
                      unreached=unreached)


async def send(services: Services, admin_id: int | None,
               broadcast_id: int) -> broadcasts.Sent | Refused:
    """Confirmed: one ledger row per recipient, through the outbox."""
    async with services.transaction() as session:
        broadcast = await _open(session, admin_id, broadcast_id)
        if broadcast is None:
            return Refused("form.stale_button", {})
        if not await _count(session, services, broadcast):
            return Refused("broadcast.nobody", {})
        return await broadcasts.confirm(session, broadcast, services.campaign_ids,
                                        services.clock.now(), services.outbox,
                                        sender_header(services))


async def cancel(services: Services, admin_id: int | None, broadcast_id: int) -> bool:
    """The notice will not go out; False if it was no longer open."""
    async with services.transaction() as session:
        broadcast = await _open(session, admin_id, broadcast_id)
        if broadcast is None:
            return False
        broadcast.stage = m.BroadcastStage.CANCELLED
        if admin_id is not None:
            await waiting.clear(session, admin_id)
    return True


async def report(services: Services, broadcast_id: int) -> broadcasts.Report:
    """Where the confirmed broadcast's deliveries stand."""
    async with services.readers() as session:
        return await broadcasts.report(session, broadcast_id)


async def finish(services: Services, broadcast_id: int) -> None:
    async with services.transaction() as session:
        await broadcasts.finish(session, broadcast_id, services.clock.now())


async def _open(session, admin_id: int | None, broadcast_id: int) -> m.Broadcast | None:  # type: ignore[no-untyped-def]
    broadcast = await session.get(m.Broadcast, broadcast_id)
    if broadcast is None or broadcast.created_by != admin_id \
            or broadcast.stage not in broadcasts.OPEN_STAGES:
        return None
    return broadcast


async def _count(session, services: Services, broadcast: m.Broadcast) -> int:  # type: ignore[no-untyped-def]
    if not broadcast.audience:
        return 0
    try:
        return len(await broadcasts.recipients(session, services.campaign_ids,
                                               broadcast.audience))
    except broadcasts.AudienceError:
        return 0


async def _unreached(session, services: Services,  # type: ignore[no-untyped-def]
                     audience: dict[str, Any]) -> list[UnitRecord]:
    """The reporting units the audience names in which nobody would receive the notice."""
    if audience.get("role") not in (None, m.Role.CONTACT):
        return []
    units = list({u.id: unit_record(u) for served in services.each() or [services]
                  for u in await active_units(session, served.campaign_id)
                  if not u.is_province}.values())
    if "units" in audience:
        units = [u for u in units if u.code in audience["units"]]
    elif "missing" in audience:
        served = services.of(audience.get("campaign"))
        units = (await round_status(session, served.campaign_id, audience["missing"])).missing
    try:
        people = await broadcasts.recipients(session, services.campaign_ids, audience)
    except broadcasts.AudienceError:
        return []
    reached = {p.unit_id for p in people if p.reachable}
    return [u for u in units if u.id not in reached]


def sender_header(services: Services) -> str:
    """Who broadcasts are from, as the campaign file says (in Chinese, as sent)."""
    sender = services.campaign.sender
    return sender.zh if sender is not None else ""


def render_report(result: broadcasts.Report, lang: str) -> str:

    sep = t("list.sep", lang)
    lines = [t("broadcast.report", lang, sent=result.counts.get("sent", 0), total=result.total)]
    if result.blocked:
        lines.append(t("broadcast.report_blocked", lang, n=len(result.blocked),
                       names=html.escape(sep.join(result.blocked))))
    if result.failed:
        lines.append(t("broadcast.report_failed", lang, n=len(result.failed)))
        lines += [f"• {html.escape(who)}：{html.escape(why[:200])}" for who, why in result.failed]
    if result.uncertain:
        lines.append(t("broadcast.report_uncertain", lang, n=len(result.uncertain),
                       names=html.escape(sep.join(result.uncertain))))
    return "\n".join(lines)
