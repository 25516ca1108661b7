"""The database engine: SQLite (WAL, busy timeout, immediate writes) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_

from storage import sqlite_inline

SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_ONLY = "reporting_read_only"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; on SQLite every transaction is `BEGIN IMMEDIATE`.

    Taking the write lock at BEGIN means two writers queue there (for up to the busy
    timeout) instead of failing half-way with "database is locked" when a reader upgrades
    to a writer. SQLite runs on the loop's thread: see `storage.sqlite_inline`.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)

    database = parsed.database or ":memory:"
    if database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        async_creator=sqlite_inline.connector(database, SQLITE_BUSY_TIMEOUT_MS / 1000),
        # Sessions always end their transaction; a second rollback at check-in is wasted.
        pool_reset_on_return=None,
        **kwargs,
    )

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get(READ_ONLY, False):
            await_(conn.connection.driver_connection.begin_immediate())
        # A read-only session runs each statement in its own implicit transaction.

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def reader_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that only read: on SQLite they take no write lock, so they never queue
    behind a writer (WAL lets readers and one writer work at once)."""
    return async_sessionmaker(engine.execution_options(**{READ_ONLY: True}),
                              expire_on_commit=False)
