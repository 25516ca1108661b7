"""SQLite for the async engine, run on the event loop's own thread.

SQLAlchemy's `sqlite+aiosqlite` dialect talks to aiosqlite, which runs every call in a
worker thread: four thread hops per statement (cursor, execute, fetch, close), each a
queue, a wake-up and a hand-back of the GIL. Our statements take microseconds from the
page cache, far less than the hops around them; measured on a form step, the hops were
most of its cost. So this module gives the dialect an object with aiosqlite's interface
whose coroutines call `sqlite3` directly, and finish without suspending.

The connection also decides where transactions begin, so the engine needs no event
listeners (SQLAlchemy dispatches through them on every statement): a connection made for
writing takes the write lock with `BEGIN IMMEDIATE` at the first statement after a commit
or rollback; one made for reading runs each statement on its own (WAL lets it read while
another connection writes).

One thing can take longer than a query: waiting for another writer's lock. Only
`BEGIN IMMEDIATE` waits for it (in WAL mode, reads never wait and a transaction that
holds the write lock never waits again), so `begin_immediate` waits by awaiting short
sleeps, letting the loop run, instead of in SQLite's busy handler, which would stop it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

# The busy handler's wait on a reading connection, for the rare read that meets a lock
# (recovery of a WAL after a crash): short, because it holds up the whole loop. A writing
# connection has none: it waits only at BEGIN IMMEDIATE, by awaiting.
READ_BUSY_TIMEOUT_MS = 250
# The longest a step of opening a connection may hold the loop (the busy handler's wait).
OPEN_BUSY_TIMEOUT_MS = 50
# FULL: a commit is on disk (fsync of the WAL) before the bot says it kept an answer, so
# an OS crash or a power cut loses nothing acknowledged. (bench/form_throughput.py can run
# with NORMAL to show what that costs.)
SYNCHRONOUS = "FULL"
# The WAL file is cut back to this size after a checkpoint (a long reader let it grow).
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
_FIRST_RETRY_SECONDS = 0.001
_LONGEST_RETRY_SECONDS = 0.05


class InlineCursor:
    """An aiosqlite-shaped cursor over a `sqlite3.Cursor`."""

    def __init__(self, connection: InlineConnection, cursor: sqlite3.Cursor):
        self._connection = connection
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[Any]:
        for row in self._cursor:
            yield row

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        await self._connection.begin_if_writing()
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        await self._connection.begin_if_writing()
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """An aiosqlite-shaped connection over a `sqlite3.Connection` in autocommit mode;
    for writing, each transaction begins with `BEGIN IMMEDIATE` at its first statement."""

    def __init__(self, connection: sqlite3.Connection, lock_timeout_seconds: float,
                 writes: bool):
        self._connection: sqlite3.Connection | None = connection
        self._lock_timeout = lock_timeout_seconds
        self._writes = writes

    @property
    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._open.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self, self._open.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._open.commit()

    async def rollback(self) -> None:
        self._open.rollback()

    async def create_function(self, name: str, num_params: int, func: Callable[..., Any],
                              deterministic: bool = False) -> None:
        self._open.create_function(name, num_params, func, deterministic=deterministic)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def begin_if_writing(self) -> None:
        if self._writes and not self._open.in_transaction:
            await self.begin_immediate()

    async def begin_immediate(self) -> None:
        """Take the write lock, waiting for another writer without stopping the loop."""
        await execute_waiting(self._open, "BEGIN IMMEDIATE", self._lock_timeout)


async def execute_waiting(connection: sqlite3.Connection, sql: str,
                          timeout_seconds: float) -> None:
    """Run `sql`, which needs the database's lock; while another connection holds it,
    wait by awaiting short, growing sleeps (the loop runs meanwhile), up to the timeout."""
    deadline = time.monotonic() + timeout_seconds
    delay = _FIRST_RETRY_SECONDS
    while True:
        try:
            connection.execute(sql)
            return
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() + delay > deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, _LONGEST_RETRY_SECONDS)


def connector(database: str, lock_timeout_seconds: float,
              writes: bool = True) -> Callable[[], Any]:
    """The engine's `async_creator`: a new connection to `database`, in WAL mode, with
    foreign keys on; `writes=False` for an engine that only reads."""

    async def connect() -> InlineConnection:
        # No step here may hold the loop: the busy handler waits at most OPEN_BUSY_TIMEOUT_MS,
        # and WAL mode, which lives in the file and needs the lock to switch, is set once
        # per database (by the first connection) and only read after that.
        connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False,
                                     timeout=OPEN_BUSY_TIMEOUT_MS / 1000)
        if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            connection.execute(f"PRAGMA busy_timeout={OPEN_BUSY_TIMEOUT_MS}")
            await execute_waiting(connection, "PRAGMA journal_mode=WAL", lock_timeout_seconds)
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        connection.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        connection.execute(f"PRAGMA busy_timeout={0 if writes else READ_BUSY_TIMEOUT_MS}")
        return InlineConnection(connection, lock_timeout_seconds, writes)

    return connect
