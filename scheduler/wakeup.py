"""The wake-up: one APScheduler job that, every WAKE_INTERVAL seconds (and at start),
fires what the plan says is due and tells the sender to look. The plan is rows in the
database; the scheduler holds nothing but this one job, however many units, contacts or
reminders there are."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from flows.reminders import fire_due
from flows.services import Services

log = logging.getLogger(__name__)
JOB_ID = "wake-up"


class Wakeup:
    def __init__(self, services: Services, nudge: Callable[[], None],
                 extra: Callable[[], Awaitable[int]] | None = None):
        self.services = services
        self.nudge = nudge
        self.extra = extra
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.wakes = 0

    def start(self) -> None:
        self.scheduler.add_job(self.tick, "interval",
                               seconds=self.services.settings.wake_interval, id=JOB_ID,
                               replace_existing=True, max_instances=1, coalesce=True,
                               next_run_time=_now())
        self.scheduler.start()

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)

    async def tick(self) -> int:
        """Fire what is due; never let one failure stop the next wake-up."""
        self.wakes += 1
        try:
            queued = await fire_due(self.services)
            if self.extra is not None:
                queued += await self.extra()
        except Exception:
            log.exception("the wake-up failed; it will run again")
            return 0
        if queued:
            self.nudge()
        return queued


def _now():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.now(dt.UTC)
