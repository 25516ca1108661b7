"""How long a wake-up takes with 10,000 contacts in 2,000 units and 3 rounds, on SQLite
and on PostgreSQL (target: under 200 ms a wake-up on both).

Three figures per database:
- an idle wake-up: find that nothing is due (the common case, every WAKE_INTERVAL);
- a wake-up at a reminder's time: claim the plan item, find the units that have not
  submitted (half of them), compose one message per contact and queue them (5,000 rows);
- the sender's claim of one batch (64 rows) from that ledger.

And a bot serving 20 campaigns (monthly reports of as many years, 5 of them open now): the
idle wake-up across all of them (target: a few milliseconds).

Run:  .venv/bin/python bench/due_scan.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
(the PostgreSQL figures use a database `reporting_bench`, made and dropped here)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, update

from bench.pg_database import DEFAULT_ADMIN_URL, fresh_pg_database
from bot.settings import Settings
from flows.reminders import fire_due
from flows.services import Services
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE
from reporting.campaign_folder import DEFAULT_CAMPAIGNS_DIR
from reporting.clock import FakeClock
from scheduler.wakeup import Wakeup
from storage import deliveries
from storage import models as m

UNITS, PER_UNIT = 2000, 5
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def big_campaign(path: Path) -> Path:
    data = yaml.safe_load(DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8"))
    data["units"] = [{"code": f"u{i}", "name": f"第{i}单位"} for i in range(UNITS)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def populate(services: Services) -> None:
    now = services.clock.now()
    async with services.transaction() as session:
        units = list(await session.scalars(select(m.Unit.id).where(
            m.Unit.is_province.is_(False)).order_by(m.Unit.position)))
        rows = [{"telegram_user_id": 10_000_000 + n, "chat_id": 10_000_000 + n,
                 "name": f"联系人{n}", "unit_id": unit_id, "role": "contact",
                 "language": "zh", "reachable": True, "active": True, "created_at": now}
                for n, unit_id in enumerate(u for u in units for _ in range(PER_UNIT))]
        for start in range(0, len(rows), 1000):
            await session.execute(insert(m.Person.__table__), rows[start:start + 1000])
        r1 = next(r for r in services.rounds if r.code == "r1")
        await session.execute(insert(m.Submission.__table__), [
            {"unit_id": u, "round_id": r1.id, "version": 1, "submitted_at": now, "late": False,
             "review_state": "pending"} for u in units[::2]])


class LoopTicker:
    """A task that wakes every millisecond while the block runs; `longest` is the longest
    gap between its turns: how long the event loop was held, when no contact could have
    had an answer."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - 0.001)
            last = now

    async def __aenter__(self) -> LoopTicker:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def initialised(url: str, clock: FakeClock, **settings: object) -> Services:
    services = Services.create(Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                                        **settings), clock=clock)
    await services.initialise()
    return services


async def measure(url: str, workdir: Path) -> dict[str, list[float]]:
    clock = FakeClock(dt.datetime(2021, 1, 25, 12, tzinfo=SHANGHAI))
    services = await initialised(url, clock, campaign_file=big_campaign(workdir / "big.yaml"))
    await populate(services)
    figures: dict[str, list[float]] = {"idle wake-up": [], "reminder wake-up": [],
                                       "longest loop stall": [], "claim a batch": []}
    for _ in range(20):
        began = time.perf_counter()
        await fire_due(services)
        figures["idle wake-up"].append(time.perf_counter() - began)
    for label in ("d3@0900", "d1@0900", "d0@0900"):
        async with services.transaction() as session:  # each reminder of round 1, at its time
            item = await session.scalar(select(m.PlanItem).where(
                m.PlanItem.label == label, m.PlanItem.ref == "r1"))
            assert item is not None
            item.state = "planned"
        clock.set(item.at)
        began = time.perf_counter()
        async with LoopTicker() as ticker:
            queued = await fire_due(services, ["reminder"])
        figures["reminder wake-up"].append(time.perf_counter() - began)
        figures["longest loop stall"].append(ticker.longest)
        assert queued == UNITS // 2 * PER_UNIT, queued
        async with services.transaction() as session:
            await session.execute(update(m.PlanItem).values(state="done"))
    for _ in range(20):
        began = time.perf_counter()
        async with services.transaction() as session:
            rows = await deliveries.claim(session, "bench", clock.now(), dt.timedelta(minutes=2),
                                      64)
        figures["claim a batch"].append(time.perf_counter() - began)
        assert len(rows) == 64
    await services.close()
    return figures


CAMPAIGNS, OPEN = 20, 5
CLOSED_YEARS = [*range(2010, 2020), *range(2022, 2027)]  # 15 years, none open in 2021


def campaign_folder(folder: Path) -> Path:
    """20 monthly campaigns: 5 for 2021 (open at the bench's time), 15 of other years."""
    folder.mkdir(exist_ok=True)
    monthly = (DEFAULT_CAMPAIGNS_DIR / "ec-monthly-2026.yaml").read_text(encoding="utf-8")
    years = [2021] * OPEN + CLOSED_YEARS[:CAMPAIGNS - OPEN]
    for i, year in enumerate(years):
        text = monthly.replace("code: ec-monthly-2026", f"code: bench-{i:02d}")
        (folder / f"bench-{i:02d}.yaml").write_text(text.replace("2026", str(year)),
                                                    encoding="utf-8")
    return folder


async def measure_campaigns(url: str, workdir: Path) -> dict[str, list[float]]:
    clock = FakeClock(dt.datetime(2021, 6, 3, 12, tzinfo=SHANGHAI))
    services = await initialised(url, clock, campaigns_dir=campaign_folder(workdir / "campaigns"))
    async with services.transaction() as session:  # what was due has been sent
        await session.execute(update(m.PlanItem).where(m.PlanItem.at <= clock.now())
                              .values(state="done"))
    opened = sum(1 for s in services.each() for r in s.rounds
                 if r.opens_at <= clock.now() <= r.due_at)
    assert len(services.each()) == CAMPAIGNS and opened == OPEN, opened
    wakeup = Wakeup(services)
    figures: dict[str, list[float]] = {"idle wake-up": []}
    for _ in range(50):
        began = time.perf_counter()
        assert await wakeup.tick() == 0
        figures["idle wake-up"].append(time.perf_counter() - began)
    await services.close()
    return figures


def show(db: str, figures: dict[str, list[float]]) -> None:
    for name, times in figures.items():
        ms = sorted(t * 1000 for t in times)
        print(f"{db:<11} {name:<17} median {statistics.median(ms):8.1f} ms   "
              f"max {ms[-1]:8.1f} ms   ({len(ms)} runs)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_ADMIN_URL)
    args = parser.parse_args()
    print(f"{UNITS * PER_UNIT} contacts in {UNITS} units, 3 rounds; half the units "
          f"have submitted round 1")
    with tempfile.TemporaryDirectory() as tmp:
        show("SQLite", await measure(f"sqlite+aiosqlite:///{tmp}/bench.db", Path(tmp)))
        try:
            url = await fresh_pg_database(args.pg)
        except Exception as exc:  # no server: say so, do not pretend
            print(f"PostgreSQL  not measured: {exc.__class__.__name__}: {exc}")
            url = ""
        if url:
            show("PostgreSQL", await measure(url, Path(tmp)))
        print(f"\n{CAMPAIGNS} campaigns served, {OPEN} of them open (target: a few ms)")
        show("SQLite", await measure_campaigns(f"sqlite+aiosqlite:///{tmp}/many.db",
                                               Path(tmp)))
        if url:
            show("PostgreSQL", await measure_campaigns(await fresh_pg_database(args.pg),
                                                       Path(tmp)))


if __name__ == "__main__":
    asyncio.run(main())
