"""Webhook mode over HTTP: the right secret gets the update handled; a wrong or missing
one gets 403; /healthz answers."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest

from bot.runner import serve
from flows.services import Services
from standin.server import StandinServer
from tests.conftest import make_settings

SECRET = "s3cret-webhook-token"


@pytest.fixture
async def webhook_bot(database_url: str, standin: StandinServer, clock) -> Any:
    settings = make_settings(database_url, standin, webhook_url="http://127.0.0.1/tg/hook",
                             webhook_secret=SECRET, webhook_listen="127.0.0.1",
                             webhook_port=0)
    services = Services.create(settings, clock=clock)
    await services.initialise()
    stop = asyncio.Event()
    started: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(services, stop, started=started))
    application = await asyncio.wait_for(started, 10)
    yield application
    stop.set()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    await services.close()


def update_from(user_id: int, text: str) -> dict[str, Any]:
    return {"update_id": 1, "message": {
        "message_id": 1, "date": 0, "text": text,
        "from": {"id": user_id, "is_bot": False, "first_name": "李娜", "language_code": "zh"},
        "chat": {"id": user_id, "type": "private", "first_name": "李娜"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}}


async def test_an_update_with_the_right_secret_is_handled(
    webhook_bot: Any, standin: StandinServer
) -> None:
    port = webhook_bot.bot_data["webhook"].port
    assert standin.webhook["url"] == "http://127.0.0.1/tg/hook"
    assert standin.webhook["secret_token"] == SECRET
    chat = standin.chat(777)
    async with httpx.AsyncClient() as client:
        ok = await client.post(f"http://127.0.0.1:{port}/tg/hook", json=update_from(777, "/help"),
                               headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        health = await client.get(f"http://127.0.0.1:{port}/healthz")
    assert ok.status_code == 200
    assert health.status_code == 200 and health.json() == {"ok": True}
    await standin.wait_until(lambda: bool(chat.from_bot))
    assert "加入方法" in chat.from_bot[0].text


async def test_a_wrong_or_missing_secret_gets_403(
    webhook_bot: Any, standin: StandinServer
) -> None:
    port = webhook_bot.bot_data["webhook"].port
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"http://127.0.0.1:{port}/tg/hook",
                                  json=update_from(778, "/help"),
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        missing = await client.post(f"http://127.0.0.1:{port}/tg/hook",
                                    json=update_from(778, "/help"))
    assert wrong.status_code == 403 and missing.status_code == 403
    await asyncio.sleep(0.3)
    assert not standin.chat(778).from_bot


async def test_the_stand_in_delivers_to_the_webhook(
    webhook_bot: Any, standin: StandinServer
) -> None:
    """End to end: Telegram (the stand-in) posts a user's message to our webhook."""
    webhook = webhook_bot.bot_data["webhook"]
    standin.webhook["url"] = f"http://127.0.0.1:{webhook.port}/tg/hook"
    user = standin.user("王芳")
    await user.command("help")
    assert "加入方法" in (await user.next_message()).text
    assert standin.webhook["statuses"] == [200]


@pytest.mark.parametrize("body", ["null", "[]", '"text"', "42", '{"update_id": "x"}',
                                  "[" * 100_000 + "]" * 100_000, '{"update_id": 1, "message": 5}',
                                  "{not json"])
async def test_a_body_that_is_not_an_update_gets_400(webhook_bot: Any, body: str) -> None:
    port = webhook_bot.bot_data["webhook"].port
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"http://127.0.0.1:{port}/tg/hook", content=body.encode(),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET,
                                            "Content-Type": "application/json"})
    assert answer.status_code == 400
