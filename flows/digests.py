"""The digest after each deadline: built outside any write transaction, then stored and
queued to every coordinator and admin (chat parts, the Word file, the workbook) in the
transaction that marks the plan item fired: once, whatever restarts or instances."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from flows.reminders import province_people
from flows.services import Services
from reporting.digest_files import DOCX_MIME, XLSX_MIME, render_all
from reporting.reminder_plan import Kind
from storage import models as m
from storage import plan as planned
from storage.digest_data import load_digest
from storage.notices import NewDelivery, Notice

log = logging.getLogger(__name__)


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
            async with services.readers() as session:
                digest = await load_digest(session, services.campaign, services.campaign_id,
                                           item.ref, now)
            rendered = render_all(digest)
        except Exception:  # never hold up the other due items; tried again next wake-up
            log.exception("could not compile the digest of %s; it stays planned", item.ref)
            continue
        async with services.transaction() as session:
            if not await planned.take(session, item.id, planned.DONE, now):
                continue
            files = []
            for name, mime, content in ((rendered.docx_name, DOCX_MIME, rendered.docx),
                                        (rendered.xlsx_name, XLSX_MIME, rendered.xlsx)):
                file = m.Attachment(file_name=name, mime_type=mime, size=len(content),
                                    sha256=hashlib.sha256(content).hexdigest(),
                                    content=content, created_at=now)
                session.add(file)
                files.append(file)
            await session.flush()
            messages = []
            for person in await province_people(session, services.campaign_id):
                base = f"digest:{item.id}:{person.id}"
                for i, part in enumerate(rendered.parts):
                    messages.append(NewDelivery(key=f"{base}:t{i}", purpose="digest",
                                             chat_id=person.chat_id or 0, contact_id=person.id,
                                             notice=Notice(text=part)))
                for file in files:
                    messages.append(NewDelivery(
                        key=f"{base}:f{file.id}", purpose="digest", chat_id=person.chat_id or 0,
                        contact_id=person.id, notice=Notice(text="", attachment_id=file.id)))
            queued += await services.outbox.enqueue(session, messages, now)
        log.info("digest of %s queued for the province: %d message(s)", item.ref, len(messages))
    return queued
