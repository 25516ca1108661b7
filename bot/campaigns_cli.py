"""`python -m bot campaigns [archive CODE]`: every campaign the database holds, with where
it stands, and archiving one that has finished."""

from __future__ import annotations

import argparse
import datetime as dt
from zoneinfo import ZoneInfo

from bot.cli_support import CliError, open_services
from storage.campaigns import Stage, archive, campaign_states
from texts.catalog import t
from texts.dates import moment


async def campaigns(args: argparse.Namespace) -> int:
    services = await open_services()
    try:
        now = services.clock.now()
        async with services.transaction() as session:
            states = await campaign_states(session, now)
            if args.action == "list":
                for s in states:
                    print(t("campaigns.line", code=s.code, name=s.name,
                            stage=t(f"campaigns.stage.{s.stage}"), rounds=s.rounds,
                            first=_when(s.first_opens, s.zone), last=_when(s.last_due, s.zone),
                            submissions=s.submissions))
                if not states:
                    print(t("campaigns.none"))
                return 0
            if not args.code:
                raise CliError(t("campaigns.need_code"))
            found = next((s for s in states if s.code == args.code), None)
            if found is None:
                raise CliError(t("campaigns.unknown", code=args.code,
                                 codes="、".join(s.code for s in states) or "—"))
            if found.stage is Stage.ARCHIVED:
                print(t("campaigns.already", name=found.name,
                        when=_when(found.archived_at, found.zone)))
                return 0
            if found.stage is not Stage.FINISHED:
                raise CliError(t("campaigns.not_finished", name=found.name,
                                 stage=t(f"campaigns.stage.{found.stage}"),
                                 last=_when(found.last_due, found.zone)))
            dropped = await archive(session, found.code, now)
        print(t("campaigns.archived", name=found.name, dropped=dropped))
        return 0
    finally:
        await services.close()


def _when(value: dt.datetime | None, zone: str) -> str:
    return moment(value, ZoneInfo(zone)) if value is not None else "—"
