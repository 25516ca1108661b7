"""Running a campaign on a fast clock: submissions at chosen moments, and every planned
item's time visited in order, with the real bot sending what falls due."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

from sqlalchemy import func, select

from flows.services import Services
from reporting.campaign import QuestionType
from reporting.clock import FakeClock
from storage import drafts
from storage import models as m

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, month, day, hour, minute, tzinfo=SHANGHAI)


def sample_value(question: Any) -> Any:
    t = question.type
    if t in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return f"{question.prompt.zh}：示例内容"
    if t is QuestionType.INTEGER:
        return 10
    if t is QuestionType.DECIMAL:
        return "100.5"
    if t is QuestionType.CHOICE:
        return question.options[0].id
    if t is QuestionType.MULTI_CHOICE:
        return [question.options[0].id]
    if t is QuestionType.YES_NO:
        return True
    if t is QuestionType.DATE:
        return "2021-01-20"
    return None


async def submit(services: Services, unit_code: str, round_code: str,
                 values: dict[str, Any] | None = None) -> m.Submission:
    """A unit's complete report, stored as the form stores it, at the clock's time."""
    now = services.clock.now()
    async with services.transaction() as session:
        unit = await session.scalar(select(m.Unit).where(m.Unit.code == unit_code))
        rnd = next(r for r in services.rounds if r.code == round_code)
        assert unit is not None
        draft = await drafts.open_draft(session, unit.id, rnd.id, now)
        questions = services.campaign.questions_for(round_code)
        for q in questions:
            value = (values or {}).get(q.id, sample_value(q))
            await drafts.save_answer(session, draft.id, q.id, value, None, now,
                                     skipped=value is None)
        done = await drafts.submit_draft(session, draft, None, now, now > rnd.due_at,
                                         [q.id for q in questions])
        assert done is not None
        return done.submission


async def drained(services: Services, timeout: float = 30) -> None:
    """Wait until the ledger has nothing pending or in flight."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        async with services.readers() as session:
            left = await session.scalar(select(func.count()).select_from(m.Delivery).where(
                m.Delivery.state.in_(["pending", "sending"])))
        if not left:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{left} deliveries still pending")


async def run_campaign(services: Services, application: Any, clock: FakeClock,
                       events: dict[dt.datetime, list[Any]], until: dt.datetime) -> None:
    """Visit every planned time and every event's time in order, up to `until`."""
    async with services.readers() as session:
        plan_times = set(await session.scalars(select(m.PlanItem.at)))
    wakeup, sender = application.bot_data["wakeup"], application.bot_data["sender"]
    moments = sorted({*(t.astimezone(dt.UTC) for t in plan_times),
                      *(t.astimezone(dt.UTC) for t in events)})
    for when in moments:
        if when > until:
            break
        clock.set(when)
        for action in events.get(when, []) + [e for t, es in events.items()
                                               if t.astimezone(dt.UTC) == when
                                               and t is not when for e in es]:
            await action()
        await wakeup.tick()
        sender.nudge()
        await drained(services)
