"""What every command of the command line shares: the one-line error, opening the
services, and which campaign a round code means."""

from __future__ import annotations

from bot.settings import Settings
from flows.services import Services
from texts.catalog import t


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


def round_campaign(services: Services, code: str, campaign: str | None = None) -> Services:
    """The campaign whose round `code` is meant (an archived one too, to read): the only
    one with that code, or the one `--campaign` names; a `CliError` listing the choices
    otherwise."""
    known = list(services.readable.values())
    served = [s for s in known if campaign in (None, s.campaign.code)]
    if campaign is not None and not served:
        raise CliError(t("cli.unknown_campaign", code=campaign, codes=", ".join(
            s.campaign.code for s in known)))
    having = [s for s in served if any(r.code == code for r in s.campaign.rounds)]
    if len(having) == 1:
        return having[0]
    if having:
        raise CliError(t("cli.round_in_several", code=code, codes=", ".join(
            s.campaign.code for s in having)))
    codes = [f"{s.campaign.code}:{r.code}" if len(known) > 1 else r.code
             for s in served for r in s.campaign.rounds]
    raise CliError(t("cli.unknown_round", code=code, codes=", ".join(codes)))
