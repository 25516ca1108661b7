"""A fresh PostgreSQL database for a benchmark, made (and remade) on the server given."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def fresh_pg_database(admin_url: str, name: str = "reporting_bench") -> str:
    """Drop and create `name`; returns its URL. Raises if the server is not there."""
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await conn.execute(text(f"CREATE DATABASE {name}"))
    await engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"
