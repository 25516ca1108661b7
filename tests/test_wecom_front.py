"""The WeCom front door, end to end: the real bot (its HTTP server, polling Telegram's
stand-in beside) takes encrypted callbacks from the stand-in WeCom server and answers
through WeCom's API. A member joins with an invite code; a retried callback is handled
once; a forged, stale or malformed one is refused and changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from flows.services import Services
from standin.wecom import WeComStandin
from storage import models as m
from tests.people import add_to_roster, invite_code


@pytest.fixture
def overrides(wecom_overrides: dict[str, object]) -> dict[str, object]:
    return wecom_overrides


def callback_url(app: Any) -> str:
    return f"http://127.0.0.1:{app.bot_data['webhook'].port}/wecom/callback"


async def wecom_people(services: Services) -> list[tuple[str | None, str]]:
    async with services.readers() as session:
        rows = await session.execute(select(m.Person.wecom_user_id, m.Unit.code).join(
            m.Unit, m.Unit.id == m.Person.unit_id).where(m.Person.wecom_user_id.is_not(None)))
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_wecom_checks_the_url(running_app: Any, wecom: WeComStandin) -> None:
    import aiohttp

    crypto = wecom.crypto
    echostr = crypto.encrypt(b"1616140317555161061")
    stamp = str(int(__import__("time").time()))
    query = {"msg_signature": crypto.signature(stamp, "7", echostr), "timestamp": stamp,
             "nonce": "7", "echostr": echostr}
    async with aiohttp.ClientSession() as http, \
            http.get(callback_url(running_app), params=query) as response:
        assert response.status == 200 and await response.text() == "1616140317555161061"


async def test_a_member_joins_with_an_invite_code_once(running_app: Any,
                                                       wecom: WeComStandin) -> None:
    services: Services = running_app.bot_data["services"]
    code = await invite_code(services, "dalian")
    query, body = wecom.text_callback("li-na", code)
    assert await wecom.post(callback_url(running_app), query, body) == 200
    assert await wecom.post(callback_url(running_app), query, body) == 200  # WeCom's retry
    welcomes = [r.content for r in wecom.messages_to("li-na")]
    assert welcomes == ["李娜，欢迎！您已作为大连市商务局的联络员加入。"]  # the directory's name
    assert await wecom_people(services) == [("li-na", "dalian")]
    query, body = wecom.text_callback("li-na", "/whoami")
    assert await wecom.post(callback_url(running_app), query, body) == 200
    assert wecom.messages_to("li-na")[-1].content == "您是李娜，大连市商务局的联络员（企业微信）。"


async def test_a_stranger_is_told_how_to_join(running_app: Any, wecom: WeComStandin) -> None:
    query, body = wecom.text_callback("wang-lei", "请问怎么报送？")
    assert await wecom.post(callback_url(running_app), query, body) == 200
    assert "请发送" in wecom.messages_to("wang-lei")[0].content
    assert "邀请码" in wecom.messages_to("wang-lei")[0].content
    for sent in (wecom.image_callback("wang-lei", b"\xff\xd8 a photo"),
                 wecom.menu_click("wang-lei", "report")):  # not only a text gets an answer
        assert await wecom.post(callback_url(running_app), *sent) == 200
    assert ["邀请码" in r.content for r in wecom.messages_to("wang-lei")] == [True] * 3


@pytest.mark.parametrize("forgery", ["signature", "stale", "other corp", "not xml"])
async def test_a_forged_callback_is_refused_and_changes_nothing(
    running_app: Any, wecom: WeComStandin, forgery: str
) -> None:
    services: Services = running_app.bot_data["services"]
    code = await invite_code(services, "dalian")
    query, body = wecom.text_callback("li-na", code)
    if forgery == "signature":
        query["msg_signature"] = "0" * 40
    elif forgery == "stale":
        query, body = wecom.text_callback("li-na", code, timestamp=1409659813)
    elif forgery == "other corp":
        other = WeComStandin(corp_id="ww-elsewhere", callback_token=wecom.callback_token,
                             aes_key=wecom.aes_key)
        query, body = other.text_callback("li-na", code)
    else:
        body = b"<xml><Encrypt>"
    assert await wecom.post(callback_url(running_app), query, body) == 403
    assert wecom.messages_to("li-na") == [] and await wecom_people(services) == []
    async with services.readers() as session:
        seen = await session.scalar(select(func.count()).select_from(m.WeComCallback))
    assert seen == 0


async def test_the_app_menu_offers_the_commands_marked_for_wecom(
    running_app: Any, wecom: WeComStandin
) -> None:
    """Set at start-up from the roles table, in the catalog's words, within WeCom's limits
    (the stand-in refuses a menu past them)."""
    for _ in range(100):  # set beside the start, not before it
        if wecom.menu:
            break
        await asyncio.sleep(0.05)
    assert wecom.menu == [
        {"name": "填报", "sub_button": [
            {"type": "click", "key": "report", "name": "填写或修改本单位报告"},
            {"type": "click", "key": "status", "name": "查看本单位报送状态"},
            {"type": "click", "key": "deadlines", "name": "报送日历"},
            {"type": "click", "key": "cancel", "name": "暂停填写（草稿会保存）"}]},
        {"name": "省厅", "sub_button": [
            {"type": "click", "key": "progress", "name": "查看各单位报送进度"},
            {"type": "click", "key": "digest", "name": "获取汇总报告（含 Word、Excel）"},
            {"type": "click", "key": "remind", "name": "提醒尚未报送的单位"},
            {"type": "click", "key": "files", "name": "下载各单位附件"}]},
        {"name": "我的", "sub_button": [
            {"type": "click", "key": "language", "name": "切换语言 / Language"},
            {"type": "click", "key": "channel", "name": "选择接收提醒的渠道"},
            {"type": "click", "key": "whoami", "name": "我的身份"}]}]


async def test_a_member_on_the_roster_joins_by_the_mobile_wecom_knows(
    running_app: Any, wecom: WeComStandin
) -> None:
    """王磊 is on the roster with his mobile; WeCom's directory has the same number for
    him: his first message binds him, without an invite code. Someone whose mobile the
    roster does not list is told how to join."""
    services: Services = running_app.bot_data["services"]
    await add_to_roster(services, "anshan", "+86 138-0000-0002", "王磊")
    query, body = wecom.text_callback("wang-lei", "你好")
    assert await wecom.post(callback_url(running_app), query, body) == 200
    assert wecom.messages_to("wang-lei")[-1].content == "王磊，欢迎！您已作为鞍山市商务局的联络员加入。"
    assert ("wang-lei", "anshan") in await wecom_people(services)
    query, body = wecom.text_callback("li-na", "你好")  # 13800000001: on no roster
    assert await wecom.post(callback_url(running_app), query, body) == 200
    assert "邀请码" in wecom.messages_to("li-na")[-1].content
    assert ("li-na", "dalian") not in await wecom_people(services)


async def test_a_member_switches_the_language_from_the_menu(
    running_app: Any, wecom: WeComStandin
) -> None:
    services: Services = running_app.bot_data["services"]
    query, body = wecom.text_callback("li-na", await invite_code(services, "dalian"))
    assert await wecom.post(callback_url(running_app), query, body) == 200
    for sent in (lambda: wecom.menu_click("li-na", "language"),
                 lambda: wecom.click("li-na", "English"),
                 lambda: wecom.menu_click("li-na", "whoami")):
        assert await wecom.post(callback_url(running_app), *sent()) == 200
    said = [r.content for r in wecom.messages_to("li-na")][-2:]
    assert said == ["Language set to English.", "You are 李娜, contact of 大连市商务局 (WeCom)."]
