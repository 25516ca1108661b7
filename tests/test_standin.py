"""The stand-in answers as Telegram does, limits included."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from standin.limits import Limits
from standin.server import StandinServer


@pytest.fixture
def limits() -> Limits:
    return Limits()  # Telegram's own: 30 a second, bursts to one chat, 4096 characters


async def call(server: StandinServer, method: str, **params: object) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{server.root}/bot{server.token}/{method}", json=params)


async def test_text_over_4096_characters_is_a_400(standin: StandinServer) -> None:
    ok = await call(standin, "sendMessage", chat_id=1, text="长" * 4096)
    too_long = await call(standin, "sendMessage", chat_id=2, text="长" * 4097)
    assert ok.status_code == 200
    assert too_long.status_code == 400
    assert too_long.json()["description"] == "Bad Request: message is too long"


async def test_html_that_telegram_cannot_parse_is_a_400(standin: StandinServer) -> None:
    bad = await call(standin, "sendMessage", chat_id=1, text="<b>x & y</b>", parse_mode="HTML")
    good = await call(standin, "sendMessage", chat_id=1, text="<b>x &amp; y</b>", parse_mode="HTML")
    assert bad.status_code == 400 and "can't parse entities" in bad.json()["description"]
    assert good.status_code == 200 and good.json()["result"]["text"] == "x & y"


async def test_callback_data_over_64_bytes_is_a_400(standin: StandinServer) -> None:
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "好" * 22}]]}
    response = await call(standin, "sendMessage", chat_id=1, text="x", reply_markup=markup)
    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_past_30_messages_a_second_comes_a_429_with_retry_after(
    standin: StandinServer,
) -> None:
    responses = await asyncio.gather(
        *(call(standin, "sendMessage", chat_id=1000 + i, text="通知") for i in range(40))
    )
    codes = [r.status_code for r in responses]
    assert codes.count(200) == 30
    assert codes.count(429) == 10
    throttled = next(r for r in responses if r.status_code == 429).json()
    assert throttled["parameters"]["retry_after"] >= 1


async def test_a_burst_to_one_chat_comes_a_429(standin: StandinServer) -> None:
    codes = [
        (await call(standin, "sendMessage", chat_id=7, text=f"{i}")).status_code for i in range(25)
    ]
    assert codes[:20] == [200] * 20
    assert 429 in codes[20:]


async def test_a_blocked_user_is_a_403_and_a_failing_chat_a_502(standin: StandinServer) -> None:
    standin.faults.block(5)
    standin.faults.fail(6, status=502, times=1)
    blocked = await call(standin, "sendMessage", chat_id=5, text="x")
    failed = await call(standin, "sendMessage", chat_id=6, text="x")
    recovered = await call(standin, "sendMessage", chat_id=6, text="x")
    assert blocked.status_code == 403
    assert blocked.json()["description"] == "Forbidden: bot was blocked by the user"
    assert failed.status_code == 502
    assert recovered.status_code == 200


async def test_a_wrong_token_is_refused(standin: StandinServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{standin.root}/bot999:nope/getMe")
    assert response.status_code == 401


async def test_a_long_poll_waits_for_an_update(standin: StandinServer) -> None:
    poll = asyncio.create_task(call(standin, "getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await standin.user("Alice").send("你好")
    updates = (await asyncio.wait_for(poll, 2)).json()["result"]
    assert updates[0]["message"]["text"] == "你好"
