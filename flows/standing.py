"""Where a person's unit stands (`/status`) and the reporting calendar (`/deadlines`), as
the lines of one message in the person's language; each front door sends them its way."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import TypeVar

from flows.services import Services
from storage import models as m
from storage.progress import round_counts, unit_rounds
from storage.records import PersonRecord, RoundRecord
from storage.taking_part import campaigns_of
from texts.catalog import t, upstream_name
from texts.dates import moment, remaining, short_moment

Item = TypeVar("Item")


async def status_lines(services: Services, person: PersonRecord, lang: str) -> list[str]:
    """Each round's state for a contact's unit; the counts for the province. With several
    campaigns, the rounds open now across them, the soonest deadline first."""
    zone, now = services.campaign.zone, services.clock.now()

    def title(rnd: RoundRecord) -> str:
        return html.escape(services.of(rnd.campaign_id).round_title(rnd.code, lang))

    async with services.readers() as session:
        if person.role != m.Role.CONTACT:
            counts = [c for served in services.each()
                      for c in await round_counts(session, served.campaign_id)]
            if services.several:
                counts = sorted(_at_hand(counts, lambda c: c.round, now),
                                key=lambda c: c.round.due_at)
            return [t("status.province_title", lang)] + [
                t("status.province_line", lang, title=title(c.round),
                  due=moment(c.round.due_at, zone, lang), submitted=c.submitted, total=c.total)
                for c in counts]
        taking_part = await campaigns_of(session, person.unit_id)
        rounds = [item for served in services.each() if served.campaign_id in taking_part
                  for item in await unit_rounds(session, served.campaign_id, person.unit_id)]
    if services.several:
        rounds = sorted(_at_hand(rounds, lambda item: item.round, now,
                                 done=lambda item: item.latest is not None),
                        key=lambda item: item.round.due_at)
    lines = [t("status.unit_title", lang, unit=html.escape(person.unit.name))]
    for item in rounds:
        rnd = item.round
        if item.latest is not None:
            state = t("status.state.submitted", lang, version=item.latest.version,
                      when=short_moment(item.latest.submitted_at, zone, lang))
            if item.latest.late:
                state += t("status.state.late_mark", lang)
            if item.draft_answers is not None:
                state += t("status.state.amending", lang)
        elif now < rnd.opens_at:
            state = t("status.state.not_open", lang)
        elif now > rnd.due_at:
            state = t("status.state.overdue", lang)
        else:
            state = t("status.state.open", lang, left=remaining(rnd.due_at - now, lang))
            if item.draft_answers:
                state += t("status.state.draft", lang, n=item.draft_answers)
        lines.append(t("status.unit_line", lang, title=title(rnd),
                       due=moment(rnd.due_at, zone, lang), state=state))
    if len(lines) == 1:
        lines.append(t("status.nothing_open", lang))
    return lines


def _at_hand(items: list[Item], round_of: Callable[[Item], RoundRecord], now: dt.datetime,
             done: Callable[[Item], bool] = lambda item: False) -> list[Item]:
    """With several campaigns, the rounds worth a line: those open now, those overdue and
    not done, the latest closed of each campaign (its final count), and each campaign's
    next round to open."""
    shown: list[Item] = []
    for campaign_id in dict.fromkeys(round_of(i).campaign_id for i in items):
        own = [i for i in items if round_of(i).campaign_id == campaign_id]
        closed = [i for i in own if round_of(i).due_at < now]
        upcoming = [i for i in own if round_of(i).opens_at > now]
        shown += [i for i in own if round_of(i).opens_at <= now <= round_of(i).due_at]
        shown += [i for i in closed if not done(i) and i is not closed[-1]]
        shown += closed[-1:] + upcoming[:1]
    return shown


async def deadline_lines(services: Services, person: PersonRecord, lang: str) -> list[str]:
    """The reporting calendar; coordinators also see the province's own deadlines. With
    several campaigns, every deadline still ahead, the soonest first, with its campaign."""
    now, zone = services.clock.now(), services.campaign.zone
    province = person.role != m.Role.CONTACT

    def line(title: str, due: dt.datetime) -> str:
        return t("deadlines.line", lang, title=html.escape(title), due=moment(due, zone, lang),
                 left=remaining(due - now, lang))

    if not services.several:
        campaign = services.campaign
        lines = [t("deadlines.title", lang, campaign=html.escape(campaign.name.get(lang)))]
        lines += [line(rnd.title.get(lang), campaign.deadline(rnd.code))
                  for rnd in campaign.rounds]
        if province and campaign.upstream:
            lines.append(t("deadlines.upstream", lang, **upstream_name(campaign)))
            lines += [line(up.title.get(lang), campaign.upstream_deadline(up.code))
                      for up in campaign.upstream]
        return lines
    async with services.readers() as session:
        taking_part = None if province else await campaigns_of(session, person.unit_id)
    ahead: list[tuple[dt.datetime, str]] = []
    upstream: list[tuple[dt.datetime, str]] = []
    for served in services.each():
        if taking_part is not None and served.campaign_id not in taking_part:
            continue
        campaign = served.campaign
        ahead += [(r.due_at, served.round_title(r.code, lang)) for r in served.rounds
                  if r.due_at >= now]
        if province:
            upstream += [(due, f"{campaign.name.get(lang)} {up.title.get(lang)}")
                         for up in campaign.upstream
                         if (due := campaign.upstream_deadline(up.code)) >= now]
    lines = [t("deadlines.title_all", lang)]
    lines += [line(title, due) for due, title in sorted(ahead)]
    if not ahead:
        lines.append(t("deadlines.none_ahead", lang))
    if upstream:
        lines.append(t("deadlines.upstream", lang))
        lines += [line(title, due) for due, title in sorted(upstream)]
    return lines
