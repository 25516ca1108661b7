"""What the bot sends on its own reaches each person where they are: a member who joined
on WeCom gets their reminders there, once, from the same ledger as Telegram's; a
broadcast reaches both channels with one outcome per person; a coordinator on WeCom gets
the digest there, its text and its Word and Excel files."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document
from sqlalchemy import func, select

from flows import broadcast
from flows.services import Services
from reporting.clock import FakeClock
from standin.server import StandinServer
from standin.wecom import WeComStandin
from storage import models as m
from tests.campaign_run import drained, local, submit
from tests.people import add_to_roster, invite_code, joined
from tests.wecom_member import Member


@pytest.fixture
def overrides(wecom_overrides: dict[str, object]) -> dict[str, object]:
    return {**wecom_overrides, "wake_interval": 3600}


async def on_wecom(app: Any, wecom: WeComStandin, user_id: str, unit: str,
                   role: m.Role = m.Role.CONTACT) -> None:
    """A member who joins with an invite code sent to the WeCom app."""
    services: Services = app.bot_data["services"]
    query, body = wecom.text_callback(user_id, await invite_code(services, unit, role))
    url = f"http://127.0.0.1:{app.bot_data['webhook'].port}/wecom/callback"
    assert await wecom.post(url, query, body) == 200
    assert "欢迎" in wecom.messages_to(user_id)[-1].content


async def at(app: Any, clock: FakeClock, moment: dt.datetime) -> None:
    """The wake-up at `moment`, and everything it queued sent on both channels."""
    clock.set(moment)
    await app.bot_data["wakeup"].tick()
    app.bot_data["sender"].nudge()
    app.bot_data["wecom_sender"].nudge()
    await drained(app.bot_data["services"])


async def ledger(services: Services) -> list[tuple[str, str | None, str, str | None]]:
    async with services.readers() as session:
        rows = await session.execute(select(m.Delivery.purpose, m.Delivery.wecom_user,
                                            m.Delivery.state, m.Delivery.error)
                                     .order_by(m.Delivery.id))
        return [(p, u, str(s), e) for p, u, s, e in rows]


async def test_a_reminder_reaches_each_person_on_their_channel_once(
    running_app: Any, standin: StandinServer, wecom: WeComStandin, clock: FakeClock
) -> None:
    await on_wecom(running_app, wecom, "li-na", "dalian")
    telegram = await joined(standin, running_app.bot_data["services"], "anshan")
    for _ in range(2):  # the same moment twice: nothing goes out again
        await at(running_app, clock, local(1, 26, 9))
    reminders = [r.content for r in wecom.messages_to("li-na") if r.content.startswith("⏰")]
    assert reminders == [
        "⏰ “第一次阶段性活动情况”将于 1月29日（周五）18:00 截止，还剩 3 天。\n"
        "本单位尚未开始填写（共 18 题，约需几分钟）。"]  # no Word hint: no upload page here
    on_telegram = [m for m in telegram.messages if m.text.startswith("⏰")]
    assert len(on_telegram) == 1 and "可直接发送 .docx 文件" in on_telegram[0].text
    rows = [r for r in await ledger(running_app.bot_data["services"]) if r[0] == "reminder"]
    assert sorted(rows, key=lambda r: r[1] or "") == [("reminder", None, "sent", None),
                                                      ("reminder", "li-na", "sent", None)]


async def test_a_broadcast_reaches_both_channels_with_one_outcome_each(
    running_app: Any, standin: StandinServer, wecom: WeComStandin
) -> None:
    services: Services = running_app.bot_data["services"]
    await on_wecom(running_app, wecom, "li-na", "dalian")
    telegram = await joined(standin, services, "anshan")
    prepared = await broadcast.prepare(services, "请各单位于1月29日前报送。",
                                       {"all": True}, None, photo=False)
    assert not isinstance(prepared, broadcast.Refused)
    broadcast_id, count = prepared
    assert count == 2
    await broadcast.send(services, None, broadcast_id)
    running_app.bot_data["wecom_sender"].nudge()
    await drained(services)
    report = await broadcast.report(services, broadcast_id)
    assert report.counts.get("sent") == 2 and report.total == 2
    assert wecom.messages_to("li-na")[-1].content == "【辽宁省商务厅】\n请各单位于1月29日前报送。"
    assert telegram.messages[-1].text.endswith("请各单位于1月29日前报送。")


async def test_a_coordinator_on_wecom_gets_the_digest_with_its_files(
    running_app: Any, wecom: WeComStandin, clock: FakeClock
) -> None:
    await on_wecom(running_app, wecom, "wang-lei", "province", m.Role.COORDINATOR)
    await at(running_app, clock, local(1, 29, 18, 30))
    got = wecom.messages_to("wang-lei")
    texts = [r.content for r in got if r.msgtype == "text"]
    assert any(t.startswith("📊 2021 辽宁网上年货节 · 第一次阶段性活动情况 汇总") for t in texts)
    assert not any("<b>" in t for t in texts)
    files = [r.content for r in got if r.msgtype == "file"]
    assert files == [
        "2021辽宁网上年货节_第一次阶段性活动情况_报告_截至1月29日18时30分.docx",
        "2021辽宁网上年货节_第一次阶段性活动情况_内部核查单_截至1月29日18时30分.docx",
        "2021辽宁网上年货节_第一次阶段性活动情况_数据明细_截至1月29日18时30分.xlsx"]
    report = Document(io.BytesIO(wecom.file_named(files[0])))  # a Word file that opens
    assert report.paragraphs[0].text.startswith("辽宁省商务厅关于")
    rows = [r for r in await ledger(running_app.bot_data["services"]) if r[0] == "digest"]
    assert rows and all(r[2] == "sent" for r in rows)


async def test_someone_on_both_channels_chooses_where_reminders_go(
    running_app: Any, standin: StandinServer, wecom: WeComStandin, clock: FakeClock
) -> None:
    """李娜 is on the roster with her mobile: she joins on Telegram by sharing it and on
    WeCom by the number the directory has, one person on both. Reminders go to Telegram
    until she chooses WeCom (from the WeCom menu), then to WeCom only."""
    services: Services = running_app.bot_data["services"]
    await add_to_roster(services, "dalian", "13800000001", "李娜")
    telegram = standin.user("Li Na")
    await telegram.share_contact("+86 138 0000 0001")
    assert "欢迎" in (await telegram.next_message()).text
    member = Member.of(running_app, wecom, "li-na")
    await member.send("你好")
    assert "李娜，欢迎！" in member.new_text()
    async with services.readers() as session:
        assert await session.scalar(select(func.count()).select_from(m.Person).where(
            m.Person.wecom_user_id == "li-na", m.Person.chat_id.is_not(None))) == 1

    await telegram.command("channel")
    offer = await telegram.next_message()
    assert "目前发到Telegram" in offer.text and len(offer.buttons) == 2
    await at(running_app, clock, local(1, 26, 9))
    assert len([x for x in telegram.messages if x.text.startswith("⏰")]) == 1
    assert not [r for r in wecom.messages_to("li-na") if r.content.startswith("⏰")]

    await member.menu("channel")
    assert "目前发到Telegram" in member.new_text()
    await member.click("企业微信")
    assert "今后的提醒、通知和汇总报告发到企业微信" in member.new_text()
    await at(running_app, clock, local(1, 28, 9))
    assert len([r for r in wecom.messages_to("li-na") if r.content.startswith("⏰")]) == 1
    assert len([x for x in telegram.messages if x.text.startswith("⏰")]) == 1  # no more

    await telegram.press("Telegram", offer)  # and back, from Telegram's own offer
    await standin.wait_until(lambda: "今后的提醒、通知和汇总报告发到Telegram" in offer.text)


async def test_someone_on_one_channel_is_told_where_reminders_go(
    running_app: Any, wecom: WeComStandin
) -> None:
    member = Member.of(running_app, wecom, "li-na")
    await member.join(running_app.bot_data["services"], "dalian")
    await member.menu("channel")
    assert member.new_text() == "您只在企业微信上加入，提醒、通知和汇总报告都发到这里。"


async def test_the_province_reads_progress_and_gets_a_digest_on_wecom(
    running_app: Any, wecom: WeComStandin, clock: FakeClock
) -> None:
    """A coordinator who works in WeCom: the round's progress from the menu (the round
    chosen on a card), the digest now by a typed command, its Word and Excel files
    included; a contact may do neither."""
    services: Services = running_app.bot_data["services"]
    await submit(services, "anshan", "r1")
    clock.set(local(1, 28, 15))
    province = Member.of(running_app, wecom, "wang-lei")
    await province.join(services, "province", m.Role.COORDINATOR)
    await province.menu("progress")
    assert "查看哪个报送节点的进度？" in province.new_text()
    await province.click("确定", choose=["第一次阶段性活动情况"])
    view = province.new_text()
    assert "已报送 1/15" in view and "鞍山：第 1 版" in view and "<b>" not in view
    await province.send("/digest r1")
    got = province.new()
    assert "截至 1月28日 15:00" in got[0].content and "非最终结果" in got[0].content
    files = [r.content for r in got if r.msgtype == "file"]
    assert [f.rsplit(".", 1)[-1] for f in files] == ["docx", "docx", "xlsx"]
    assert Document(io.BytesIO(wecom.file_named(files[0]))).paragraphs[0].text
    contact = Member.of(running_app, wecom, "li-na")
    await contact.join(services, "dalian")
    await contact.menu("progress")
    assert contact.new_text() == "您没有使用此功能的权限。"
    contact.new()
    await province.send("/remind r1")  # the 13 units that owe it: 大连 on WeCom among them
    assert "已向" in province.new_text()
    running_app.bot_data["wecom_sender"].nudge()
    await drained(services)
    assert [r.content for r in contact.new() if r.content.startswith("⏰")]
