"""Access tokens of the APIs the bot calls, kept in the database so that every instance
uses the one token (WeCom returns the same token while it is valid; fetching it from each
process in turn would only multiply `gettoken` calls)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m
from storage.db import insert_for


async def valid_until(session: AsyncSession, name: str,
                      until: dt.datetime) -> tuple[str, dt.datetime] | None:
    """The stored token and when it expires, if it is still good at `until` (now and a
    margin)."""
    row = await session.scalar(select(m.ApiToken).where(m.ApiToken.name == name))
    return (row.token, row.expires_at) if row is not None and row.expires_at > until else None


async def keep_token(session: AsyncSession, name: str, token: str,
                     expires_at: dt.datetime) -> None:
    insert = insert_for(session)(m.ApiToken).values(name=name, token=token,
                                                        expires_at=expires_at)
    await session.execute(insert.on_conflict_do_update(
        index_elements=[m.ApiToken.name],
        set_={"token": token, "expires_at": expires_at}))


async def forget_token(session: AsyncSession, name: str, token: str) -> None:
    """The API refused `token` (revoked, or expired early): the next call fetches anew."""
    row = await session.scalar(select(m.ApiToken).where(m.ApiToken.name == name))
    if row is not None and row.token == token:
        await session.delete(row)
