"""SQLite on the loop's thread: waiting for another writer's lock must not stop the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import create_engine
from storage.sqlite_inline import connector


async def test_a_writer_waits_for_another_without_stopping_the_loop(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'two.db'}"
    first, second = create_engine(url), create_engine(url)  # as two processes would be
    async with first.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (who TEXT)"))
    ticks = 0
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_the_lock() -> None:
        async with first.begin() as conn:
            await conn.execute(text("INSERT INTO notes VALUES ('first')"))
            holding.set()
            await release.wait()

    async def write_after() -> None:
        async with second.begin() as conn:
            await conn.execute(text("INSERT INTO notes VALUES ('second')"))

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    holder = asyncio.create_task(hold_the_lock())
    ticker = asyncio.create_task(tick())
    await holding.wait()
    reader = create_engine(url, read_only=True)
    async with reader.connect() as conn:  # reading needs no lock: it sees what is committed
        assert (await conn.execute(text("SELECT count(*) FROM notes"))).scalar() == 0
    await reader.dispose()
    waiter = asyncio.create_task(write_after())
    await asyncio.sleep(0.3)
    assert not waiter.done()  # it waits for the lock...
    assert ticks >= 10  # ...while the loop goes on (a blocking wait would freeze the ticker)
    release.set()
    await asyncio.wait_for(asyncio.gather(holder, waiter), timeout=5)
    ticker.cancel()
    async with second.connect() as conn:
        rows = (await conn.execute(text("SELECT who FROM notes ORDER BY rowid"))).all()
    assert [r.who for r in rows] == ["first", "second"]
    await first.dispose()
    await second.dispose()


async def test_a_lock_held_too_long_is_a_clear_error_not_a_hang(tmp_path: Path) -> None:
    path = str(tmp_path / "held.db")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    waiter = await connector(path, lock_timeout_seconds=0.2)()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await asyncio.wait_for(waiter.begin_immediate(), timeout=5)
    holder.rollback()
    await waiter.begin_immediate()  # free now
    await waiter.rollback()
    await waiter.close()
    holder.close()
