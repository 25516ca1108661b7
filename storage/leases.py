"""Leases: something only one process may do at a time, claimed in the database.

Polling Telegram is one (a second poller gets 409 Conflict forever). A lease is held
until `expires_at` and renewed while its holder runs; a holder that died on this machine
(its process is gone) loses it at once, one elsewhere when it expires. Times are the wall
clock's, not campaign time: a lease is about processes, not about the campaign.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m

POLLING = "polling"


class LeaseHeld(Exception):
    """Another live process holds the lease."""

    def __init__(self, name: str, holder: str):
        super().__init__(f"{name} is held by {holder}")
        self.name = name
        self.holder = holder


def this_process() -> str:
    """`host:pid:nonce`: who holds a lease, readable by an operator."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _gone(holder: str) -> bool:
    """True if `holder` was a process on this machine that no longer runs."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as another user
        return False
    return False


async def take(session: AsyncSession, name: str, holder: str, now: dt.datetime,
               ttl: dt.timedelta) -> str | None:
    """Claim `name` for `holder`; None on success, else who holds it now."""
    try:
        async with session.begin_nested():
            session.add(m.Lease(name=name, holder=holder, expires_at=now + ttl))
            await session.flush()
        return None
    except IntegrityError:
        pass
    current = await session.scalar(select(m.Lease).where(m.Lease.name == name))
    if current is None:  # released meanwhile: try once more next time
        return "?"
    if current.holder != holder and current.expires_at > now and not _gone(current.holder):
        return current.holder
    taken = await session.execute(
        update(m.Lease).where(m.Lease.name == name, m.Lease.holder == current.holder)
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False))
    return None if taken.rowcount == 1 else current.holder


async def renew(session: AsyncSession, name: str, holder: str, now: dt.datetime,
                ttl: dt.timedelta) -> bool:
    """Extend the lease; False if `holder` no longer has it."""
    renewed = await session.execute(
        update(m.Lease).where(m.Lease.name == name, m.Lease.holder == holder)
        .values(expires_at=now + ttl).execution_options(synchronize_session=False))
    return renewed.rowcount == 1


async def release(session: AsyncSession, name: str, holder: str) -> None:
    await session.execute(delete(m.Lease).where(m.Lease.name == name, m.Lease.holder == holder))
