"""What the bot waits for from a person at the province (a return's reason, a notice) is
one slot: the last thing asked replaces the one before, `/cancel` empties it, and it
expires. A mistaken 退回 never turns the next message into a "reason"."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from flows.services import Services
from reporting.clock import FakeClock
from standin.server import StandinServer
from standin.users import SimulatedUser
from storage import models as m
from tests.people import joined, submit_report


async def tap_return(admin: SimulatedUser) -> None:
    """/progress r1, then 退回 on 大连's report."""
    await admin.command("progress", "r1")
    screen = await admin.next_message()
    await admin.press("↩️ 退回大连", screen)
    assert "请输入退回原因" in (await admin.next_message()).text


async def asked_for_a_reason(services: Services, standin: StandinServer) -> SimulatedUser:
    """大连 submitted; a coordinator tapped 退回 on it and is asked for the reason."""
    await submit_report(await joined(standin, services, "dalian"))
    coordinator = await joined(standin, services, "province", "尹涛", m.Role.COORDINATOR)
    await tap_return(coordinator)
    return coordinator


async def returned(services: Services) -> int:
    async with services.readers() as session:
        return await session.scalar(select(func.count()).select_from(m.Submission).where(
            m.Submission.review_state == "returned")) or 0


async def test_a_broadcast_begun_after_a_mistaken_return_gets_the_text(
    running_bot: Services, standin: StandinServer
) -> None:
    await submit_report(await joined(standin, running_bot, "dalian"))
    admin = await joined(standin, running_bot, "province", "管理员", m.Role.ADMIN)
    await tap_return(admin)
    await admin.command("broadcast")
    await admin.next_message()
    await admin.send("请各市于明日前报送。")
    assert (await admin.next_message()).text == "发送给谁？"  # the notice, not a reason
    assert await returned(running_bot) == 0


async def test_cancel_leaves_a_return_and_the_next_text_is_no_reason(
    running_bot: Services, standin: StandinServer
) -> None:
    coordinator = await asked_for_a_reason(running_bot, standin)
    await coordinator.command("cancel")
    assert "已取消退回" in (await coordinator.next_message()).text
    await coordinator.send("数据有误")
    assert "请使用菜单中的命令" in (await coordinator.next_message()).text
    assert await returned(running_bot) == 0


async def test_the_prompts_cancel_button_leaves_the_return_and_the_next_text_is_no_reason(
    running_bot: Services, standin: StandinServer
) -> None:
    coordinator = await asked_for_a_reason(running_bot, standin)
    prompt = coordinator.messages[-1]
    assert [label for label, _ in prompt.buttons] == ["✖️ 取消退回"]
    await coordinator.press("✖️ 取消退回", prompt)
    assert (await coordinator.next_message()).text == "已取消退回，未向单位发送任何内容。"
    await coordinator.send("数据有误")
    assert "请使用菜单中的命令" in (await coordinator.next_message()).text
    assert await returned(running_bot) == 0


async def test_an_old_prompts_cancel_button_leaves_a_newer_broadcast_alone(
    running_bot: Services, standin: StandinServer
) -> None:
    await submit_report(await joined(standin, running_bot, "dalian"))
    admin = await joined(standin, running_bot, "province", "管理员", m.Role.ADMIN)
    await tap_return(admin)
    prompt = admin.messages[-1]
    await admin.command("broadcast")
    await admin.next_message()
    await admin.press("✖️ 取消退回", prompt)
    assert "已取消或已完成" in (await admin.next_message()).text
    await admin.send("请各市于明日前报送。")
    assert (await admin.next_message()).text == "发送给谁？"  # still the broadcast's text


async def test_a_return_not_answered_within_half_an_hour_expires(
    running_bot: Services, standin: StandinServer, clock: FakeClock
) -> None:
    coordinator = await asked_for_a_reason(running_bot, standin)
    clock.advance(dt.timedelta(minutes=31))
    await coordinator.send("数据有误")
    assert "请使用菜单中的命令" in (await coordinator.next_message()).text
    assert await returned(running_bot) == 0


async def test_a_reason_typed_in_time_returns_the_report(
    running_bot: Services, standin: StandinServer
) -> None:
    coordinator = await asked_for_a_reason(running_bot, standin)
    await coordinator.send("网络零售额请核实")
    assert "已退回大连市商务局的报告" in (await coordinator.next_message()).text
    assert await returned(running_bot) == 1
