"""The WeCom API as the bot calls it, against the stand-in WeCom server over HTTP and a real
database: one access token for every instance, a refused token replaced once, long texts
in parts that WeCom does not cut, and a member's messages paced so that none is dropped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from standin.wecom import WeComStandin
from storage import models as m
from storage import schema
from storage.database import Database
from wecom_io.api import WeComApi, WeComApp, WeComError
from wecom_io.pacer import MemberLimits, MemberPacer
from wecom_io.text import MAX_TEXT_BYTES, split_text


@pytest.fixture
def wecom_limits() -> MemberLimits:
    return MemberLimits(((3, 0.5),))  # WeCom's 30 a minute, shortened


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.open(database_url)
    await schema.upgrade(database.engine)
    yield database
    await database.close()


def app_of(wecom: WeComStandin, secret: str | None = None) -> WeComApp:
    return WeComApp(corp_id=wecom.corp_id, agent_id=wecom.agent_id,
                    secret=secret or wecom.secret, base_url=wecom.root)


def api(wecom: WeComStandin, db: Database) -> WeComApi:
    return WeComApi(app_of(wecom), db, MemberPacer(MemberLimits(((3, 0.5),)), slack=0.05))


async def test_every_instance_uses_the_one_token(wecom: WeComStandin, db: Database) -> None:
    first, second = api(wecom, db), api(wecom, db)
    await first.send_text("li-na", "请于1月29日18:00前报送。")
    await second.send_text("wang-lei", "请于1月29日18:00前报送。")
    assert wecom.calls["gettoken"] == 1
    async with db.sessions() as session:
        stored = await session.scalar(select(m.ApiToken))
    assert stored is not None and stored.name == "wecom:ww-liaoning:1000002"
    await first.close()
    await second.close()


async def test_an_expired_token_is_replaced_and_the_message_sent_once(
    wecom: WeComStandin, db: Database
) -> None:
    client = api(wecom, db)
    await client.send_text("li-na", "第一条")
    wecom.expire_tokens()  # two hours later, as far as WeCom is concerned
    await client.send_text("li-na", "第二条")
    assert [r.content for r in wecom.messages_to("li-na")] == ["第一条", "第二条"]
    assert wecom.calls["gettoken"] == 2
    await client.close()


async def test_a_long_text_arrives_whole_in_parts_wecom_does_not_cut(
    wecom: WeComStandin, db: Database
) -> None:
    lines = [f"• {i:02d} 沈阳市商务局：已报送 第 1 版 1月28日 16:05，网络零售额 32,000.5 万元"
             for i in range(60)]
    text = "\n".join(lines)
    assert len(text.encode()) > 2 * MAX_TEXT_BYTES
    client = api(wecom, db)
    parts = await client.send_text("wang-lei", text)
    received = [r.content for r in wecom.messages_to("wang-lei")]
    assert parts == len(received) >= 3 and not wecom.truncated and not wecom.dropped
    assert "\n".join(received) == text
    await client.close()


def test_a_line_longer_than_a_message_is_cut_between_characters() -> None:
    text = "年" * 1000  # 3000 bytes
    parts = split_text(text)
    assert "".join(parts) == text
    assert all(len(p.encode()) <= MAX_TEXT_BYTES for p in parts)


async def test_many_messages_to_one_member_are_paced_and_none_dropped(
    wecom: WeComStandin, db: Database
) -> None:
    client = api(wecom, db)
    await asyncio.gather(*(client.send_text("li-na", f"提醒 {i}") for i in range(7)),
                         client.send_text("wang-lei", "另一位"))
    assert not wecom.dropped
    assert sorted(r.content for r in wecom.messages_to("li-na")) == [
        f"提醒 {i}" for i in range(7)]
    await client.close()


async def test_without_pacing_wecom_drops_what_goes_over(wecom: WeComStandin,
                                                         db: Database) -> None:
    client = WeComApi(app_of(wecom), db, MemberPacer(MemberLimits(((1000, 0.5),))))
    for i in range(5):
        await client.send_text("li-na", f"提醒 {i}")
    assert len(wecom.dropped) == 2  # the stand-in keeps WeCom's own limit
    await client.close()


async def test_wecoms_refusals_come_back_as_its_error_codes(wecom: WeComStandin,
                                                            db: Database) -> None:
    wrong = WeComApi(app_of(wecom, secret="not-it"), db)
    with pytest.raises(WeComError) as refused:
        await wrong.send_text("li-na", "x")
    assert refused.value.errcode == 40001
    client = api(wecom, db)
    with pytest.raises(WeComError) as unknown:
        await client.send_text("nobody", "x")
    assert unknown.value.errcode == 81013
    await wrong.close()
    await client.close()
