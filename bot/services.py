"""What the bot needs at hand: settings, the campaign, the database and the clock.

Built once at start-up and shared by the handlers (through `bot_data`), the command line
and the scheduler. Nothing here knows about Telegram.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from reporting.campaign import Campaign
from reporting.campaign_file import campaign_fingerprint, load_campaign
from reporting.clock import Clock, ScaledClock, SystemClock
from storage import schema
from storage.campaign_sync import sync_campaign
from storage.db import create_engine, session_factory
from storage.progress import campaign_row


class NotInitialised(Exception):
    """The schema is missing or older than the code, or the campaign is not loaded."""


@dataclass
class Services:
    settings: Settings
    campaign: Campaign
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    campaign_id: int = 0

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None,
               campaign: Campaign | None = None) -> Services:
        """Load the campaign file and make the engine; touches no database yet."""
        engine = create_engine(settings.database_url)
        return cls(
            settings=settings,
            campaign=campaign or load_campaign(settings.campaign_file),
            engine=engine,
            sessions=session_factory(engine),
            clock=clock or _clock(settings),
        )

    async def initialise(self) -> list[str]:
        """`init`: create or upgrade the schema and load the campaign. Returns the changes."""
        await schema.upgrade(self.engine)
        fingerprint = campaign_fingerprint(self.settings.campaign_file)
        async with self.transaction() as session:
            row, changes = await sync_campaign(session, self.campaign, fingerprint,
                                               self.clock.now())
            self.campaign_id = row.id
        return changes

    async def attach(self) -> None:
        """For `run` and `status`: check the database is ready and find the campaign."""
        if await schema.current_revision(self.engine) != schema.head_revision():
            raise NotInitialised
        async with self.sessions() as session:
            row = await campaign_row(session, self.campaign.code)
        if row is None:
            raise NotInitialised
        self.campaign_id = row.id

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One short write transaction, committed on leaving (rolled back on error)."""
        async with self.sessions() as session, session.begin():
            yield session

    async def close(self) -> None:
        await self.engine.dispose()


def _clock(settings: Settings) -> Clock:
    """The wall clock, or campaign time from CLOCK_START at CLOCK_SPEED (demo and tests)."""
    if settings.clock_start is None:
        return SystemClock()
    return ScaledClock(settings.clock_start, settings.clock_speed)
