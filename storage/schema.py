"""Creating and upgrading the schema with Alembic, on the bot's own async engine.

Alembic is imported only to change the schema (`init`). Checking a database at start-up
(`run`, `status`) needs only the revision it is at, one query, and the revisions this
release knows, read from the migration files themselves."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Any = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; from an empty database this creates it."""
    from alembic import command

    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None: no schema yet)."""
    def read(sync: Any) -> str | None:
        if not inspect(sync).has_table(VERSION_TABLE):
            return None
        return sync.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()

    async with engine.connect() as conn:
        return await conn.run_sync(read)


@cache
def _revisions() -> dict[str, str | None]:
    """Each migration's revision and the one it follows, from the files' assignments."""
    found: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        values: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id in ("revision", "down_revision"):
                values[node.targets[0].id] = ast.literal_eval(node.value)
        if "revision" in values:
            found[values["revision"]] = values.get("down_revision")
    return found


def head_revision() -> str | None:
    """The latest migration: the one no other follows."""
    followed = set(_revisions().values())
    heads = [revision for revision in _revisions() if revision not in followed]
    return heads[0] if heads else None


def known_revisions() -> set[str]:
    return set(_revisions())


class NewerSchema(Exception):
    """The database was made by a newer release of the bot: this one must not touch it."""

    def __init__(self, revision: str):
        super().__init__(revision)
        self.revision = revision


async def check_not_newer(engine: AsyncEngine) -> str | None:
    """The database's revision; `NewerSchema` if this release does not know it."""
    revision = await current_revision(engine)
    if revision is not None and revision not in known_revisions():
        raise NewerSchema(revision)
    return revision
