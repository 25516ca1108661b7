"""The database going away in the middle of a broadcast: PostgreSQL cut off for a while by a
proxy between the bot and the server. The bot waits, then goes on; nothing is lost and
nothing is sent twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import pytest

from flows.services import Services
from standin.limits import Limits
from standin.server import StandinServer
from tests.ledger import add_people, delivered, queue_broadcast, settled
from tests.processes import BotProcess

OUTAGE = float(os.environ.get("OUTAGE_SECONDS", "10"))


@pytest.fixture
def limits() -> Limits:
    return Limits(per_second=None)


class Proxy:
    """A TCP proxy that can cut every connection and refuse new ones for a while."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.open = True
        self.pipes: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.open:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(src, dst))
            self.pipes.add(task)
            task.add_done_callback(self.pipes.discard)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        dst.close()

    def cut(self) -> None:
        self.open = False
        for task in list(self.pipes):
            task.cancel()

    def restore(self) -> None:
        self.open = True

    async def stop(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()


async def test_postgresql_away_mid_broadcast_loses_nothing_and_sends_nothing_twice(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is a file: it does not go away")
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    port = await proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    people = await add_people(services, 80)
    standin.faults.delay_all(0.02)
    row = await queue_broadcast(services)
    bot = BotProcess(standin, through_proxy, tmp_path, SEND_RATE="100", SEND_LEASE="20",
                     SEND_TIMEOUT="5", LOG_LEVEL="WARNING")
    await bot.start()
    await standin.wait_until(lambda: sum(len(c.from_bot) for cid, c in standin.chats.items()
                                         if cid >= 900_000) >= 20, timeout=60)
    proxy.cut()
    await asyncio.sleep(OUTAGE)
    proxy.restore()
    result = await settled(services, row, timeout=120)
    await bot.stop()
    await proxy.stop()
    got = delivered(standin)
    print(f"\noutage {OUTAGE:g} s mid-broadcast: {result.counts}, messages per recipient "
          f"max {max(got.values())}, recipients reached {len(got)}/80")
    assert max(got.values()) == 1  # never twice
    assert result.counts.get("sent", 0) + result.counts.get("uncertain", 0) == 80
    assert result.counts.get("uncertain", 0) <= 8  # only what was in flight at the cut
    assert sum(got.values()) >= result.counts.get("sent", 0)
    assert "database unavailable" in bot.log.read_text()
    del people
