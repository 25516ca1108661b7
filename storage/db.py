"""The database engines: SQLite (WAL, immediate writes that wait for the lock by awaiting,
run on the loop's thread: see `storage.sqlite_inline`) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline

# How long a writer waits for another process's write lock (by awaiting, not in SQLite's
# busy handler) before "database is locked".
SQLITE_LOCK_WAIT_SECONDS = 15.0


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, read_only: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine. On SQLite every transaction of a writing engine is
    `BEGIN IMMEDIATE`, and an engine made with `read_only=True` never takes the write lock.

    Taking the write lock at BEGIN means two writers queue there (for up to
    SQLITE_LOCK_WAIT_SECONDS) instead of failing half-way with "database is locked" when a
    reader upgrades to a writer. SQLite runs on the loop's thread: see `storage.sqlite_inline`.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)

    database = parsed.database or ":memory:"
    if database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return create_async_engine(
        url,
        async_creator=sqlite_inline.connector(database, SQLITE_LOCK_WAIT_SECONDS,
                                              writes=not read_only),
        # A reading connection is never inside a transaction: nothing to roll back.
        pool_reset_on_return=None if read_only else "rollback",
        **kwargs,
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def reader_engine(url: str, engine: AsyncEngine) -> AsyncEngine:
    """The engine for sessions that only read: on SQLite, one of its own that takes no
    write lock, so reads never queue behind a writer (WAL lets readers and one writer
    work at once); elsewhere, `engine` itself."""
    return create_engine(url, read_only=True) if is_sqlite(url) else engine


def insert_for(session: Any) -> Any:
    """The dialect's `insert`, the one with `on_conflict_do_nothing` (SQLite or PostgreSQL)."""
    return dialect_insert(session.bind.dialect.name if session.bind else "sqlite")


def dialect_insert(dialect: str) -> Any:
    """`insert` of the dialect named; only that dialect is loaded (PostgreSQL's costs a
    SQLite bot 2 MB)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
