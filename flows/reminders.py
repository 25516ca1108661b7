"""Firing what the plan says is due: reminders, overdue notices, escalations, the
province's own reminders. No Telegram here: each item becomes ledger rows, in the same
transaction that marks it fired, so a restart neither loses nor repeats one.

A reminder whose time passed while the bot was down still goes out if it is useful
(before its deadline, within the campaign's grace period) and is skipped with a log
line otherwise.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.joining import invites_for
from flows.services import Services
from reporting.form import FormState
from reporting.reminder_plan import Kind, holiday_of
from storage import drafts
from storage import models as m
from storage import plan as planned
from storage.contacts import province_people
from storage.notices import Button, NewDelivery, Notice
from storage.progress import round_status, unit_contacts
from texts.buttons import Action, encode
from texts.catalog import t
from texts.dates import day, moment, remaining

log = logging.getLogger(__name__)

FIRED_HERE = [Kind.OPENING, Kind.REMINDER, Kind.OVERDUE, Kind.ESCALATION, Kind.UPSTREAM]
MANUAL_COOLDOWN = dt.timedelta(minutes=10)
LISTED = 8  # questions a reminder names; more are "等"
UNITS_PER_CHUNK = 50  # units whose reminders are composed and queued in one step


async def fire_due(services: Services, kinds: list[str] | None = None) -> int:
    """Fire every due item (of these kinds); returns how many ledger rows were queued."""
    now = services.clock.now()
    grace = dt.timedelta(hours=services.campaign.reminder_grace_hours)
    async with services.readers() as session:
        due = await planned.due_items(session, services.campaign_id, now,
                                      list(kinds or FIRED_HERE))
    queued = 0
    for item in due:
        try:
            queued += await _fire(services, item, now, grace)
        except Exception:  # one item that cannot be composed never holds up the others
            log.exception("could not fire %s %s %s; it stays planned", item.kind, item.ref,
                          item.label)
    return queued


async def _fire(services: Services, item: m.PlanItem, now: dt.datetime,
                grace: dt.timedelta) -> int:
    """Take the item, then queue its messages a chunk at a time, each chunk its own short
    transaction with a turn of the loop between them: a reminder to thousands of people
    never holds the loop (or SQLite's write lock) long enough to keep a contact waiting.
    A process stopped half way leaves the item `firing`; it is taken again later, and the
    ledger's keys make the chunks already queued count once."""
    useful = now - item.at <= grace and (
        item.kind in (Kind.OVERDUE, Kind.ESCALATION) or now < item.due)
    async with services.transaction() as session:
        if not useful:
            if await planned.take(session, item.id, planned.SKIPPED, now,
                                  "its time passed while the bot was not running"):
                log.info("skipped %s %s %s planned for %s: too late to be useful",
                         item.kind, item.ref, item.label, item.at.isoformat())
            return 0
        if not await planned.take(session, item.id, planned.FIRING, now):
            return 0  # another instance fired it
    queued = composed = 0
    try:
        async with services.readers() as reading:
            async for messages in compose_chunks(reading, services, item, now):
                await _breathe()  # answers to contacts go first
                async with services.transaction() as session:
                    queued += await services.outbox.enqueue(session, messages, now)
                composed += len(messages)
    except Exception:
        if not composed:  # nothing queued: as it was, for the next wake-up to try again
            async with services.transaction() as session:
                await planned.untake(session, item.id)
        raise
    async with services.transaction() as session:
        await planned.fired(session, item.id)
    log.info("fired %s %s %s: %d message(s)", item.kind, item.ref, item.label, composed)
    return queued


@dataclass(frozen=True)
class Reminded:
    queued: int  # reminders queued
    unreached: list[tuple[str, str]]  # units nobody could be reminded in, with an invite link


async def remind_now(services: Services, round_code: str,
                     bot_username: str = "") -> Reminded | None:
    """A coordinator's `/remind`: the round's reminder, now, to every unit that has not
    submitted. None if one was sent in the last few minutes (a double tap sends once)."""
    now = services.clock.now()
    bucket = int(now.timestamp() // MANUAL_COOLDOWN.total_seconds())
    deadline = services.campaign.deadline(round_code)
    async with services.transaction() as session:
        item = await planned.add_manual(session, services.campaign_id, Kind.REMINDER,
                                        round_code, str(bucket), now, deadline)
        if item is None:
            return None
        await planned.take(session, item.id, planned.DONE, now)
        status = await round_status(session, services.campaign_id, round_code)
        messages = await compose(session, services, item, now, status)
        links = await invites_for(session, services, status.unreached, now, bot_username)
        return Reminded(queued=await services.outbox.enqueue(session, messages, now),
                        unreached=links)


async def compose(session: AsyncSession, services: Services, item: m.PlanItem,
                  now: dt.datetime, status: Any = None) -> list[NewDelivery]:
    """The item's messages; `status`, the round's standing, if the caller has read it."""
    return [message async for chunk in compose_chunks(session, services, item, now, status)
            for message in chunk]


async def compose_chunks(session: AsyncSession, services: Services, item: m.PlanItem,
                         now: dt.datetime, status: Any = None,
                         ) -> AsyncIterator[list[NewDelivery]]:
    """The item's messages, `UNITS_PER_CHUNK` units at a time, so that no step of a
    reminder to thousands holds the loop for long: their contacts are read with them,
    unless the caller's `status` has them already."""
    if item.kind == Kind.UPSTREAM:
        yield await _to_province(session, services, item, now)
        return
    read_people = status is None
    status = status or await round_status(session, services.campaign_id, item.ref,
                                          people=False)
    if item.kind == Kind.ESCALATION:
        yield await _to_province(session, services, item, now, status)
        return
    questions = services.campaign.questions_for(item.ref)
    await _breathe()
    unit_drafts = await drafts.round_drafts(session, status.round.id)
    returned = {u.id for u in status.returned}
    fill = encode(Action.FILL_ROUND, item.ref, services.campaign_id)
    buttons: dict[tuple[str, bool], tuple[tuple[Button, ...], ...]] = {}
    units = status.to_remind
    for start in range(0, len(units), UNITS_PER_CHUNK):
        chunk = units[start:start + UNITS_PER_CHUNK]
        contacts = (await unit_contacts(session, chunk))[0] if read_people else status.contacts
        out: list[NewDelivery] = []
        for unit in chunk:
            draft = unit_drafts.get(unit.id)
            # One text per language and channel for all of a unit's contacts.
            texts: dict[tuple[str, str], str] = {}
            complete = draft is not None and not FormState(questions, draft).missing_required()
            for contact in contacts.get(unit.id, []):
                lang, reached = contact.language, contact.reached_on
                if (lang, reached) not in texts:
                    texts[lang, reached] = _unit_text(services, item, lang, now, draft,
                                                      questions, unit.id in returned, reached)
                if (lang, complete) not in buttons:
                    label = t("remind.submit_now" if complete else "remind.fill_now", lang)
                    buttons[lang, complete] = ((Button(label, fill),),)
                out.append(NewDelivery(
                    key=f"{item.kind}:{item.id}:{contact.id}", purpose=item.kind,
                    chat_id=contact.chat_id or 0, contact_id=contact.id, notice=Notice(
                        text=texts[lang, reached], buttons=buttons[lang, complete],
                        unless_submitted=(unit.id, status.round.id))))
        yield out
        await _breathe()


async def _to_province(session: AsyncSession, services: Services, item: m.PlanItem,
                       now: dt.datetime, status: Any = None) -> list[NewDelivery]:
    campaign = services.campaign
    people = await province_people(session, services.campaign_id)
    rounds = ([item.ref] if item.kind == Kind.ESCALATION else
              next(u.rounds for u in campaign.upstream if u.code == item.ref))
    statuses = [status] if status else [
        await round_status(session, services.campaign_id, code) for code in rounds]
    links = []
    if item.kind == Kind.ESCALATION:
        links = await invites_for(session, services, statuses[0].unreached, now)
    out = []
    for person in people:
        lang = person.language
        lines = []
        if item.kind == Kind.UPSTREAM:
            title = next(u.title.get(lang) for u in campaign.upstream if u.code == item.ref)
            lines.append(t("remind.upstream", lang, title=html.escape(title),
                           due=moment(item.due, campaign.zone, lang),
                           left=remaining(item.due - now, lang)))
        for st in statuses:
            lines += round_summary(services, st, lang, escalate=item.kind == Kind.ESCALATION)
        lines += unreached_lines(links, lang)
        out.append(NewDelivery(key=f"{item.kind}:{item.id}:{person.id}", purpose=item.kind,
                            chat_id=person.chat_id or 0, contact_id=person.id,
                            notice=Notice(text="\n".join(lines))))
    return out


def _word_hint(services: Services, lang: str, reached: str) -> str:
    """The quickest way in, on its own line: send the Word report. On WeCom through the
    upload page (WeCom does not pass a member's files to an app), if members have one."""
    if reached == "telegram":
        return "\n" + t("remind.word_hint", lang)
    return "\n" + t("wecom.word_hint", lang) if services.settings.wecom_public_url else ""


def _unit_text(services: Services, item: m.PlanItem, lang: str, now: dt.datetime,
               draft: dict[str, Any] | None, questions: list[Any], returned: bool,
               reached: str) -> str:
    campaign = services.campaign
    title = html.escape(_round_title(services, item.ref, lang))
    due = moment(item.due, campaign.zone, lang)
    if item.kind == Kind.OPENING:
        return t("remind.opening", lang, round=title, due=due, n=len(questions),
                 left=remaining(item.due - now, lang)) + _word_hint(services, lang, reached)
    if returned:
        return t("remind.returned", lang, round=title)
    if item.kind == Kind.OVERDUE:
        return t("remind.overdue", lang, round=title, due=due)
    if draft is None:
        lacks = t("remind.not_started", lang, n=len(questions))
        if any(q.section for q in questions):
            lacks += _word_hint(services, lang, reached)
    elif not (missing := FormState(questions, draft).missing_required()):
        lacks = t("remind.complete", lang)  # filled in, not yet submitted
    else:
        names = t("list.sep", lang).join(html.escape(q.prompt.get(lang))
                                         for q in missing[:LISTED])
        if len(missing) > LISTED:
            names += t("list.more", lang)  # 等: the count and the list agree
        lacks = t("remind.lacks", lang, n=len(missing), names=names)
    text = t("remind.before", lang, round=title, due=due, left=remaining(item.due - now, lang),
             lacks=lacks)
    holiday = holiday_of(item.label)
    if holiday is not None:  # 节前提醒: the days off come before the deadline
        text = t("remind.holiday", lang, first=day(holiday[0], lang),
                 last=day(holiday[1], lang)) + "\n" + text.removeprefix("⏰ ")
    return text


async def _breathe() -> None:
    """Let everything that became ready meanwhile (an update from a contact, a timer) run
    before going on. One `sleep(0)` puts this task first in the loop's queue, ahead of
    what its poll finds; the second lets those run."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def round_summary(services: Services, status: Any, lang: str, escalate: bool) -> list[str]:
    """`已报送 13/15；尚未报送：鞍山、丹东；无法联系：丹东 王五`, for the province."""
    campaign, sep = services.campaign, t("list.sep", lang)
    title = _round_title(services, status.round.code, lang)
    key = "remind.escalation" if escalate else "remind.round_state"
    lines = [t(key, lang, round=html.escape(title),
               due=moment(status.round.due_at, campaign.zone, lang),
               submitted=len(status.submitted), total=status.total)]
    if status.missing:
        lines.append(t("remind.missing", lang, names=html.escape(
            sep.join(u.short_name for u in status.missing))))
    if status.unreachable:
        lines.append(t("remind.unreachable", lang, names=html.escape(
            sep.join(f"{c.unit.short_name} {c.name}" for c in status.unreachable))))
    return lines


async def remind_lines(services: Services, round_code: str, lang: str,
                       bot_username: str = "") -> list[str]:
    """`/remind` for a round, and what to tell the coordinator: how many were reminded,
    or why none, and the units nobody can be reminded in, with their invite links."""
    title = html.escape(services.round_title(round_code, lang))
    reminded = await remind_now(services, round_code, bot_username)
    if reminded is None:
        return [t("remind.cooldown", lang)]
    if reminded.queued == 0 and not reminded.unreached:
        return [t("remind.nobody", lang, round=title)]
    return [t("remind.sent" if reminded.queued else "remind.none_reachable", lang,
              round=title, n=reminded.queued), *unreached_lines(reminded.unreached, lang)]


def unreached_lines(links: list[tuple[str, str]], lang: str) -> list[str]:
    """`无人可接收提醒：抚顺、丹东`, and for each an invite link to forward to the unit."""
    if not links:
        return []
    lines = [t("remind.unreached", lang, names=html.escape(
        t("list.sep", lang).join(name for name, _ in links)))]
    lines += [t("remind.invite_line", lang, unit=html.escape(name), link=html.escape(link))
              for name, link in links]
    return lines


def _round_title(services: Services, code: str, lang: str) -> str:
    return services.round_title(code, lang)
