"""The delivery sender: the one way out for everything the bot sends on its own.

It claims due rows from the ledger, sends each through the one rate limiter, and records
the outcome: `sent`; `blocked` (403: the contact is marked unreachable, never retried);
`failed` after retries with backoff for 5xx and network errors, or at once for a request
Telegram refuses; `uncertain` when a request may have reached Telegram but no answer came
(a read timeout): never resent by itself. A 429 pauses the whole sender (in the limiter)
and the row goes back to pending.

The database is written in groups, not per message: the rows that start together become
`sending` in one transaction, and the outcomes that came in meanwhile are recorded in one.
A crash between a request and the record of its outcome leaves the row `sending`, which
recovery calls `uncertain`, exactly as it would for a single row: never sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
from collections import deque
from typing import Any

from sqlalchemy.exc import DBAPIError
from telegram import Bot

from flows.services import Services
from scheduler.send_request import Next, send_notice, verdict
from storage import deliveries
from storage.deliveries import ClaimedDelivery, Outcome
from storage.models import DeliveryState as State

log = logging.getLogger(__name__)

DB_ERRORS = (DBAPIError, OSError, ConnectionError)
DB_RETRY_SECONDS = 1.0
# Requests in flight at once (one per chat), and rows claimed ahead. The limiter sets the
# pace; enough requests in flight make each start and each record a group of rows.
CONCURRENCY, BATCH = 16, 128


class DeliverySender:
    def __init__(self, services: Services, bot: Bot, *, concurrency: int = CONCURRENCY,
                 batch: int = BATCH,
                 poll_interval: float = 0.5):
        self.services = services
        self.bot = bot
        self.concurrency = concurrency
        self.batch = batch
        self.poll_interval = poll_interval
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._wake = asyncio.Event()
        self._next_recovery: dt.datetime | None = None
        self._outcomes: list[Outcome] = []  # finished requests, not yet recorded
        self.sent = 0

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.services.settings.send_lease)

    @property
    def max_attempts(self) -> int:
        return self.services.settings.send_retries

    @property
    def backoff(self) -> float:
        return self.services.settings.send_backoff

    @property
    def timeout(self) -> float:
        return self.services.settings.send_timeout

    def nudge(self) -> None:
        """New rows are waiting: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop`; then finish what is in flight and give back the rest.

        Rows are claimed ahead (up to `batch`) and started as soon as a slot is free, so
        the pace is the limiter's, not the batch's; rows to one chat go one at a time.
        """
        self.services.outbox.wake_with(self.nudge)  # whatever is queued wakes this sender
        try:
            await self._run(stop)
        finally:
            self.services.outbox.wake_with(None)

    async def _run(self, stop: asyncio.Event) -> None:
        held: deque[ClaimedDelivery] = deque()
        busy: set[int] = set()
        tasks: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        started = 0
        while not stop.is_set():
            try:
                # When slots are free: the outcomes that came in meanwhile, then the next
                # group started, each in one transaction (not two for every message).
                if len(tasks) < self.concurrency:
                    await self._record()
                    if len(held) < self.batch // 2:
                        await self._recover_now_and_then()
                        held.extend(await self._claim(self.batch - len(held)))
                    started = await self._start(held, busy, tasks)
            except DB_ERRORS as exc:  # the database went away: wait, then go on
                log.warning("database unavailable (%s); the sender waits",
                            type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), DB_RETRY_SECONDS)
                continue
            if tasks:
                done, _ = await asyncio.wait(tasks | {stopping}, timeout=self.poll_interval,
                                             return_when=asyncio.FIRST_COMPLETED)
                tasks -= done
            elif not held or not started:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(self._wake, stop), self.poll_interval)
        stopping.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._record_before_stopping()
        await self._give_back(held)

    async def _start(self, held: deque[ClaimedDelivery], busy: set[int],
                     tasks: set[asyncio.Task[None]]) -> int:
        """Start held rows while slots are free, one at a time per chat: marked `sending`
        together in one transaction, then each request on its way."""
        picked: list[ClaimedDelivery] = []
        chats = set(busy)
        for row in held:
            if len(tasks) + len(picked) >= self.concurrency:
                break
            if row.chat_id not in chats:
                picked.append(row)
                chats.add(row.chat_id)
        if not picked:
            return 0
        async with self.services.transaction() as session:
            ready = await deliveries.start_sending(session, picked, self.services.clock.now(),
                                                   self.lease)
        for row in picked:  # cancelled, or the claim was lost: not ours to send
            held.remove(row)
        for row in ready:
            busy.add(row.chat_id)
            task = asyncio.ensure_future(self._deliver_or_leave(row))
            task.add_done_callback(lambda _t, chat=row.chat_id: busy.discard(chat))
            tasks.add(task)
        return len(picked)

    async def _claim(self, limit: int) -> list[ClaimedDelivery]:
        if limit <= 0:
            return []
        now = self.services.clock.now()
        async with self.services.transaction() as session:
            return await deliveries.claim(session, self.worker, now, self.lease, limit)

    async def _give_back(self, held: deque[ClaimedDelivery]) -> None:
        """On a clean stop, rows claimed but not started are free for anyone at once."""
        tokens = {row.token for row in held}
        if not tokens:
            return
        async with self.services.transaction() as session:
            for token in tokens:
                await deliveries.release(session, token, self.services.clock.now())

    async def _recover_now_and_then(self) -> None:
        now = self.services.clock.now()
        if self._next_recovery is None or now >= self._next_recovery:
            await self.recover()
            self._next_recovery = now + self.lease / 2

    async def recover(self) -> None:
        """Settle what a stopped sender left in flight (its lease ran out): uncertain."""
        now = self.services.clock.now()
        async with self.services.transaction() as session:
            settled = await deliveries.recover(session, now)
        if settled:
            log.warning("%d deliveries were in flight when a sender stopped: uncertain",
                        settled)

    async def drain(self, done: Any, timeout: float = 600) -> None:
        """Send until `done()` is true (for the command line), or `timeout` seconds."""
        stop = asyncio.Event()
        running = asyncio.create_task(self.run(stop))
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        try:
            while loop.time() < end and not await done():
                await asyncio.sleep(self.poll_interval)
        finally:
            stop.set()
            await running

    # -- one row ------------------------------------------------------------------------

    async def _deliver_or_leave(self, row: ClaimedDelivery) -> None:
        """If the database is away while a row goes back to be retried, it stays `sending`
        and recovery calls it uncertain: nothing is sent twice."""
        try:
            await self.deliver(row)
        except DB_ERRORS as exc:
            log.warning("database unavailable (%s) while retrying %s", type(exc).__name__,
                        row.key)

    async def deliver(self, row: ClaimedDelivery) -> None:
        """Send one row already marked `sending`, retrying here (the claim held) until its
        outcome is known; the outcome is recorded with others by the sender's loop."""
        attempts = row.attempts + 1
        while True:
            try:
                message = await send_notice(self.services, self.bot, row.chat_id, row.notice,
                                            self.timeout)
            except Exception as exc:
                said = verdict(exc)
                if said.ours:
                    log.exception("delivery %s failed unexpectedly", row.key)
                if said.next is Next.SETTLE or (said.next is Next.RETRY
                                                and attempts >= self.max_attempts):
                    error = said.error if said.next is Next.SETTLE else (
                        f"{said.error} (after {attempts} attempts)")
                    assert said.state is not None
                    self._outcome(row, said.state, error)
                    return
                await self._back_to_claimed(row, said.error)
                if said.next is Next.RETRY:
                    await asyncio.sleep(self.backoff * 2 ** (attempts - 1))
                if not await self._mark_again(row):
                    return  # the claim was lost (its lease ran out; someone else took it)
                attempts += 1
            else:
                self._outcome(row, State.SENT, message_id=message.message_id)
                return

    # -- outcomes ------------------------------------------------------------------------

    def _outcome(self, row: ClaimedDelivery, state: State, error: str | None = None,
                 message_id: int | None = None) -> None:
        """Kept until the loop records it, with the others that came in meanwhile."""
        self._outcomes.append(Outcome(row.id, state, error, message_id, row.person_id))
        if state is State.BLOCKED:
            log.warning("person %s blocked the bot or is gone: %s", row.person_id, error)
        elif state is not State.SENT:
            log.warning("delivery %s to chat %s: %s (%s)", row.key, row.chat_id, state, error)

    async def _record(self) -> None:
        """Record every outcome waiting, in one transaction."""
        if not self._outcomes:
            return
        batch, self._outcomes = self._outcomes, []
        try:
            async with self.services.transaction() as session:
                await deliveries.settle_all(session, batch, self.services.clock.now())
        except BaseException:
            self._outcomes[:0] = batch  # kept for the next try
            raise
        self.sent += sum(1 for o in batch if o.state is State.SENT)

    async def _record_before_stopping(self) -> None:
        """On stop, keep trying while the rows' lease lasts (after that, another sender
        calls them uncertain, which they then are)."""
        for attempt in range(int(self.lease.total_seconds() / DB_RETRY_SECONDS) + 1):
            try:
                await self._record()
                return
            except DB_ERRORS:
                if attempt == 0:
                    log.warning("database unavailable: %d outcome(s) wait",
                                len(self._outcomes))
                await asyncio.sleep(DB_RETRY_SECONDS)

    async def _back_to_claimed(self, row: ClaimedDelivery, error: str) -> None:
        """Telegram said it was not delivered: pending again, still ours to retry."""
        async with self.services.transaction() as session:
            await deliveries.unsend(session, row.id, row.token, self.services.clock.now(),
                                    error)

    async def _mark_again(self, row: ClaimedDelivery) -> bool:
        async with self.services.transaction() as session:
            return await deliveries.mark_sending(session, row.id, row.token,
                                                 self.services.clock.now(), self.lease)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
