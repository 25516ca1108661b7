"""The wake-up: one APScheduler job that, every WAKE_INTERVAL seconds (and at start),
fires what the plan says is due (the outbox wakes the sender). The plan is rows in the
database; the scheduler holds nothing but this one job, however many units, contacts or
reminders there are."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from flows.changes import fire_changes
from flows.digests import fire_digests
from flows.reminders import fire_due
from flows.services import Services
from storage import plan as planned

log = logging.getLogger(__name__)
JOB_ID = "wake-up"


class Wakeup:
    """Wake-up → the campaigns with something due (one query for all) → for each, the flow
    of each kind (reminders, digests, then the changes the province is told of) → the
    outbox, which wakes the sender after each commit."""

    def __init__(self, services: Services):
        self.services = services
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.wakes = 0  # wake-ups begun
        self.finished = 0  # wake-ups finished (what was due then is queued)

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
            services = self.services
            async with services.readers() as session:
                due = await planned.campaigns_due(session, services.campaign_ids,
                                                  services.clock.now())
            fired = 0
            for campaign in services.each():
                if campaign.campaign_id in due:
                    fired += (await fire_due(campaign) + await fire_digests(campaign)
                              + await fire_changes(campaign))
            return fired
        except Exception:
            log.exception("the wake-up failed; it will run again")
            return 0
        finally:
            self.finished += 1


def _now():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.now(dt.UTC)
