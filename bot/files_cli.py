"""`python -m bot files ROUND --out DIR`: every file units sent for a round, zipped by unit
(several zips when one would pass 45 MB), as `/files` gives them in chat."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli_support import CliError, open_services, round_campaign
from flows.files import round_bundle
from texts.catalog import t


async def files(args: argparse.Namespace) -> int:
    services = await open_services()
    try:
        served = round_campaign(services, args.round, args.campaign)
        bundles = await round_bundle(served, args.round)
    finally:
        await services.close()
    if not bundles:
        print(t("files.none", round=served.round_title(args.round, "zh")))
        return 0
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(t("cli.out_not_directory", path=out))
    try:
        out.mkdir(parents=True, exist_ok=True)
        for bundle in bundles:
            (out / bundle.name).write_bytes(bundle.content)
            print(t("cli.files_written", path=out / bundle.name, n=bundle.files))
    except OSError as exc:
        raise CliError(t("cli.cannot_write", path=out, reason=exc.strerror or exc)) from None
    return 0
