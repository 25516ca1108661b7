"""The context each handler gets: the shared services, and who sent this update."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from flows.services import Services
from storage.records import PersonRecord
from texts.buttons import Pressed
from texts.catalog import DEFAULT_LANGUAGE, language_of


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB makes one context per update; the identity guard fills in `contact`."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any],
                 chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.contact: PersonRecord | None = None
        self.telegram_language: str | None = None
        self.pressed: Pressed | None = None  # a button's tap, decoded by the guard

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]

    @property
    def lang(self) -> str:
        if self.contact is not None:
            return self.contact.language
        return language_of(self.telegram_language) if self.telegram_language else DEFAULT_LANGUAGE
