"""What `/progress` shows of a round, on any front door: each unit's latest report (its
version, when, late or not, where its review stands), the units that owe one (how far
each has got, `填写中 12/18`, or not started, and whom to call, with the roster's phone
numbers, or that nobody in it can be reached), and what to check before forwarding."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from flows.services import Services
from reporting.checks import check_line, find_checks
from reporting.digest_text import REVIEW
from reporting.form import FormState
from storage import drafts
from storage.contacts import unit_contacts
from storage.digest_data import load_digest
from storage.progress import latest_submission_ids, round_status
from storage.records import RoundRecord
from texts.catalog import t
from texts.dates import short_moment


@dataclass(frozen=True)
class Owing:
    unit: str  # short name
    answered: int | None  # questions answered in its draft; None: no draft
    total: int
    returned: bool  # it submitted and the province sent it back
    people: list[tuple[str, str | None]]  # (name, phone) of its active people
    reachable: bool  # someone in it can receive a reminder


async def owing_units(services: Services, round_code: str) -> list[Owing]:
    questions = services.campaign.questions_for(round_code)
    async with services.readers() as session:
        status = await round_status(session, services.campaign_id, round_code)
        answers = await drafts.round_drafts(session, status.round.id)
        people = [p for p in await unit_contacts(session, services.campaign_id)
                  if p.active]
    returned = {u.id for u in status.returned}
    out = []
    for unit in status.to_remind:
        draft = answers.get(unit.id)
        state = None if draft is None else FormState(questions, draft)
        answered = None if state is None else sum(1 for q in questions if state.is_answered(q))
        out.append(Owing(unit=unit.short_name, answered=answered, total=len(questions),
                         returned=unit.id in returned,
                         people=[(p.name, p.phone) for p in people if p.unit_id == unit.id],
                         reachable=bool(status.contacts.get(unit.id))))
    return out


@dataclass(frozen=True)
class Report:
    """A unit's latest report, as the progress view lists it."""

    unit_code: str
    unit: str  # short name
    submission_id: int
    decided: bool  # accepted or returned already


@dataclass(frozen=True)
class ProgressView:
    lines: list[str]  # chat HTML
    reports: list[Report] = field(default_factory=list)
    checked: list[Report] = field(default_factory=list)  # undecided, with items to check
    owed: int = 0  # units that owe the round a report


def owing_line(owing: Owing, lang: str) -> str:
    """`• 抚顺：填写中 12/18 · 王五 13800000007`, or why nobody can be reminded there."""
    people = html.escape(t("list.sep", lang).join(
        f"{name} {phone}" if phone else name for name, phone in owing.people))
    unit = html.escape(owing.unit)
    if not owing.people:
        return t("progress.owing.nobody", lang, unit=unit)
    tail = t("progress.people", lang, people=people)
    if not owing.reachable:
        return t("progress.owing.unreachable", lang, unit=unit, people=tail)
    if owing.answered is None:
        return t("progress.owing.not_started", lang, unit=unit, people=tail)
    return t("progress.owing.drafting", lang, unit=unit, answered=owing.answered,
             total=owing.total, people=tail)


async def progress_view(services: Services, code: str, lang: str) -> ProgressView:
    """Who has and has not submitted round `code` now, and what to check."""
    round_id = next(r.id for r in services.rounds if r.code == code)
    async with services.readers() as session:
        compiled = await load_digest(session, services.campaign, services.campaign_id, code,
                                     services.clock.now(), contents=False)
        ids = await latest_submission_ids(session, round_id)
    owed = await owing_units(services, code)  # the returned ones are listed above
    owing = [o for o in owed if not o.returned]
    checks = find_checks(compiled)
    zone = services.campaign.zone
    lines = [t("progress.title", lang, round=html.escape(services.round_title(code, lang)),
               n=len(compiled.submissions), total=len(compiled.units))]
    reports = []
    for unit in compiled.units:
        sub = compiled.submissions.get(unit.code)
        if sub is None or unit.code not in ids:
            continue
        late = t("status.state.late_mark", lang) if sub.late else ""
        lines.append(t("progress.line", lang, unit=html.escape(unit.short), version=sub.version,
                       when=short_moment(sub.submitted_at, zone, lang), late=late,
                       review=t(REVIEW[sub.review_state], lang)))
        reports.append(Report(unit.code, unit.short, ids[unit.code], sub.decided))
    if owing:
        lines.append(t("progress.owing_title", lang, n=len(owing)))
    lines += [owing_line(o, lang) for o in owing]
    if any(not o.people for o in owing):
        lines.append(t("progress.nobody_hint", lang))
    checked = []
    if checks:  # before forwarding: each unit's items, and its return worded from them
        lines.append(t("progress.checks_title", lang, n=len(checks)))
        lines += [t("progress.check", lang, unit=html.escape(compiled.unit(c.unit).short),
                    line=html.escape(check_line(c, lang))) for c in checks]
        checked = [Report(u, compiled.unit(u).short, ids[u], False)
                   for u in dict.fromkeys(c.unit for c in checks)
                   if not compiled.submissions[u].decided]
    return ProgressView(lines, reports, checked, len(owed))


def rounds_to_offer(services: Services) -> list[tuple[Services, RoundRecord]]:
    """The rounds the province picks from (for progress, a digest, files, reminders):
    every round of one campaign; with several campaigns, those that have opened, the
    latest deadline first (the round at hand on top)."""
    if not services.several:
        return [(services, r) for r in services.rounds]
    now = services.clock.now()
    begun = [(served, r) for served in services.each() for r in served.rounds
             if r.opens_at <= now]
    return sorted(begun, key=lambda pair: pair[1].due_at, reverse=True)
