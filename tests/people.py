"""Helpers that act as people do: get an invite and join, answer a whole report."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select

from flows.services import Services
from reporting.campaign import Campaign
from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE, load_campaign
from standin.scripted import is_review, question_on
from standin.server import SentMessage, StandinServer
from standin.users import SimulatedUser
from storage import models as m
from storage.contacts import unit_by_code
from storage.invites import create_invite
from storage.joining import roster_phone


async def invite_code(
    services: Services, unit_code: str, role: m.Role = m.Role.CONTACT, days: int = 14
) -> str:
    async with services.transaction() as session:
        unit = await unit_by_code(session, unit_code)
        assert unit is not None
        code, _ = await create_invite(session, unit, role, services.clock.now(), days)
    return code


async def joined(
    standin: StandinServer,
    services: Services,
    unit_code: str,
    name: str = "李娜",
    role: m.Role = m.Role.CONTACT,
    language_code: str = "zh-hans",
) -> SimulatedUser:
    """A person who opened their invite link and was welcomed."""
    user = standin.user(name, language_code=language_code)
    await user.command("start", await invite_code(services, unit_code, role))
    welcome = await user.next_message()
    assert "欢迎" in welcome.text or "Welcome" in welcome.text, welcome.text
    return user


# Typed answers for the default campaign's questions, by id.
TYPED = {
    "reporter": "张伟 0411-12345678",
    "launch_date": "1月20日",
    "enterprises": "１２０",
    "online_retail": "32,000.5",
    "livestream_sessions": "85",
    "livestream_sales": "1200",
    "rural_sales": "860.25",
    "nianyefan_orders": "3400",
    "crossborder_imports": "150",
    "features": "线上线下联动，直播带货与年货大集结合。",
    "results": "活动期间网络零售额同比增长 18%。",
    "cases": "某企业通过直播销售海参 2 万单。",
    "shortcomings": "冷链物流运力不足。",
    "suggestions": "加强冷链配送体系建设。",
}


@cache
def campaign() -> Campaign:
    return load_campaign(DEFAULT_CAMPAIGN_FILE)


def question_id(screen: SentMessage) -> str:
    question = question_on(screen, campaign())
    assert question is not None, screen.text[:80]
    return question.id


async def answer_current(user: SimulatedUser, screen: SentMessage) -> SentMessage:
    """Answer the question on `screen` the simplest way; return the next screen."""
    qid = question_id(screen)
    if qid == "launch_form":
        await user.press("线上启动仪式", screen)
    elif qid == "activities":
        await user.press("⬜ 电商直播带货", screen)
        await user.server.wait_until(lambda: "☑️ 电商直播带货" in [t for t, _ in screen.buttons])
        await user.press("✔️ 完成", screen)
    elif qid == "vouchers":
        await user.press("是", screen)
    elif qid == "case_files":
        await user.press("✔️ 完成（不再发送）", screen)
    else:
        await user.send(TYPED[qid])
    return await user.next_message()


async def answer_until_review(user: SimulatedUser, screen: SentMessage) -> SentMessage:
    for _ in range(40):
        if is_review(screen):
            return screen
        screen = await answer_current(user, screen)
    raise AssertionError("the form did not reach the review")


async def fill_report(user: SimulatedUser) -> SentMessage:
    """From `/report` to the review screen, answering every question."""
    await user.command("report")
    return await answer_until_review(user, await user.next_message())


async def submit_report(user: SimulatedUser) -> SentMessage:
    """Fill in and submit; returns the receipt."""
    review = await fill_report(user)
    await user.press("✅ 提交", review)
    return await user.next_message()


async def add_to_roster(services: Services, unit_code: str, phone: str, name: str,
                        stored_as: str | None = None) -> None:
    """A roster row, its number kept as an import keeps it (or exactly as `stored_as`)."""
    async with services.transaction() as session:
        unit = await session.scalar(select(m.Unit).where(m.Unit.code == unit_code))
        assert unit is not None
        session.add(m.Person(name=name, phone=stored_as or roster_phone(phone),
                              unit_id=unit.id, created_at=services.clock.now()))
