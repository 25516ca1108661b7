"""The digest after each deadline: built outside any write transaction, then stored and
queued to every coordinator and admin (chat parts, the report, the check sheet, the
workbook, each file with a caption saying what it is and as of when) in the transaction
that marks the plan item fired: once, whatever restarts or instances."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from flows.services import Services
from reporting.digest_files import RenderedDigest, render_all
from reporting.reminder_plan import Kind
from storage import models as m
from storage import plan as planned
from storage.contacts import province_people
from storage.digest_data import load_digest
from storage.notices import NewDelivery, Notice
from texts.catalog import t
from texts.dates import short_moment
from texts.text import split_message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Compiled:
    """A round's digest as of a moment, rendered and ready to queue."""

    round_title: str
    as_of: dt.datetime
    rendered: RenderedDigest


async def compile_digest(services: Services, round_code: str, now: dt.datetime) -> Compiled:
    """Read and render, outside any write transaction (it can take a while)."""
    async with services.readers() as session:
        digest = await load_digest(session, services.campaign, services.campaign_id,
                                   round_code, now)
    # The files' captions name the campaign too when the province receives several.
    return Compiled(round_title=services.round_title(round_code, "zh"), as_of=now,
                    rendered=render_all(digest))


def file_caption(kind: str, round_title: str, as_of: dt.datetime, zone: dt.tzinfo,
                 lang: str) -> str:
    """What a digest file is and as of when: `📄 … 报告（Word，可转报），截至 1月29日 18:30`."""
    return t(f"digest.caption.{kind}", lang, title=round_title,
             when=short_moment(as_of, zone, lang))


async def queue_digest(session: AsyncSession, services: Services, key: str,
                       compiled: Compiled, now: dt.datetime, heading: str = "") -> int:
    """The digest's files stored, and its messages queued to everyone at the province
    (under `key`, once each): `heading` first, then the chat parts, then the files."""
    rendered, zone = compiled.rendered, services.campaign.zone
    files = []
    for made in rendered.files:
        file = m.Attachment(file_name=made.name, mime_type=made.mime, size=len(made.content),
                            sha256=hashlib.sha256(made.content).hexdigest(),
                            content=made.content, created_at=now)
        session.add(file)
        files.append((made.kind, file))
    await session.flush()
    parts = split_message("\n".join([heading, *rendered.parts])) if heading else rendered.parts
    messages = []
    for person in await province_people(session, services.campaign_id):
        base, lang = f"{key}:{person.id}", person.language
        for i, part in enumerate(parts):
            messages.append(NewDelivery(key=f"{base}:t{i}", purpose="digest",
                                        chat_id=person.chat_id or 0, contact_id=person.id,
                                        notice=Notice(text=part)))
        for kind, file in files:
            caption = file_caption(kind, compiled.round_title, compiled.as_of, zone, lang)
            messages.append(NewDelivery(
                key=f"{base}:f{file.id}", purpose="digest", chat_id=person.chat_id or 0,
                contact_id=person.id, notice=Notice(text=caption, attachment_id=file.id)))
    return await services.outbox.enqueue(session, messages, now)


async def fire_digests(services: Services) -> int:
    now = services.clock.now()
    grace = dt.timedelta(hours=services.campaign.reminder_grace_hours)
    async with services.readers() as session:
        due = await planned.due_items(session, services.campaign_id, now, [Kind.DIGEST])
    queued = 0
    for item in due:
        if now - item.at > grace * 4:  # a digest is still worth having a day late
            async with services.transaction() as session:
                await planned.take(session, item.id, planned.SKIPPED, now, "too late")
            continue
        try:
            compiled = await compile_digest(services, item.ref, now)
        except Exception:  # never hold up the other due items; tried again next wake-up
            log.exception("could not compile the digest of %s; it stays planned", item.ref)
            continue
        async with services.transaction() as session:
            if not await planned.take(session, item.id, planned.DONE, now):
                continue
            added = await queue_digest(session, services, f"digest:{item.id}", compiled, now)
        queued += added
        log.info("digest of %s queued for the province: %d message(s)", item.ref, added)
    return queued
