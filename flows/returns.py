"""Returning a unit's report for revision: the coordinator is asked for the reason (the
waiting slot), and the reason returns the latest version and tells the unit's reporters,
each in their language, with a button to amend."""

from __future__ import annotations

import html
from dataclasses import dataclass

from flows.services import Services
from storage import returns, waiting
from storage.notices import Button, Notice, Outgoing
from storage.waiting import Awaiting
from texts.buttons import Action, encode
from texts.catalog import t
from texts.text import clean_text

MAX_REASON = 1000


@dataclass(frozen=True)
class Returned:
    unit_name: str
    told: int  # reporters the notice was queued for


async def ask_reason(services: Services, person_id: int, submission_id: int) -> None:
    """The next message from `person_id` is the reason to return `submission_id`."""
    async with services.transaction() as session:
        await waiting.wait_for(session, person_id, Awaiting.RETURN_REASON, submission_id,
                               services.clock.now())


async def return_report(services: Services, person_id: int, slot: waiting.Slot,
                        typed: str) -> Returned | None:
    """Return the report the slot is about, with `typed` as the reason; None if a newer
    version came in meanwhile (nothing is returned then)."""
    now = services.clock.now()
    reason = clean_text(typed).strip()[:MAX_REASON]
    async with services.transaction() as session:
        await waiting.clear(session, person_id)
        found = await returns.return_submission(session, slot.target_id, reason, person_id,
                                                now)
        if found is None:
            return None
        submission, unit, rnd, reporters = found
        title = services.campaign.round(rnd.code).title
        told = await services.outbox.enqueue(session, [Outgoing(
            key=f"return:{submission.id}:{c.id}", purpose="return", chat_id=c.chat_id or 0,
            contact_id=c.id, notice=Notice(
                text=t("progress.returned_notice", c.language,
                       round=html.escape(title.get(c.language)),
                       version=submission.version, reason=html.escape(reason)),
                buttons=((Button(t("progress.amend", c.language),
                                 encode(Action.AMEND_ROUND, rnd.code)),),)))
            for c in reporters], now)
    return Returned(unit_name=unit.name, told=told)
