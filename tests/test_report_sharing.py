"""Two contacts of one unit share its draft; nobody reaches another unit's draft."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from flows.services import Services
from standin.server import StandinServer
from storage import models as m
from tests.people import TYPED, answer_until_review, fill_report, is_review, joined, question_id


async def test_two_contacts_answering_at_once_are_both_kept(
    running_bot: Services, standin: StandinServer
) -> None:
    wang = await joined(standin, running_bot, "huludao", "王芳")
    liu = await joined(standin, running_bot, "huludao", "刘洋")
    await wang.command("report")
    await liu.command("report")
    first_w, first_l = await wang.next_message(), await liu.next_message()
    assert question_id(first_w) == question_id(first_l) == "reporter"
    await asyncio.gather(wang.send("王芳 0429-1111111"), liu.send("刘洋 0429-2222222"))
    next_w, next_l = await wang.next_message(), await liu.next_message()
    assert question_id(next_w) == question_id(next_l) == "launch_date"
    await asyncio.gather(wang.send("1月20日"), liu.send("1月21日"))
    await wang.next_message(), await liu.next_message()
    async with running_bot.sessions() as session:
        answers = dict((await session.execute(
            select(m.DraftAnswer.question_id, m.DraftAnswer.value))).all())
    assert answers["reporter"] in {"王芳 0429-1111111", "刘洋 0429-2222222"}
    assert answers["launch_date"] in {"2021-01-20", "2021-01-21"}
    assert len(answers) == 2


async def test_a_colleague_sees_the_answers_already_given(
    running_bot: Services, standin: StandinServer
) -> None:
    wang = await joined(standin, running_bot, "huludao", "王芳")
    await wang.command("report")
    await wang.next_message()
    await wang.send(TYPED["reporter"])
    await wang.next_message()
    liu = await joined(standin, running_bot, "huludao", "刘洋")
    await liu.command("report")
    assert question_id(await liu.next_message()) == "launch_date"


async def test_two_submit_taps_at_once_make_exactly_one_version(
    running_bot: Services, standin: StandinServer
) -> None:
    wang = await joined(standin, running_bot, "shenfu", "王芳")
    liu = await joined(standin, running_bot, "shenfu", "刘洋")
    review_w = await fill_report(wang)
    await liu.command("report")
    review_l = await liu.next_message()
    assert is_review(review_l)
    await asyncio.gather(wang.press("✅ 提交", review_w), liu.press("✅ 提交", review_l))
    replies = [(await wang.next_message()).text, (await liu.next_message()).text]
    assert sum("已提交：" in r for r in replies) == 1
    assert sum("同事已提交" in r or "按钮已失效" in r for r in replies) == 1
    async with running_bot.sessions() as session:
        versions = await session.scalar(select(func.count()).select_from(m.Submission))
    assert versions == 1


async def test_a_forged_button_aimed_at_another_units_draft_is_refused(
    running_bot: Services, standin: StandinServer
) -> None:
    victim = await joined(standin, running_bot, "shenyang", "受害者")
    await victim.command("report")
    victim_screen = await answer_until_review(victim, await victim.next_message())
    draft_id = victim_screen.buttons[0][1].split(":")[2]
    attacker = await joined(standin, running_bot, "dalian", "攻击者")
    await attacker.command("report")
    own = await attacker.next_message()
    for forged in (f"rv:s:{draft_id}", f"rv:e:{draft_id}", f"f:c:{draft_id}:launch_form:none",
                   f"rv:q:{draft_id}:features"):
        await attacker.press_data(forged, own)
        reply = await attacker.next_message()
        assert "按钮已失效" in reply.text
        assert "沈阳" not in reply.text and "张伟" not in reply.text
    async with running_bot.sessions() as session:
        submitted = await session.scalar(select(func.count()).select_from(m.Submission))
        refused = await session.scalar(select(func.count()).select_from(m.AuditEntry).where(
            m.AuditEntry.action == "refused_foreign_draft"))
    assert submitted == 0 and refused == 4
