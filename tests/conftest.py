"""Shared fixtures: a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is
set), the stand-in Bot API server, and the real bot running against it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.runner import serve
from bot.settings import Settings
from flows.services import Services
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE
from reporting.clock import FakeClock
from standin.limits import Limits
from standin.server import StandinServer
from standin.wecom import WeComStandin
from tests.processes import kill_leftovers
from wecom_io.pacer import MemberLimits

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
CAMPAIGN_START = dt.datetime(2021, 1, 20, 9, 0, tzinfo=SHANGHAI)
PG_URL = os.environ.get("TEST_DATABASE_URL", "")

DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


async def worker_database(url: str) -> str:
    """The PostgreSQL database of this pytest-xdist worker (`test_gw0`, ...), made if it is
    missing: workers must not drop each other's schema."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": name})
        if not exists:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


async def reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL to an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    else:
        url = await worker_database(Settings(_env_file=None, database_url=PG_URL).database_url)
        await reset_postgres(url)
        yield url


@pytest.fixture(autouse=True)
def no_leftover_bots() -> Iterator[None]:
    """A bot process a failing test started does not outlive it."""
    yield
    kill_leftovers()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(CAMPAIGN_START)


@pytest.fixture
def limits() -> Limits:
    """Telegram's limits, with room for a person answering a form quickly."""
    return Limits(chat_burst=200)


@pytest.fixture
async def standin(limits: Limits) -> AsyncIterator[StandinServer]:
    server = StandinServer(limits=limits)
    await server.start()
    yield server
    await server.stop()


def make_settings(
    database_url: str, standin: StandinServer | None = None, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "campaign_file": DEFAULT_CAMPAIGN_FILE,
    }
    if standin is not None:
        values["telegram_bot_token"] = standin.token
        values["telegram_api_base_url"] = standin.root
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def overrides() -> dict[str, object]:
    """Settings for this test module's bot; a module may define its own."""
    return {}


@pytest.fixture
async def services(
    database_url: str, standin: StandinServer, clock: FakeClock, overrides: dict[str, object]
) -> AsyncIterator[Services]:
    """The bot's services on an initialised database with the default campaign."""
    svc = Services.create(make_settings(database_url, standin, **overrides), clock=clock)
    await svc.initialise()
    yield svc
    await svc.close()


@pytest.fixture
async def running_app(services: Services, standin: StandinServer) -> AsyncIterator[Any]:
    """The real PTB application, polling the stand-in over HTTP, with its sender and
    wake-up (in `bot_data`)."""
    stop = asyncio.Event()
    started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(services, stop, poll_timeout=1, started=started))
    application = await asyncio.wait_for(started, 10)
    await standin.wait_until(lambda: bool(standin.sent("getUpdates")), timeout=10)
    # The wake-up at start fires what is due (round 1's opening notice, to nobody yet)
    # in chunks with turns of the loop between: a test begins once it has finished, so a
    # person who joins is not told of it.
    wakeup = application.bot_data["wakeup"]
    for _ in range(200):
        if wakeup.finished:
            break
        await asyncio.sleep(0.05)
    yield application
    stop.set()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def running_bot(running_app: Any) -> Services:
    """The bot's services, with the bot running."""
    return running_app.bot_data["services"]


@pytest.fixture
def wecom_limits() -> MemberLimits:
    """WeCom's limits on messages to one member; a module may shorten them."""
    return MemberLimits()


@pytest.fixture
async def wecom(wecom_limits: MemberLimits) -> AsyncIterator[WeComStandin]:
    """The stand-in WeCom server, with two members of the corp."""
    server = WeComStandin(corp_id="ww-liaoning", secret="s3cret", agent_id=1000002,
                          limits=wecom_limits)
    server.member("li-na", "李娜", "13800000001")
    server.member("wang-lei", "王磊", "13800000002")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def wecom_overrides(wecom: WeComStandin) -> dict[str, object]:
    """Settings that put the bot on the stand-in WeCom too (its HTTP server on any port)."""
    return {"wecom_corp_id": wecom.corp_id, "wecom_agent_id": wecom.agent_id,
            "wecom_secret": wecom.secret, "wecom_token": wecom.callback_token,
            "wecom_aes_key": wecom.aes_key, "wecom_api_base_url": wecom.root,
            "webhook_listen": "127.0.0.1", "webhook_port": 0}


@pytest.fixture
def campaign_text() -> Iterator[str]:
    yield DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8")
