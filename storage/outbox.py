"""The one way out for every message that is not a direct reply: rows in the delivery
ledger, and, once the transaction that queued them commits, a wake-up for the sender.
Producers never reach for the sender themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deliveries
from storage.notices import NewDelivery


class Outbox:
    def __init__(self) -> None:
        self._wake: Callable[[], None] | None = None
        self._also: list[Callable[[], None]] = []  # the senders of other channels

    def wake_with(self, wake: Callable[[], None] | None) -> None:
        """What to call after a commit that queued something (the sender's nudge)."""
        self._wake = wake

    def also_wake(self, wake: Callable[[], None]) -> None:
        """Another sender to wake after such a commit (WeCom's, beside Telegram's)."""
        self._also.append(wake)

    def stop_waking(self, wake: Callable[[], None]) -> None:
        if wake in self._also:
            self._also.remove(wake)

    async def enqueue(self, session: AsyncSession, messages: Sequence[NewDelivery],
                      now: dt.datetime) -> int:
        """Queue `messages` in the caller's transaction (keys already queued are left as
        they are); returns how many are new. The sender is woken after the commit."""
        added = await deliveries.enqueue(session, messages, now)
        wakes = [w for w in (self._wake, *self._also) if w is not None]
        if added and wakes:
            event.listen(session.sync_session, "after_commit",
                         lambda _session: [wake() for wake in wakes], once=True)
        return added
