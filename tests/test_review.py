"""The province reviews a report from `/progress`: 通过 accepts it and the unit hears so;
the digest shows it; an accepted report needs no more buttons."""

from __future__ import annotations

from flows.services import Services
from standin.server import StandinServer
from storage import models as m
from tests.people import joined, submit_report


async def test_a_coordinator_accepts_a_report_and_the_unit_is_told(
    running_bot: Services, standin: StandinServer
) -> None:
    reporter = await joined(standin, running_bot, "dalian")
    await submit_report(reporter)
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("progress", "r1")
    screen = await coordinator.next_message()
    assert [label for label, _ in screen.buttons] == ["✅ 通过大连", "↩️ 退回大连"]
    await coordinator.press("✅ 通过大连", screen)
    assert (await coordinator.next_message()).text == "已通过大连市商务局的报告，已通知 1 位联系人。"
    await standin.wait_until(lambda: any("已由省厅审核通过" in m_.text
                                         for m_ in reporter.messages))
    await coordinator.command("progress", "r1")
    again = await coordinator.next_message()
    assert "已通过" in again.text and not again.buttons
    await coordinator.command("digest", "r1")
    assert any("大连（已通过）" in m_.text for m_ in await coordinator.read_all(settle=0.5))
