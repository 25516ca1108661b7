"""What the bot needs at hand: settings, the campaign, the database and the clock.

Built once at start-up and shared by the handlers (through `bot_data`), the command line
and the scheduler. Nothing here knows about Telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from reporting.campaign import Campaign
from reporting.campaign_file import campaign_fingerprint, load_campaign
from reporting.clock import Clock, ScaledClock, SystemClock
from reporting.reminder_plan import plan
from storage import models as m
from storage import schema
from storage.campaign_sync import sync_campaign
from storage.contacts import KnownContacts
from storage.db import create_engine, is_sqlite, reader_engine, session_factory
from storage.plan import sync_plan
from storage.progress import active_rounds, campaign_row


class NotInitialised(Exception):
    """The schema is missing or older than the code, or the campaign is not loaded."""


@dataclass
class Services:
    settings: Settings
    campaign: Campaign
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    readers: async_sessionmaker[AsyncSession]
    read_engine: AsyncEngine
    campaign_id: int = 0
    rounds: list[m.Round] = field(default_factory=list)
    known_contacts: KnownContacts = field(default_factory=KnownContacts)
    _write_turn: AbstractAsyncContextManager[object] = field(default_factory=nullcontext)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None,
               campaign: Campaign | None = None) -> Services:
        """Load the campaign file and make the engine; touches no database yet."""
        engine = create_engine(settings.database_url)
        read_engine = reader_engine(settings.database_url, engine)
        turn = asyncio.Lock() if is_sqlite(settings.database_url) else nullcontext()
        return cls(
            settings=settings,
            campaign=campaign or load_campaign(settings.campaign_file),
            engine=engine,
            sessions=session_factory(engine),
            readers=session_factory(read_engine),
            read_engine=read_engine,
            clock=clock or _clock(settings),
            _write_turn=turn,
        )

    async def initialise(self) -> list[str]:
        """`init`: create or upgrade the schema and load the campaign. Returns the changes."""
        await schema.check_not_newer(self.engine)
        await schema.upgrade(self.engine)
        fingerprint = campaign_fingerprint(self.settings.campaign_file)
        async with self.transaction() as session:
            row, changes = await sync_campaign(session, self.campaign, fingerprint,
                                               self.clock.now())
            self.campaign_id = row.id
            changes += await sync_plan(session, row.id, plan(self.campaign))
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

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One short write transaction, committed on leaving (rolled back on error).

        On SQLite, writers of this process queue here, in order, instead of polling for
        the database's lock.
        """
        async with self._write_turn, self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one quick read, lighter than a session (the guard's, on every
        update). On SQLite nothing in it waits, so it is closed without the shield that
        SQLAlchemy's context manager puts around closing (a task and two turns of the
        loop)."""
        if self.read_engine is self.engine:  # PostgreSQL: closing waits on the network
            async with self.read_engine.connect() as connection:
                yield connection
            return
        connection = await self.read_engine.connect()  # SQLite's own reading engine
        try:
            yield connection
        finally:
            await connection.close()

    async def close(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def _clock(settings: Settings) -> Clock:
    """The wall clock, or campaign time from CLOCK_START at CLOCK_SPEED (demo and tests)."""
    if settings.clock_start is None:
        return SystemClock()
    return ScaledClock(settings.clock_start, settings.clock_speed)
