"""The province's review of a unit's report: open its latest version, accept it (通过), or
return it for revision (退回: the coordinator is asked for the reason, the waiting slot, and
the reason returns it; or the prefilled reason from the round's check list is confirmed).
Either way the unit's reporters are told, each in their language; a return comes with a
button to amend."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from flows.services import Services
from reporting.answers import display
from reporting.campaign import Question, QuestionType
from reporting.checks import Check, check_line, find_checks, return_reason
from reporting.digest import SubmissionEntry, UnitEntry
from reporting.digest_text import REVIEW
from storage import review, waiting
from storage.digest_data import load_digest
from storage.notices import Button, NewDelivery, Notice
from storage.progress import latest_submission_ids
from storage.waiting import Awaiting
from texts.buttons import Action, encode
from texts.catalog import t
from texts.dates import short_moment
from texts.text import clean_text

MAX_REASON = 1000


@dataclass(frozen=True)
class Reviewed:
    unit_name: str
    told: int  # reporters the notice was queued for


async def accept_report(services: Services, person_id: int,
                        submission_id: int) -> Reviewed | None:
    """Accept the version; None if a newer one came in meanwhile."""
    now = services.clock.now()
    async with services.transaction() as session:
        found = await review.accept_submission(session, submission_id, person_id, now)
        if found is None:
            return None
        submission, unit, rnd, reporters = found
        served = services.of(rnd.campaign_id)
        told = await services.outbox.enqueue(session, [NewDelivery(
            key=f"accept:{submission.id}:{c.id}", purpose="accept", chat_id=c.chat_id or 0,
            contact_id=c.id, notice=Notice(text=t(
                "progress.accepted_notice", c.language,
                round=html.escape(served.round_title(rnd.code, c.language)),
                version=submission.version)))
            for c in reporters], now)
    return Reviewed(unit_name=unit.name, told=told)


async def ask_reason(services: Services, person_id: int, submission_id: int) -> None:
    """The next message from `person_id` is the reason to return `submission_id`."""
    async with services.transaction() as session:
        await waiting.wait_for(session, person_id, Awaiting.RETURN_REASON, submission_id,
                               services.clock.now())


async def return_report(services: Services, person_id: int, slot: waiting.Slot,
                        typed: str) -> Reviewed | None:
    """Return the report the slot is about, with `typed` as the reason; None if a newer
    version came in meanwhile (nothing is returned then)."""
    return await _return(services, person_id, slot.target_id,
                         clean_text(typed).strip()[:MAX_REASON], clear_all=True)


async def cancel_return(services: Services, person_id: int, submission_id: int) -> bool:
    """The prompt's cancel button: no longer waiting for a reason to return that report
    (anything asked since is left alone); False if it was not waited for."""
    async with services.transaction() as session:
        return await waiting.clear_if(session, person_id, Awaiting.RETURN_REASON,
                                      submission_id)


@dataclass(frozen=True)
class OpenedReport:
    """A unit's latest version of a round's report, as the province reviews it."""

    submission_id: int
    unit: UnitEntry
    round_code: str
    round_title: str
    entry: SubmissionEntry
    questions: list[Question]
    files: dict[str, list[str]]  # question id → the names of the files it holds
    checks: list[Check]  # its items on the round's check list

    @property
    def decided(self) -> bool:
        return self.entry.decided


async def open_report(services: Services, submission_id: int) -> OpenedReport | None:
    """The version with its answers, files and check items; None if it is gone or a newer
    version replaced it."""
    async with services.readers() as session:
        rnd = await review.submission_round(session, submission_id)
        if rnd is None:
            return None
        services = services.of(rnd.campaign_id)
        ids = await latest_submission_ids(session, rnd.id)
        code = next((c for c, i in ids.items() if i == submission_id), None)
        if code is None:
            return None
        compiled = await load_digest(session, services.campaign, services.campaign_id,
                                     rnd.code, services.clock.now(), contents=False)
    if code not in compiled.submissions:  # a retired unit
        return None
    files: dict[str, list[str]] = {}
    for f in compiled.files:
        if f.unit == code:
            files.setdefault(f.question, []).append(f.caption or f.name)
    return OpenedReport(
        submission_id=submission_id, unit=compiled.unit(code), round_code=rnd.code,
        round_title=compiled.round_title, entry=compiled.submissions[code],
        questions=services.campaign.questions_for(rnd.code), files=files,
        checks=[c for c in find_checks(compiled) if c.unit == code])


@dataclass(frozen=True)
class Proposed:
    unit_name: str
    reason: str


async def propose_checked_return(services: Services, person_id: int,
                                 submission_id: int) -> Proposed | None:
    """The prefilled return of a report from its check items, to confirm; meanwhile the
    coordinator's next message is taken as a reason of their own. None if the report has
    no open items (a newer version, accepted or returned, or its figures fixed)."""
    report = await open_report(services, submission_id)
    if report is None or report.decided or not report.checks:
        return None
    await ask_reason(services, person_id, submission_id)
    return Proposed(unit_name=report.unit.name, reason=return_reason(report.checks, "zh"))


async def return_checked(services: Services, person_id: int,
                         submission_id: int) -> Reviewed | None:
    """The prefilled return confirmed: worded again from the items as they stand now (the
    unit reads Chinese). None if nothing is to return any more."""
    report = await open_report(services, submission_id)
    if report is None or report.decided or not report.checks:
        return None
    return await _return(services, person_id, submission_id,
                         return_reason(report.checks, "zh"), clear_all=False)


async def _return(services: Services, person_id: int, submission_id: int, reason: str,
                  clear_all: bool) -> Reviewed | None:
    now = services.clock.now()
    async with services.transaction() as session:
        if clear_all:
            await waiting.clear(session, person_id)
        else:
            await waiting.clear_if(session, person_id, Awaiting.RETURN_REASON, submission_id)
        found = await review.return_submission(session, submission_id, reason, person_id,
                                                now)
        if found is None:
            return None
        submission, unit, rnd, reporters = found
        served = services.of(rnd.campaign_id)
        told = await services.outbox.enqueue(session, [NewDelivery(
            key=f"return:{submission.id}:{c.id}", purpose="return", chat_id=c.chat_id or 0,
            contact_id=c.id, notice=Notice(
                text=t("progress.returned_notice", c.language,
                       round=html.escape(served.round_title(rnd.code, c.language)),
                       version=submission.version, reason=html.escape(reason)),
                buttons=((Button(t("progress.amend", c.language),
                                 encode(Action.AMEND_ROUND, rnd.code, rnd.campaign_id)),),)))
            for c in reporters], now)
    return Reviewed(unit_name=unit.name, told=told)


def report_text(report: OpenedReport, lang: str, zone: dt.tzinfo) -> str:
    """The unit's latest version, whole: its state, every answer, what to check."""
    entry = report.entry
    lines = [t("report_view.title", lang, unit=html.escape(report.unit.name),
               round=html.escape(report.round_title)),
             t("report_view.state", lang, version=entry.version,
               when=short_moment(entry.submitted_at, zone, lang),
               late=t("status.state.late_mark", lang) if entry.late else "",
               review=t(REVIEW[entry.review_state], lang))]
    if entry.review_note:
        lines.append(t("report_view.note", lang, note=html.escape(entry.review_note)))
    lines.append("")
    for i, q in enumerate(report.questions, 1):
        value = entry.answers.get(q.id)
        if q.type is QuestionType.ATTACHMENT and report.files.get(q.id):
            shown = t("list.sep", lang).join(report.files[q.id])
            shown += t("report_view.files", lang, code=report.round_code)
        elif value in (None, "", []):
            shown = t("form.value.blank", lang)
        else:
            shown = display(q, value, lang)
        lines.append(f"{i}. <b>{html.escape(q.prompt.get(lang))}</b>："
                     f"{html.escape(shown)}")
    if report.checks:
        lines += ["", t("report_view.checks", lang, n=len(report.checks))]
        lines += [f"• {html.escape(check_line(c, lang))}" for c in report.checks]
    return "\n".join(lines)
