"""The province's review of a unit's report: accept it (通过), or return it for revision
(退回: the coordinator is asked for the reason, the waiting slot, and the reason returns
it). Either way the unit's reporters are told, each in their language; a return comes
with a button to amend."""

from __future__ import annotations

import html
from dataclasses import dataclass

from flows.services import Services
from storage import review, waiting
from storage.notices import Button, NewDelivery, Notice
from storage.waiting import Awaiting
from texts.buttons import Action, encode
from texts.catalog import t
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
        title = services.campaign.round(rnd.code).title
        told = await services.outbox.enqueue(session, [NewDelivery(
            key=f"accept:{submission.id}:{c.id}", purpose="accept", chat_id=c.chat_id or 0,
            contact_id=c.id, notice=Notice(text=t(
                "progress.accepted_notice", c.language,
                round=html.escape(title.get(c.language)), version=submission.version)))
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
    now = services.clock.now()
    reason = clean_text(typed).strip()[:MAX_REASON]
    async with services.transaction() as session:
        await waiting.clear(session, person_id)
        found = await review.return_submission(session, slot.target_id, reason, person_id,
                                                now)
        if found is None:
            return None
        submission, unit, rnd, reporters = found
        title = services.campaign.round(rnd.code).title
        told = await services.outbox.enqueue(session, [NewDelivery(
            key=f"return:{submission.id}:{c.id}", purpose="return", chat_id=c.chat_id or 0,
            contact_id=c.id, notice=Notice(
                text=t("progress.returned_notice", c.language,
                       round=html.escape(title.get(c.language)),
                       version=submission.version, reason=html.escape(reason)),
                buttons=((Button(t("progress.amend", c.language),
                                 encode(Action.AMEND_ROUND, rnd.code)),),)))
            for c in reporters], now)
    return Reviewed(unit_name=unit.name, told=told)
