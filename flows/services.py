"""What the use cases need at hand: the settings they read, the campaign, the database and
the clock. Built once at start-up and shared by the handlers, the command line and the
scheduler. Nothing here knows about Telegram, or about where settings come from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from reporting.campaign import Campaign
from reporting.campaign_file import campaign_fingerprint, load_campaign
from reporting.clock import Clock, ScaledClock, SystemClock
from reporting.reminder_plan import plan
from storage import schema
from storage.campaign_sync import sync_campaign
from storage.contacts import KnownPeople
from storage.database import Database
from storage.outbox import Outbox
from storage.plan import sync_plan
from storage.progress import active_rounds, campaign_row
from storage.records import RoundRecord
from texts.catalog import t, use_names


class Config(Protocol):
    """The settings read below the entry floor (`bot.settings.Settings` has them all)."""

    database_url: str
    campaign_file: Path
    clock_start: dt.datetime | None
    clock_speed: float
    bot_username: str
    invite_days: int
    unit_storage_mb: int
    admin_ids: frozenset[int]
    wake_interval: float
    send_lease: float
    send_retries: int
    send_backoff: float
    send_timeout: float


class NotInitialised(Exception):
    """The schema is missing or older than the code, or the campaign is not loaded."""


@dataclass
class Services:
    settings: Config
    campaign: Campaign
    db: Database
    clock: Clock
    campaign_id: int = 0
    rounds: list[RoundRecord] = field(default_factory=list)
    known_people: KnownPeople = field(default_factory=KnownPeople)
    outbox: Outbox = field(default_factory=Outbox)  # wakes the sender once it runs

    @classmethod
    def create(cls, settings: Config, clock: Clock | None = None,
               campaign: Campaign | None = None) -> Services:
        """Load the campaign file and make the engines; touches no database yet."""
        campaign = campaign or load_campaign(settings.campaign_file)
        use_names(province=campaign.province.short_name, office=campaign.province.name,
                  upstream=campaign.report.recipient or "")
        return cls(settings=settings, campaign=campaign,
                   db=Database.open(settings.database_url),
                   clock=clock or _clock(settings))

    # The database, as most callers use it.
    @property
    def transaction(self) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
        return self.db.transaction

    @property
    def reading(self) -> Callable[[], AbstractAsyncContextManager[AsyncConnection]]:
        return self.db.reading

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.db.sessions

    @property
    def readers(self) -> async_sessionmaker[AsyncSession]:
        return self.db.readers

    @property
    def engine(self) -> AsyncEngine:
        return self.db.engine

    async def initialise(self, lang: str = "zh") -> list[str]:
        """`init`: create or upgrade the schema and load the campaign. Returns the changes,
        said in `lang`."""
        await schema.check_not_newer(self.engine)
        await schema.upgrade(self.engine)
        fingerprint = campaign_fingerprint(self.settings.campaign_file)
        async with self.transaction() as session:
            row, changes = await sync_campaign(session, self.campaign, fingerprint,
                                               self.clock.now(), lang)
            self.campaign_id = row.id
            if row.archived_at is None:
                changes += await sync_plan(session, row.id, plan(self.campaign), lang)
            else:  # archived: nothing more is planned; its data stays readable
                changes.append(t("sync.archived", lang))
        await self._load_rounds()
        return changes

    async def attach(self) -> None:
        """For `run` and `status`: check the database is ready and find the campaign."""
        if await schema.check_not_newer(self.engine) != schema.head_revision():
            raise NotInitialised
        async with self.sessions() as session:
            row = await campaign_row(session, self.campaign.code)
        if row is None:
            raise NotInitialised
        self.campaign_id = row.id
        await self._load_rounds()

    async def _load_rounds(self) -> None:
        """The campaign's rounds, which change only at `init`; kept for every step."""
        async with self.sessions() as session:
            self.rounds = await active_rounds(session, self.campaign_id)

    async def close(self) -> None:
        await self.db.close()


def _clock(settings: Any) -> Clock:
    """The wall clock, or campaign time from CLOCK_START at CLOCK_SPEED (demo and tests)."""
    if settings.clock_start is None:
        return SystemClock()
    return ScaledClock(settings.clock_start, settings.clock_speed)
