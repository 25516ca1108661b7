"""Where a person who joined on both Telegram and WeCom gets what the bot sends on its own
(reminders, notices, digests, broadcasts): the channel they choose. Their replies in the
form go back wherever they wrote from."""

from __future__ import annotations

from flows.services import Services
from storage import contacts
from storage.records import PersonRecord
from texts.catalog import t

CHANNELS = ("telegram", "wecom")


async def where(services: Services, person: PersonRecord) -> tuple[bool, str]:
    """Whether they may choose (joined on both), and the channel that reaches them now."""
    async with services.readers() as session:
        telegram, wecom, reached = await contacts.channels_of(session, person.id)
    return telegram and wecom, reached


async def offer(services: Services, person: PersonRecord, lang: str) -> tuple[str, bool]:
    """What to say, and whether to offer the two channels to choose from."""
    both, reached = await where(services, person)
    name = t(f"channel.{reached}", lang)
    if not both:
        return t("channel.only", lang, channel=name), False
    return t("channel.choose", lang, channel=name), True


async def choose(services: Services, person: PersonRecord, channel: str, lang: str) -> str:
    """Keep the choice (of a person on both channels); what to say."""
    if channel not in CHANNELS:
        return t("form.stale_button", lang)
    async with services.transaction() as session:
        telegram, wecom, _ = await contacts.channels_of(session, person.id)
        if not (telegram and wecom):
            return t("channel.only", lang, channel=t(
                "channel.wecom" if wecom else "channel.telegram", lang))
        await contacts.set_channel(session, person.id, channel)
    return t("channel.set", lang, channel=t(f"channel.{channel}", lang))
