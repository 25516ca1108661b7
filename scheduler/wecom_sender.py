"""The way out on WeCom: the ledger's rows for WeCom members, sent through its API.

The same ledger and the same rules as the Telegram sender (scheduler/sender.py): rows are
claimed with a lease, become `sending` in one statement just before the requests leave
(a reminder to a unit that has submitted since is `cancelled` instead), and the outcomes
are recorded together: `sent`; `failed` with WeCom's error code when it refuses (a member
outside the app, a wrong secret); `uncertain` when a request may have arrived but no
answer came, never resent. Each member's messages are paced under WeCom's limit by the
API's pacer. A file (a digest's Word and Excel) goes as its caption, then the file,
uploaded as WeCom's temporary media."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket

import aiohttp

from flows.services import Services
from storage import attachments, deliveries
from storage.deliveries import ClaimedDelivery, Outcome
from storage.models import DeliveryState as State
from texts.text import plain
from wecom_io.api import WeComApi, WeComError

log = logging.getLogger(__name__)
BATCH, CONCURRENCY = 64, 8


class WeComSender:
    def __init__(self, services: Services, api: WeComApi, poll_interval: float = 0.5):
        self.services = services
        self.api = api
        self.poll_interval = poll_interval
        self.worker = f"{socket.gethostname()}-{os.getpid()}-wecom-{secrets.token_hex(3)}"
        self._wake = asyncio.Event()
        self.sent = 0

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.services.settings.send_lease)

    def nudge(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop`."""
        self.services.outbox.also_wake(self.nudge)
        try:
            while not stop.is_set():
                try:
                    busy = await self.send_due()
                except (OSError, ConnectionError) as exc:
                    log.warning("the WeCom sender waits: %s", type(exc).__name__)
                    busy = 0
                if not busy:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.poll_interval)
        finally:
            self.services.outbox.stop_waking(self.nudge)

    async def send_due(self) -> int:
        """One round: claim, start, send (members at once, each member's rows in order),
        record. Returns how many rows it handled."""
        now = self.services.clock.now()
        async with self.services.transaction() as session:
            claimed = await deliveries.claim(session, self.worker, now, self.lease, BATCH,
                                             wecom=True)
            rows = await deliveries.start_sending(session, claimed, now, self.lease)
        if not claimed:
            return 0
        slots = asyncio.Semaphore(CONCURRENCY)
        by_member: dict[str, list[ClaimedDelivery]] = {}
        for row in rows:  # one member's messages in the order they were queued
            by_member.setdefault(row.wecom_user or "", []).append(row)

        async def one_member(own: list[ClaimedDelivery]) -> list[Outcome | str]:
            async with slots:
                return [await self._send(row) for row in own]

        sent = await asyncio.gather(*(one_member(own) for own in by_member.values()))
        results = [(row, result) for own, outcome in zip(by_member.values(), sent, strict=True)
                   for row, result in zip(own, outcome, strict=True)]
        outcomes = [o for _, o in results if isinstance(o, Outcome)]
        now = self.services.clock.now()
        async with self.services.transaction() as session:
            await deliveries.settle_all(session, outcomes, now)
            for row, result in results:
                if isinstance(result, str):  # never left: tried again when its lease ends
                    await deliveries.unsend(session, row.id, row.token, now, result)
        self.sent += sum(1 for o in outcomes if o.state is State.SENT)
        return len(claimed)

    async def _send(self, row: ClaimedDelivery) -> Outcome | str:
        """The outcome, or why the request never left (then it is tried again)."""
        assert row.wecom_user is not None
        try:
            if row.notice.text:
                await self.api.send_text(row.wecom_user, plain(row.notice.text))
            if row.notice.attachment_id is not None:  # the caption above, then the file
                async with self.services.readers() as session:
                    file = await attachments.stored_file(session, row.notice.attachment_id)
                await self.api.send_file(row.wecom_user, file.name, file.content)
        except WeComError as error:
            return Outcome(row.id, State.FAILED, f"WeCom {error.errcode}: {error.errmsg}")
        except aiohttp.ClientConnectorError as error:  # no connection: nothing left
            return f"WeCom unreachable: {type(error).__name__}"
        except (aiohttp.ClientError, TimeoutError) as error:  # it may have arrived
            return Outcome(row.id, State.UNCERTAIN, type(error).__name__)
        return Outcome(row.id, State.SENT)
