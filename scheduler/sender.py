"""The delivery sender: the one way out for everything the bot sends on its own.

It claims due rows from the ledger, sends each through the one rate limiter, and records
the outcome: `sent`; `blocked` (403: the contact is marked unreachable, never retried);
`failed` after retries with backoff for 5xx and network errors, or at once for a request
Telegram refuses; `uncertain` when a request may have reached Telegram but no answer came
(a read timeout): never resent by itself. A 429 pauses the whole sender (in the limiter)
and the row goes back to pending.
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

import httpx
from sqlalchemy.exc import DBAPIError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from flows.services import Services
from reporting.digest import ReviewState
from storage import attachments, deliveries, drafts
from storage.attachments import StoredFile
from storage.deliveries import ClaimedDelivery
from storage.models import DeliveryState as State
from storage.notices import Attached, Button, Notice
from telegram_io.rate_limit import LEDGER

log = logging.getLogger(__name__)

DB_ERRORS = (DBAPIError, OSError, ConnectionError)
DB_RETRY_SECONDS = 1.0
GONE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid",
        "bot can't initiate conversation")


class DeliverySender:
    def __init__(self, services: Services, bot: Bot, *, concurrency: int = 8, batch: int = 64,
                 poll_interval: float = 0.5):
        self.services = services
        self.bot = bot
        self.concurrency = concurrency
        self.batch = batch
        self.poll_interval = poll_interval
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._wake = asyncio.Event()
        self._next_recovery: dt.datetime | None = None
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
        while not stop.is_set():
            if len(held) < self.batch // 2:
                try:
                    await self._recover_now_and_then()
                    held.extend(await self._claim(self.batch - len(held)))
                except DB_ERRORS as exc:  # the database went away: wait, then go on
                    log.warning("database unavailable (%s); the sender waits",
                                type(exc).__name__)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), DB_RETRY_SECONDS)
                    continue
            started = self._start(held, busy, tasks)
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
        await self._give_back(held)

    def _start(self, held: deque[ClaimedDelivery], busy: set[int],
               tasks: set[asyncio.Task[None]]) -> int:
        """Start held rows while slots are free, one at a time per chat."""
        started = 0
        for row in list(held):
            if len(tasks) >= self.concurrency:
                break
            if row.chat_id in busy:
                continue
            held.remove(row)
            busy.add(row.chat_id)
            task = asyncio.ensure_future(self._deliver_or_leave(row))
            task.add_done_callback(lambda _t, chat=row.chat_id: busy.discard(chat))
            tasks.add(task)
            started += 1
        return started

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
        """If the database is away before the row is marked `sending`, nothing was sent:
        the row is taken again when its lease runs out."""
        try:
            await self.deliver(row)
        except DB_ERRORS as exc:
            log.warning("database unavailable (%s): %s will be sent later",
                        type(exc).__name__, row.key)

    async def deliver(self, row: ClaimedDelivery) -> None:
        """Send one claimed row, retrying here (the claim held) until it settles."""
        token = row.token
        services = self.services
        attempts = row.attempts
        if not await self._still_wanted(row):
            await self._settle(row, State.CANCELLED, "no longer needed: the unit submitted")
            return
        while True:
            async with services.transaction() as session:
                if not await deliveries.mark_sending(session, row.id, token, services.clock.now(),
                                                 self.lease):
                    return  # the claim was lost (its lease ran out; someone else took it)
            attempts += 1
            try:
                message = await self._send(row.chat_id, row.notice)
            except RetryAfter:
                # Not delivered; the limiter has paused everything for `retry_after`.
                await self._back_to_claimed(row, token, "429: too many requests")
                continue
            except Forbidden as exc:
                await self._settle_blocked(row, str(exc))
            except BadRequest as exc:
                if any(marker in str(exc).lower() for marker in GONE):
                    await self._settle_blocked(row, str(exc))
                else:
                    await self._settle(row, State.FAILED, f"refused by Telegram: {exc}")
            except TimedOut as exc:
                if not _never_left(exc):
                    await self._settle(row, State.UNCERTAIN, "no answer from Telegram in "
                                       "time; it may have been delivered")
                elif await self._may_retry(row, token, attempts, f"timed out connecting: {exc}"):
                    continue
            except NetworkError as exc:
                if await self._may_retry(row, token, attempts, f"server or network: {exc}"):
                    continue
            except Exception as exc:  # a bug of ours must not stop every other delivery
                log.exception("delivery %s failed unexpectedly", row.key)
                await self._settle(row, State.FAILED, f"internal error: {type(exc).__name__}")
            else:
                await self._settle(row, State.SENT, message_id=message.message_id)
                self.sent += 1
            return

    async def _still_wanted(self, row: ClaimedDelivery) -> bool:
        """A reminder to a unit that submitted since it was queued is not sent."""
        unless = row.notice.unless_submitted
        if unless is None:
            return True
        async with self.services.readers() as session:
            latest = await drafts.latest_submission(session, *unless)
        return latest is None or latest.review_state == ReviewState.RETURNED

    async def _may_retry(self, row: ClaimedDelivery, token: str, attempts: int, error: str) -> bool:
        """Back off and try again, or settle as failed after the last attempt."""
        if attempts >= self.max_attempts:
            await self._settle(row, State.FAILED, f"{error} (after {attempts} attempts)")
            return False
        await self._back_to_claimed(row, token, error)
        await asyncio.sleep(self.backoff * 2 ** (attempts - 1))
        return True

    async def _send(self, chat_id: int, notice: Notice) -> Message:
        markup = _markup(notice.buttons)
        timeouts = {"read_timeout": self.timeout, "write_timeout": self.timeout,
                    "connect_timeout": self.timeout, "pool_timeout": self.timeout}
        attachment_id = notice.attachment_id
        if attachment_id is None:
            return await self.bot.send_message(chat_id, notice.text, reply_markup=markup,
                                               parse_mode=ParseMode.HTML,
                                               rate_limit_args=LEDGER, **timeouts)
        async with self.services.readers() as session:
            attachment = await attachments.stored_file(session, attachment_id)
        caption = notice.text or None
        sent_file: Any = attachment.telegram_file_id or _input_file(attachment)
        if notice.attached is Attached.PHOTO:
            message = await self.bot.send_photo(chat_id, sent_file, caption=caption,
                                                parse_mode=ParseMode.HTML, reply_markup=markup,
                                                rate_limit_args=LEDGER, **timeouts)
            file_id = message.photo[-1].file_id if message.photo else None
        else:
            message = await self.bot.send_document(chat_id, sent_file, caption=caption,
                                                   parse_mode=ParseMode.HTML,
                                                   reply_markup=markup, rate_limit_args=LEDGER,
                                                   **timeouts)
            file_id = message.document.file_id if message.document else None
        if file_id and not attachment.telegram_file_id:
            async with self.services.transaction() as session:
                await attachments.remember_telegram_id(session, attachment_id, file_id)
        return message

    # -- outcomes ------------------------------------------------------------------------

    async def _settle(self, row: ClaimedDelivery, state: State, error: str | None = None,
                      message_id: int | None = None) -> None:
        """Record the outcome; if the database is away, keep trying while the row's lease
        lasts (after that, another sender will call it uncertain, which it then is)."""
        for attempt in range(int(self.lease.total_seconds() / DB_RETRY_SECONDS) + 1):
            try:
                async with self.services.transaction() as session:
                    await deliveries.settle(session, row.id, state, self.services.clock.now(),
                                        error, message_id)
                break
            except DB_ERRORS:
                if attempt == 0:
                    log.warning("database unavailable: the outcome of %s waits", row.key)
                await asyncio.sleep(DB_RETRY_SECONDS)
        if state not in (State.SENT, State.CANCELLED):
            log.warning("delivery %s to chat %s: %s (%s)", row.key, row.chat_id, state, error)

    async def _settle_blocked(self, row: ClaimedDelivery, error: str) -> None:
        async with self.services.transaction() as session:
            await deliveries.settle_blocked(session, row.id, row.person_id,
                                            self.services.clock.now(), error)
        log.warning("person %s blocked the bot or is gone: %s", row.person_id, error)

    async def _back_to_claimed(self, row: ClaimedDelivery, token: str, error: str) -> None:
        """Telegram said it was not delivered: pending again, still ours to retry."""
        async with self.services.transaction() as session:
            await deliveries.unsend(session, row.id, token, self.services.clock.now(), error)


def _markup(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data)
                                  for b in row] for row in buttons])


def _input_file(attachment: StoredFile) -> Any:
    from telegram import InputFile

    return InputFile(attachment.content, filename=attachment.name)


def _never_left(exc: TimedOut) -> bool:
    """A timeout before the request was written (connect, pool) means it was not sent."""
    cause = exc.__cause__
    return isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
