"""What the use cases need at hand: the settings they read, the campaigns, the database and
the clock. Built once at start-up and shared by the handlers, the command line and the
scheduler. Nothing here knows about Telegram, or about where settings come from.

A `Services` is the services of one campaign. The bot serves several at once (every file
in CAMPAIGNS_DIR): each has its own `Services`, sharing the database, the clock, the
outbox and the people, and every one of them knows them all (`each`, `of`). The one built
at start-up stands for the first campaign served."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from reporting.campaign import Campaign, Unit
from reporting.campaign_file import CampaignFileError, campaign_fingerprint
from reporting.campaign_folder import CampaignSource, load_campaigns
from reporting.clock import Clock, ScaledClock, SystemClock
from reporting.reminder_plan import plan
from reporting.roster_file import read_roster
from storage import schema
from storage.campaign_sync import sync_campaign
from storage.campaigns import archive_gone
from storage.contacts import KnownPeople, roster_codes
from storage.database import Database
from storage.outbox import Outbox
from storage.plan import sync_plan
from storage.progress import active_rounds, campaign_row
from storage.records import RoundRecord
from storage.roster import RosterError, RosterRow, import_roster
from texts.catalog import t, use_names


class Config(Protocol):
    """The settings read below the entry floor (`bot.settings.Settings` has them all)."""

    database_url: str
    campaign_file: Path | None
    clock_start: dt.datetime | None
    clock_speed: float
    bot_username: str
    invite_days: int
    unit_storage_mb: int
    admin_ids: frozenset[int]
    wake_interval: float
    send_lease: float
    send_retries: int
    send_backoff: float
    send_timeout: float
    wecom_public_url: str  # where WeCom members upload documents ("": they cannot)

    def campaign_paths(self) -> list[Path]: ...


class NotInitialised(Exception):
    """The schema is missing or older than the code, or the campaign is not loaded."""


@dataclass
class Services:
    settings: Config
    campaign: Campaign
    db: Database
    clock: Clock
    campaign_id: int = 0
    rounds: list[RoundRecord] = field(default_factory=list)
    known_people: KnownPeople = field(default_factory=KnownPeople)
    outbox: Outbox = field(default_factory=Outbox)  # wakes the sender once it runs
    # The campaign files loaded, and the campaigns served (not archived) by database id:
    # one of each for the whole bot, shared by every campaign's services.
    sources: list[CampaignSource] = field(default_factory=list)
    served: dict[int, Services] = field(default_factory=dict)
    # And those archived too, whose files are still there: their digests on request.
    readable: dict[int, Services] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Config, clock: Clock | None = None) -> Services:
        """Load the campaign files and make the engines; touches no database yet."""
        paths = settings.campaign_paths()
        sources = load_campaigns(paths, where=paths[0].parent)
        first = sources[0].campaign
        use_names(province=first.province.short_name, office=first.province.name)  # one province
        return cls(settings=settings, campaign=first, db=Database.open(settings.database_url),
                   clock=clock or _clock(settings), sources=sources)

    def each(self) -> list[Services]:
        """Every campaign served, in the order of their files."""
        return list(self.served.values())

    def of(self, campaign_id: int | None) -> Services:
        """The services of a campaign served, by its database id (a round's
        `campaign_id`); this one's for None or a campaign no longer served."""
        return self.served.get(campaign_id or 0, self)

    def round_title(self, code: str, lang: str) -> str:
        """The round's title in `lang`, after its campaign's name when several are served
        (`2021 辽宁网上年货节 第一次阶段性活动情况`); the stored one for a round gone from
        the file."""
        try:
            title = self.campaign.round(code).title.get(lang)
        except KeyError:
            title = next((r.title for r in self.rounds if r.code == code), code)
        return f"{self.campaign.name.get(lang)} {title}" if self.several else title

    def roster(self) -> dict[str, Unit]:
        """The units of every campaign served, by code, in the files' order; the province
        last (one roster: a code is the same unit in every file)."""
        units: dict[str, Unit] = {}
        for served in self.each() or [self]:
            units.update((u.code, u) for u in served.campaign.units if u.code not in units)
        province = self.campaign.province
        return {**units, province.code: province}

    @property
    def campaign_ids(self) -> list[int]:
        """Every campaign served (this one's alone before they are found)."""
        return list(self.served) or [self.campaign_id]

    @property
    def several(self) -> bool:
        """More than one campaign is served: messages name theirs."""
        return len(self.served) > 1

    # The database, as most callers use it.
    @property
    def transaction(self) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
        return self.db.transaction

    @property
    def reading(self) -> Callable[[], AbstractAsyncContextManager[AsyncConnection]]:
        return self.db.reading

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.db.sessions

    @property
    def readers(self) -> async_sessionmaker[AsyncSession]:
        return self.db.readers

    @property
    def engine(self) -> AsyncEngine:
        return self.db.engine

    async def initialise(self, lang: str = "zh") -> list[str]:
        """`init`: create or upgrade the schema and load the campaigns; a campaign whose
        file is gone is archived. Returns the changes, said in `lang`."""
        await schema.check_not_newer(self.engine)
        await schema.upgrade(self.engine)
        changes: list[str] = []
        async with self.transaction() as session:
            for source in self.sources:
                row, said = await sync_campaign(session, source.campaign,
                                                campaign_fingerprint(source.path),
                                                self.clock.now(), lang)
                changes += said
                if row.archived_at is None:
                    changes += await sync_plan(session, row.id, plan(source.campaign), lang)
                else:  # archived: nothing more is planned; its data stays readable
                    changes.append(t("sync.archived", lang, campaign=source.campaign.code))
            changes += await self._add_reporters(session, lang)
            if self.settings.campaign_file is None:  # the folder: a file removed is archived
                codes = [source.campaign.code for source in self.sources]
                for code in await archive_gone(session, codes, self.clock.now()):
                    changes.append(t("sync.file_gone", lang, campaign=code))
        await self._serve()
        return changes

    async def _add_reporters(self, session: AsyncSession, lang: str) -> list[str]:
        """The reporters a roster file names, added to the people who may join by phone."""
        changes = []
        for name in dict.fromkeys(s.campaign.roster_file for s in self.sources
                                  if s.campaign.roster_file):
            roster = read_roster(Path(name))
            rows = [RosterRow(line=0, name=r.name, phone=r.phone, unit=unit.code,
                              role="coordinator" if unit is roster.province else "contact")
                    for unit in [*roster.units, roster.province] for r in unit.reporters]
            known = set(await roster_codes(session))
            rows = [row for row in rows if row.unit in known]  # units some campaign lists
            try:
                added, _ = await import_roster(session, rows, self.clock.now(), keep_known=True)
            except RosterError as exc:
                raise CampaignFileError(Path(name), exc.problems) from None
            if added:
                changes.append(t("sync.reporters_added", lang, n=added, file=Path(name).name))
        return changes

    async def attach(self) -> None:
        """For `run` and `status`: check the database is ready and find the campaigns."""
        if await schema.check_not_newer(self.engine) != schema.head_revision():
            raise NotInitialised
        await self._serve()

    async def _serve(self) -> None:
        """Find each campaign's row and rounds (which change only at `init`); the archived
        ones are not served, but stay readable. This services becomes the first campaign
        served's."""
        views: list[Services] = []
        archived: list[Services] = []
        async with self.sessions() as session:
            for source in self.sources:
                row = await campaign_row(session, source.campaign.code)
                if row is None:
                    raise NotInitialised
                is_archived = row.archived_at is not None
                view = self if not views and not is_archived else replace(self)
                view.campaign, view.campaign_id = source.campaign, row.id
                view.rounds = await active_rounds(session, row.id)
                (archived if is_archived else views).append(view)
        self.served.clear()
        self.served.update((view.campaign_id, view) for view in views)
        self.readable.clear()
        self.readable.update((view.campaign_id, view) for view in [*views, *archived])

    async def close(self) -> None:
        await self.db.close()


def _clock(settings: Any) -> Clock:
    """The wall clock, or campaign time from CLOCK_START at CLOCK_SPEED (demo and tests)."""
    if settings.clock_start is None:
        return SystemClock()
    return ScaledClock(settings.clock_start, settings.clock_speed)
