"""The database as the floors above use it: a writing engine and a reading one, sessions,
and the SQLite write discipline (writers of this process queue for their turn; see
`storage.db` for the engines and `storage.sqlite_inline` for the connection)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, is_sqlite, reader_engine, session_factory


@dataclass
class Database:
    engine: AsyncEngine
    read_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    readers: async_sessionmaker[AsyncSession]
    _write_turn: AbstractAsyncContextManager[object] = field(default_factory=nullcontext)

    @classmethod
    def open(cls, url: str) -> Database:
        """The engines for `url`; no connection is made yet."""
        engine = create_engine(url)
        read_engine = reader_engine(url, engine)
        return cls(engine=engine, read_engine=read_engine, sessions=session_factory(engine),
                   readers=session_factory(read_engine),
                   _write_turn=asyncio.Lock() if is_sqlite(url) else nullcontext())

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
