"""The token never appears in a log line, an error or a repr."""

from __future__ import annotations

import logging

import pytest
from telegram.error import InvalidToken

from bot import logs
from bot.app import build_application
from flows.services import Services
from standin.server import StandinServer
from tests.conftest import make_settings


def test_settings_never_show_the_token(database_url: str, standin: StandinServer) -> None:
    settings = make_settings(database_url, standin)
    assert standin.token not in repr(settings)
    assert standin.token not in str(settings.model_dump())
    assert settings.token == standin.token


async def test_no_log_line_carries_the_token(
    running_bot: Services, standin: StandinServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logs.protect(running_bot.settings.secrets())
    user = standin.user("Alice")
    await user.command("help")
    await user.next_message()
    # PTB logs the API URL (which carries the token) at DEBUG when a bot is built.
    build_application(running_bot)
    assert any(logs.REDACTED in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert standin.token not in record.getMessage()
        assert standin.token not in (record.exc_text or "")


async def test_a_refused_token_says_so_without_showing_it(
    services: Services, standin: StandinServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "999999:WRONG-TOKEN-THAT-MUST-NOT-LEAK"
    logs.protect([wrong])
    services.settings = make_settings(
        services.settings.database_url, standin, telegram_bot_token=wrong
    )
    application = build_application(services)
    with pytest.raises(InvalidToken) as caught:
        await application.initialize()
    # PTB's own message carries the token; the log must not.
    logging.getLogger("test").error("start-up failed: %s", caught.value, exc_info=caught.value)
    for record in caplog.records:
        assert wrong not in record.getMessage()
        assert wrong not in (record.exc_text or "")
