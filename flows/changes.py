"""Told of every change: a unit that submits after the deadline, resubmits after a return,
or amends after the deadline. The province gets one short notice per few-minute window
(several changes in one window share it), and, until the ministry's deadline for the round,
a refreshed digest after it, marked as updated and naming what changed since the digest
they hold. A window is a plan row and each message a ledger row: once each, whatever
restarts."""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import replace

from flows.digests import compile_digest, queue_digest
from flows.services import Services
from reporting.answers import display
from reporting.campaign import QuestionType
from reporting.reminder_plan import Kind
from storage import models as m
from storage import plan as planned
from storage.contacts import province_people
from storage.notices import NewDelivery, Notice
from storage.records import RoundRecord
from storage.submissions import Change, changes_in
from texts.catalog import t
from texts.dates import moment, short_moment
from texts.text import clean_text, shorten

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(minutes=5)
MAX_FIELDS = 8  # changed questions named in a notice; the digest has them all


async def note_submission(session, services: Services, rnd: RoundRecord,  # type: ignore[no-untyped-def]
                          submission: m.Submission, after_return: bool) -> None:
    """In the submission's transaction: if the province must hear of it, the window it
    falls in is planned (once per window)."""
    if submission.submitted_at <= rnd.due_at and not after_return:
        return
    seconds = WINDOW.total_seconds()
    window = int(submission.submitted_at.timestamp() // seconds)
    at = dt.datetime.fromtimestamp((window + 1) * seconds, dt.UTC)
    await planned.add_change_window(session, services.campaign_id, Kind.CHANGES, rnd.code,
                                    window, at, rnd.due_at)


async def fire_changes(services: Services) -> int:
    now = services.clock.now()
    async with services.readers() as session:
        due = await planned.due_items(session, services.campaign_id, now, [Kind.CHANGES])
    queued = 0
    for item in due:
        try:
            queued += await _tell(services, item, now)
        except Exception:  # one window that cannot be told never holds up the others
            log.exception("could not tell the changes of %s %s; it stays planned",
                          item.ref, item.label)
    return queued


async def _tell(services: Services, item: m.PlanItem, now: dt.datetime) -> int:
    rnd = next((r for r in services.rounds if r.code == item.ref), None)
    if rnd is None:  # the round left the campaign file
        async with services.transaction() as session:
            await planned.take(session, item.id, planned.SKIPPED, now, "round retired")
        return 0
    async with services.readers() as session:
        changes = await changes_in(session, rnd.id, rnd.due_at, item.at - WINDOW, item.at)
        digest_sent = await planned.fired_at(session, services.campaign_id, Kind.DIGEST,
                                             rnd.code)
    ministry = _ministry_deadline(services, rnd.code)
    refresh = bool(changes) and digest_sent is not None and (ministry is None or now < ministry)
    compiled = await compile_digest(services, rnd.code, now) if refresh else None
    if compiled is not None:  # its files named apart from the version they hold
        compiled = replace(compiled, rendered=compiled.rendered.updated())
    async with services.transaction() as session:
        if not await planned.take(session, item.id, planned.DONE, now):
            return 0
        if not changes:
            return 0
        messages = []
        for person in await province_people(session, services.campaign_id):
            title = services.round_title(rnd.code, person.language)
            text = notice_text(services, title, changes, person.language,
                           refresh, rnd.code)
            messages.append(NewDelivery(
                key=f"{Kind.CHANGES}:{item.id}:{person.id}", purpose=Kind.CHANGES,
                chat_id=person.chat_id or 0, contact_id=person.id, notice=Notice(text=text)))
        queued = await services.outbox.enqueue(session, messages, now)
        if compiled is not None:
            zone = services.campaign.zone
            what = t("list.sep").join(_short(services, c) for c in changes)
            heading = t("digest.updated", when=short_moment(now, zone), what=html.escape(what))
            queued += await queue_digest(session, services, f"update:{item.id}", compiled, now,
                                         heading=heading)
    log.info("changes of %s told to the province: %d message(s)", rnd.code, queued)
    return queued


def _ministry_deadline(services: Services, round_code: str) -> dt.datetime | None:
    """The province's own deadline that the round feeds (the earliest, if several)."""
    dues = [services.campaign.upstream_deadline(u.code) for u in services.campaign.upstream
            if round_code in u.rounds]
    return min(dues) if dues else None


def notice_text(services: Services, title: str, changes: list[Change], lang: str, refresh: bool,
            round_code: str) -> str:
    zone = services.campaign.zone
    lines = [t("changes.title", lang, round=html.escape(title))]
    for change in changes:
        values = {"unit": html.escape(change.unit_name), "version": change.version,
                  "when": moment(change.submitted_at, zone, lang)}
        if change.after_return:
            lines.append(t("changes.after_return", lang, **values))
        elif change.version == 1:
            lines.append(t("changes.late", lang, **values))
        else:
            lines.append(t("changes.amended", lang, **values))
        for qid in change.changed[:MAX_FIELDS]:
            lines.append(_field_change(services, qid, change, lang))
        if len(change.changed) > MAX_FIELDS:
            lines.append(t("changes.more", lang, n=len(change.changed) - MAX_FIELDS))
    lines.append(t("changes.refresh_follows" if refresh else "changes.ask_digest", lang,
                   code=round_code))
    return "\n".join(lines)


def _short(services: Services, change: Change) -> str:
    unit = next((u for u in services.campaign.units if u.code == change.unit_code), None)
    name = unit.short_name if unit is not None else change.unit_name
    key = ("changes.short.after_return" if change.after_return
           else "changes.short.late" if change.version == 1 else "changes.short.amended")
    return t(key, unit=name)


def _field_change(services: Services, question_id: str, change: Change, lang: str) -> str:
    """`  活动期间网络零售额（累计）：1,000 万元 → 1,500 万元`; a long text only named."""
    question = next((q for q in services.campaign.questions if q.id == question_id), None)
    if question is None:
        return t("changes.field_named", lang, name=html.escape(question_id))
    name = html.escape(shorten(clean_text(question.prompt.get(lang)), 30))
    if question.type in (QuestionType.LONG_TEXT, QuestionType.ATTACHMENT):
        return t("changes.field_named", lang, name=name)
    old, new = (shorten(clean_text(display(question, v, lang)), 40)
                for v in (change.before.get(question_id), change.after.get(question_id)))
    return t("changes.field", lang, name=name, old=html.escape(old), new=html.escape(new))
