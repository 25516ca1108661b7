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
from typing import Any

import httpx
from sqlalchemy import update
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.services import Services
from scheduler.rate_limit import LEDGER
from storage import deliveries as ledger
from storage import models as m

log = logging.getLogger(__name__)

State = m.DeliveryState
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
        self._in_flight: set[asyncio.Task[None]] = set()
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
        """Send until `stop`; then finish what is in flight and give back the rest."""
        while not stop.is_set():
            did = await self.step()
            if did == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(self._wake, stop), self.poll_interval)
        await self._finish()

    async def recover(self) -> None:
        """Settle what a stopped sender left in flight (its lease ran out): uncertain."""
        now = self.services.clock.now()
        async with self.services.transaction() as session:
            settled = await ledger.recover(session, now)
        if settled:
            log.warning("%d deliveries were in flight when a sender stopped: uncertain",
                        settled)

    async def step(self) -> int:
        """Claim one batch and send it; returns how many rows were claimed."""
        now = self.services.clock.now()
        if self._next_recovery is None or now >= self._next_recovery:
            await self.recover()
            self._next_recovery = now + self.lease / 2
        async with self.services.transaction() as session:
            rows = await ledger.claim(session, self.worker, now, self.lease, self.batch)
        if not rows:
            return 0
        limit = asyncio.Semaphore(self.concurrency)
        by_chat: dict[int, asyncio.Lock] = {}

        async def one(row: m.Delivery) -> None:
            async with limit, by_chat.setdefault(row.chat_id, asyncio.Lock()):
                await self.deliver(row)

        tasks = [asyncio.ensure_future(one(row)) for row in rows]
        self._in_flight.update(tasks)
        try:
            await asyncio.gather(*tasks)
        finally:
            self._in_flight.difference_update(tasks)
        return len(rows)

    async def drain(self, done: Any = None, timeout: float = 600) -> None:
        """Send until nothing is due (or `done()` is true): for the command line."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            if done is not None and await done():
                return
            if await self.step() == 0:
                if done is None:
                    return
                await asyncio.sleep(self.poll_interval)

    async def _finish(self) -> None:
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    # -- one row ------------------------------------------------------------------------

    async def deliver(self, row: m.Delivery) -> None:
        """Send one claimed row, retrying here (the claim held) until it settles."""
        token = row.claimed_by or ""
        services = self.services
        attempts = row.attempts
        while True:
            async with services.transaction() as session:
                if not await ledger.mark_sending(session, row.id, token, services.clock.now(),
                                                 self.lease):
                    return  # the claim was lost (its lease ran out; someone else took it)
            attempts += 1
            try:
                message = await self._send(row.chat_id, row.payload)
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

    async def _may_retry(self, row: m.Delivery, token: str, attempts: int, error: str) -> bool:
        """Back off and try again, or settle as failed after the last attempt."""
        if attempts >= self.max_attempts:
            await self._settle(row, State.FAILED, f"{error} (after {attempts} attempts)")
            return False
        await self._back_to_claimed(row, token, error)
        await asyncio.sleep(self.backoff * 2 ** (attempts - 1))
        return True

    async def _send(self, chat_id: int, payload: dict[str, Any]) -> Message:
        markup = _markup(payload.get("buttons"))
        timeouts = {"read_timeout": self.timeout, "write_timeout": self.timeout,
                    "connect_timeout": self.timeout, "pool_timeout": self.timeout}
        attachment_id = payload.get("attachment_id")
        if attachment_id is None:
            return await self.bot.send_message(chat_id, payload["text"], reply_markup=markup,
                                               rate_limit_args=LEDGER, **timeouts)
        async with self.services.readers() as session:
            attachment = await session.get_one(m.Attachment, attachment_id)
        kind = payload.get("attachment_kind", "document")
        caption = payload.get("text") or None
        sent_file: Any = attachment.telegram_file_id or _input_file(attachment)
        if kind == "photo":
            message = await self.bot.send_photo(chat_id, sent_file, caption=caption,
                                                reply_markup=markup, rate_limit_args=LEDGER,
                                                **timeouts)
            file_id = message.photo[-1].file_id if message.photo else None
        else:
            message = await self.bot.send_document(chat_id, sent_file, caption=caption,
                                                   reply_markup=markup, rate_limit_args=LEDGER,
                                                   **timeouts)
            file_id = message.document.file_id if message.document else None
        if file_id and not attachment.telegram_file_id:
            async with self.services.transaction() as session:
                await session.execute(update(m.Attachment).where(
                    m.Attachment.id == attachment_id).values(telegram_file_id=file_id))
        return message

    # -- outcomes ------------------------------------------------------------------------

    async def _settle(self, row: m.Delivery, state: State, error: str | None = None,
                      message_id: int | None = None) -> None:
        async with self.services.transaction() as session:
            await ledger.settle(session, row.id, state, self.services.clock.now(), error,
                                message_id)
        if state is not State.SENT:
            log.warning("delivery %s to chat %s: %s (%s)", row.key, row.chat_id, state, error)

    async def _settle_blocked(self, row: m.Delivery, error: str) -> None:
        async with self.services.transaction() as session:
            await ledger.settle(session, row.id, State.BLOCKED, self.services.clock.now(),
                                error)
            if row.contact_id is not None:
                await session.execute(update(m.Contact).where(
                    m.Contact.id == row.contact_id).values(reachable=False))
        log.warning("contact %s blocked the bot or is gone: %s", row.contact_id, error)

    async def _back_to_claimed(self, row: m.Delivery, token: str, error: str) -> None:
        """Telegram said it was not delivered: pending again, still ours to retry."""
        async with self.services.transaction() as session:
            await ledger.unsend(session, row.id, token, self.services.clock.now(), error)


def _markup(buttons: Any) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(**b) for b in row] for row in buttons])


def _input_file(attachment: m.Attachment) -> Any:
    from telegram import InputFile

    return InputFile(attachment.content, filename=attachment.file_name)


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
