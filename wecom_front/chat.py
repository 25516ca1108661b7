"""One member's conversation with the app, as the bot speaks in it: chat HTML said as
plain text, cards, files, and a clicked card closed with the answer given."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from texts.text import plain
from wecom_io.api import WeComApi, WeComError

log = logging.getLogger(__name__)
CLOSED_LABEL = 20  # characters of the answer shown on a closed card's button


@dataclass(frozen=True)
class Chat:
    api: WeComApi
    user: str  # the member's WeCom UserID

    async def say(self, text: str) -> None:
        """Chat HTML (the catalog's, with what people typed escaped), as plain text."""
        await self.write(plain(text))

    async def write(self, text: str) -> None:
        """Text that is plain already (a rendered screen): sent as it is."""
        await self.api.send_text(self.user, text)

    async def card(self, card: dict[str, Any]) -> None:
        await self.api.send_card(self.user, card)

    async def file(self, name: str, content: bytes) -> None:
        await self.api.send_file(self.user, name, content)

    async def close(self, response_code: str, label: str) -> None:
        """The clicked card's buttons become one saying what was answered; a card WeCom no
        longer lets us update (its code spent, or 72 hours old) stays as it is."""
        if not response_code:
            return
        try:
            await self.api.close_card(self.user, response_code, label[:CLOSED_LABEL])
        except WeComError as error:
            log.info("WeCom card not updated: %s", error)
