"""The bot process killed in the middle of a form loses no answer that was acknowledged."""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from flows.services import Services
from standin.server import StandinServer
from storage import models as m
from tests.people import answer_current, invite_code, is_review, question_id
from tests.processes import BotProcess


async def first_wakeup_done(services: Services) -> None:
    """Until the bot process's wake-up at start has taken what was due (the plan items
    whose time has come are no longer planned)."""
    now = services.clock.now()
    for _ in range(300):
        async with services.readers() as session:
            waiting = await session.scalar(select(func.count()).select_from(m.PlanItem).where(
                m.PlanItem.at <= now, m.PlanItem.state.in_(["planned", "firing"])))
        if not waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot's first wake-up did not finish")


@pytest.mark.parametrize("seed", [int(s) for s in os.environ.get("CRASH_SEEDS", "1").split(",")])
async def test_a_contact_resumes_after_the_bot_was_killed_mid_form(
    services: Services, standin: StandinServer, database_url: str, tmp_path: Path, seed: int
) -> None:
    """Killed after a number of answers drawn from the seed, sometimes while an answer is
    on its way (the bot may or may not have taken it; an acknowledged one is never lost)."""
    rng = random.Random(seed)
    code = await invite_code(services, "dalian")
    bot = BotProcess(standin, database_url, tmp_path)
    await bot.start()
    await first_wakeup_done(services)  # round 1's opening is out before anyone joins
    user = standin.user("李娜")
    await user.command("start", code)
    assert "欢迎" in (await user.next_message()).text
    await user.command("report")
    screen = await user.next_message()
    answered = []
    for _ in range(rng.randint(1, 10)):
        answered.append(question_id(screen))
        screen = await answer_current(user, screen)
    waiting_for = question_id(screen)

    await bot.kill()
    await bot.start()

    await user.command("report")
    resumed = await user.next_message()
    assert question_id(resumed) == waiting_for  # every acknowledged answer kept
    while not is_review(resumed):
        resumed = await answer_current(user, resumed)
    assert "张伟 0411-12345678" in resumed.text
    if "launch_form" in answered:
        assert "线上启动仪式" in resumed.text
    assert await bot.stop() == 0
