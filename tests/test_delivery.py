"""The delivery engine through the stand-in: exactly once, 429 pauses, 403 blocks, 5xx
retries, timeouts become uncertain, and broadcasts from chat and the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from flows.services import Services
from standin.limits import Limits
from standin.server import StandinServer
from storage import broadcasts
from storage import models as m
from tests.conftest import make_settings
from tests.ledger import add_people, delivered, queue_broadcast, settled
from tests.people import joined


@pytest.fixture
def limits() -> Limits:
    return Limits(per_second=None)  # fast tests; the rate itself is measured in bench/


@pytest.fixture
def overrides() -> dict[str, object]:
    return {"send_rate": 500, "send_backoff": 0.05, "send_retries": 3}


async def test_a_broadcast_to_200_contacts_reaches_each_exactly_once(
    running_bot: Services, standin: StandinServer
) -> None:
    people = await add_people(running_bot, 200)
    row = await queue_broadcast(running_bot)
    result = await settled(running_bot, row)
    assert result.counts == {"sent": 200}
    assert delivered(standin) == {p.chat_id: 1 for p in people}


async def test_a_429_pauses_the_sender_and_loses_nothing(
    running_bot: Services, standin: StandinServer
) -> None:
    people = await add_people(running_bot, 10)
    standin.faults.throttle(times=1, retry_after=2)
    row = await queue_broadcast(running_bot)
    result = await settled(running_bot, row)
    assert result.counts == {"sent": 10}
    assert delivered(standin) == {p.chat_id: 1 for p in people}
    assert [code for _, code, _ in standin.rejections] == [429]
    sends = [t for (method, _), t in zip(standin.calls, standin.call_times, strict=True)
             if method == "sendMessage"]
    refused_at = sends[0]  # the first send was the one refused
    # Requests already on their way may land just after the 429; then nothing, for the
    # 2 seconds asked.
    assert not [t for t in sends if refused_at + 0.2 < t < refused_at + 1.9]
    assert sends[-1] >= refused_at + 1.9


async def test_blocked_recipients_are_marked_unreachable_and_reported(
    running_bot: Services, standin: StandinServer
) -> None:
    people = await add_people(running_bot, 5)
    standin.faults.block(people[1].chat_id)
    standin.faults.block(people[3].chat_id)
    row = await queue_broadcast(running_bot)
    result = await settled(running_bot, row)
    assert result.counts == {"sent": 3, "blocked": 2}
    assert len(result.blocked) == 2 and "联络员1" in result.blocked[0]
    async with running_bot.sessions() as session:
        unreachable = set(await session.scalars(select(m.Person.name).where(
            m.Person.reachable.is_(False))))
    assert unreachable == {"联络员1", "联络员3"}


async def test_server_errors_are_retried(running_bot: Services, standin: StandinServer) -> None:
    people = await add_people(running_bot, 3)
    standin.faults.fail(people[0].chat_id, status=502, times=2)
    standin.faults.fail(people[1].chat_id, status=500, times=99)
    row = await queue_broadcast(running_bot)
    result = await settled(running_bot, row)
    assert result.counts == {"sent": 2, "failed": 1}
    assert "after 3 attempts" in result.failed[0][1]
    assert delivered(standin)[people[0].chat_id] == 1


async def test_an_answer_slower_than_the_timeout_is_uncertain_and_not_resent(
    database_url: str, standin: StandinServer, clock
) -> None:
    from bot.runner import serve

    services = Services.create(make_settings(database_url, standin, send_timeout=0.5),
                               clock=clock)
    await services.initialise()
    people = await add_people(services, 2)
    standin.faults.slow(people[0].chat_id, 1.5)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(services, stop, poll_timeout=1))
    row = await queue_broadcast(services)
    result = await settled(services, row)
    assert result.counts == {"sent": 1, "uncertain": 1}
    await asyncio.sleep(2.5)  # the slow request lands; nothing is sent again
    assert delivered(standin)[people[0].chat_id] == 1
    async with services.readers() as session:
        assert await session.scalar(select(func.count()).select_from(m.Delivery).where(
            m.Delivery.state == "uncertain")) == 1
    stop.set()
    await task
    await services.close()


async def test_a_non_admin_is_refused_broadcast(
    running_bot: Services, standin: StandinServer
) -> None:
    contact = await joined(standin, running_bot, "dalian")
    coordinator = await joined(standin, running_bot, "province", "杜四龙", m.Role.COORDINATOR)
    for user in (contact, coordinator):
        await user.command("broadcast")
        assert (await user.next_message()).text == "您没有使用此功能的权限。"


async def test_an_admin_broadcasts_from_chat_with_preview_progress_and_report(
    running_bot: Services, standin: StandinServer
) -> None:
    admin = await joined(standin, running_bot, "province", "管理员", m.Role.ADMIN)
    anshan = await joined(standin, running_bot, "anshan", "鞍山联系人")
    dandong = await joined(standin, running_bot, "dandong", "丹东联系人")
    await joined(standin, running_bot, "dalian", "大连联系人")
    standin.faults.block(dandong.id)
    await admin.command("broadcast")
    assert "请发送要群发的通知" in (await admin.next_message()).text
    await admin.send("各单位请于 <b>1月29日</b> 前报送 & 确认。")
    menu = await admin.next_message()
    await admin.press("按单位", menu)
    await standin.wait_until(lambda: any("鞍山" in t_ for t_, _ in menu.buttons))
    await admin.press("⬜ 鞍山", menu)
    await standin.wait_until(lambda: any(t_ == "☑️ 鞍山" for t_, _ in menu.buttons))
    await admin.press("⬜ 丹东", menu)
    await standin.wait_until(lambda: any(t_ == "☑️ 丹东" for t_, _ in menu.buttons))
    await admin.press("✔️ 完成", menu)
    preview = await admin.next_message()
    assert preview.text == "【辽宁省商务厅】\n各单位请于 <b>1月29日</b> 前报送 & 确认。"
    confirm = await admin.next_message()
    assert "共 2 人" in confirm.text and "鞍山、丹东" in confirm.text
    await admin.press("✅ 确认发送（2 人）", confirm)
    progress = await admin.next_message()
    assert progress.text.startswith("📤 已发送")
    report = await admin.next_message(timeout=20)
    assert "成功送达 1/2" in report.text and "已屏蔽机器人（1）：丹东 丹东联系人" in report.text
    assert progress.text == "📤 已发送 2/2"
    assert anshan.messages[-1].text == "【辽宁省商务厅】\n各单位请于 <b>1月29日</b> 前报送 & 确认。"


async def test_the_command_line_broadcasts_to_units_missing_a_round(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    from tests.processes import run_cli

    people = await add_people(services, 30)
    notice = tmp_path / "notice.txt"
    notice.write_text("请尚未报送的单位抓紧报送。", encoding="utf-8")
    code, out, err = await run_cli(
        tmp_path, "broadcast", "--to", "missing:r1", "--text-file", str(notice), "--yes",
        DATABASE_URL=database_url, TELEGRAM_BOT_TOKEN=standin.token,
        TELEGRAM_API_BASE_URL=standin.root, SEND_RATE="200")
    assert code == 0, err
    assert "将发送给 30 人" in out and "群发完成：成功送达 30/30" in out
    assert delivered(standin) == {p.chat_id: 1 for p in people}
    code, _, err = await run_cli(tmp_path, "broadcast", "--to", "missing:r9", "--text-file",
                                 str(notice), "--yes", DATABASE_URL=database_url,
                                 TELEGRAM_BOT_TOKEN=standin.token)
    assert code == 1 and "没有代码为“r9”的报送节点" in err and "r1, r2, r3" in err


async def test_the_command_line_sends_exactly_what_the_bot_sends(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path
) -> None:
    """One notice through both ways out: queued from chat and drained by the bot's own
    sender, and from the command line. Recipients read the same thing, in HTML."""
    from bot.app import build_application
    from scheduler.sender import DeliverySender
    from tests.processes import run_cli

    people = await add_people(services, 2)
    text = "请报送<万元>&“数据”"
    notice = tmp_path / "notice.txt"
    notice.write_text(text, encoding="utf-8")
    code, _, err = await run_cli(
        tmp_path, "broadcast", "--to", "all", "--text-file", str(notice), "--yes",
        DATABASE_URL=database_url, TELEGRAM_BOT_TOKEN=standin.token,
        TELEGRAM_API_BASE_URL=standin.root, SEND_RATE="200")
    assert code == 0, err
    from_cli = [params for method, params in standin.sent("sendMessage")]
    standin.calls.clear()
    row = await queue_broadcast(services, text=text, sender="辽宁省商务厅")
    application = build_application(services)
    async with application:
        sender = DeliverySender(services, application.bot)
        await sender.drain(done=lambda: _finished(services, row), timeout=30)
    from_bot = [params for method, params in standin.sent("sendMessage")]
    assert len(from_cli) == len(from_bot) == len(people)
    assert [(p["text"], p.get("parse_mode")) for p in from_cli] == \
        [(p["text"], p.get("parse_mode")) for p in from_bot]
    for person in people:  # headed by who it is from, as the campaign file says
        assert standin.chat(person.chat_id).from_bot[-1].text == f"【辽宁省商务厅】\n{text}"


async def _finished(services: Services, row: m.Broadcast) -> bool:
    async with services.readers() as session:
        return (await broadcasts.report(session, row.id)).finished
