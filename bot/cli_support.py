"""What every command of the command line shares: the one-line error, opening the
services, and chat text made plain for a terminal."""

from __future__ import annotations

import html
import re

from bot.settings import Settings
from flows.services import Services


class CliError(Exception):
    """A problem to tell the operator in one line."""


async def open_services(attach: bool = True) -> Services:
    """The services for a command; `attach` checks the database is initialised."""
    services = Services.create(Settings())
    if attach:
        try:
            await services.attach()
        except BaseException:
            await services.close()
            raise
    return services


def plain(text: str) -> str:
    """Chat HTML as terminal text: tags away, entities back to characters."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
