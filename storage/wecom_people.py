"""What the WeCom front door reads and writes: who a member is, and which callbacks have
been handled (WeCom posts one again when it got no answer in 5 seconds)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m
from storage.db import insert_for
from storage.records import PersonRecord, person_record


async def person_on_wecom(session: AsyncSession, user_id: str) -> PersonRecord | None:
    """The active person bound to this WeCom account, with their unit."""
    row = await session.scalar(select(m.Person).where(
        m.Person.wecom_user_id == user_id, m.Person.active.is_(True)))
    return None if row is None else person_record(row)


async def wecom_member(session: AsyncSession,
                       person_id: int) -> tuple[PersonRecord, str] | None:
    """An active person who joined on WeCom, and their WeCom UserID."""
    row = await session.scalar(select(m.Person).where(
        m.Person.id == person_id, m.Person.active.is_(True),
        m.Person.wecom_user_id.is_not(None)))
    return None if row is None or row.wecom_user_id is None else (person_record(row),
                                                                    row.wecom_user_id)


async def first_time(session: AsyncSession, key: str, now: dt.datetime) -> bool:
    """True for the first of the callbacks that share `key`; False for each retry."""
    result = await session.execute(
        insert_for(session)(m.WeComCallback).values(key=key[:128], seen_at=now)
        .on_conflict_do_nothing(index_elements=[m.WeComCallback.key]))
    return result.rowcount == 1
