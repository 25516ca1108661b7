"""The use cases with no Telegram at all: a second front door (WeCom, a web page) would
drive the flows exactly like this, and render the screens they return its own way."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from flows.report_form import ReportFlow
from flows.screens import QuestionScreen, Receipt, ReviewScreen
from flows.services import Services
from reporting.campaign import QuestionType
from reporting.clock import FakeClock
from storage.joining import TelegramPerson, join_by_invite
from storage.records import PersonRecord
from tests.conftest import make_settings
from tests.people import TYPED, invite_code


@pytest.fixture
async def offline(database_url: str, clock: FakeClock) -> AsyncIterator[Services]:
    """Services on an initialised database, and no Bot API anywhere."""
    services = Services.create(make_settings(database_url), clock=clock)
    await services.initialise()
    yield services
    await services.close()


async def a_reporter(services: Services) -> PersonRecord:
    code = await invite_code(services, "dalian")
    async with services.transaction() as session:
        joined = await join_by_invite(session, code, TelegramPerson(
            user_id=42, chat_id=42, name="王芳", language="zh"), services.clock.now())
    assert isinstance(joined, PersonRecord)
    return joined


async def test_a_report_is_filled_and_submitted_through_the_flow_alone(
    offline: Services,
) -> None:
    flow = ReportFlow(offline, await a_reporter(offline), "zh")
    screen = await flow.start()
    for _ in range(40):
        if isinstance(screen, ReviewScreen):
            break
        assert isinstance(screen, QuestionScreen) and screen.error is None, screen
        question = screen.question
        if question.type is QuestionType.CHOICE:
            screen = await flow.answer_button(screen.draft_id, question.id, "choice",
                                              question.options[0].id)
        elif question.type is QuestionType.MULTI_CHOICE:
            await flow.answer_button(screen.draft_id, question.id, "toggle",
                                     question.options[0].id)
            screen = await flow.answer_button(screen.draft_id, question.id, "done")
        elif question.type is QuestionType.YES_NO:
            screen = await flow.answer_button(screen.draft_id, question.id, "yes_no", "1")
        elif question.type is QuestionType.ATTACHMENT:
            screen = await flow.answer_button(screen.draft_id, question.id, "done")
        else:
            screen = await flow.answer_text(TYPED[question.id])
    assert isinstance(screen, ReviewScreen) and not screen.missing
    receipt = await flow.review_action(screen.draft_id, "submit")
    assert isinstance(receipt, Receipt) and receipt.version == 1 and not receipt.late


def test_the_flows_load_without_telegram() -> None:
    """Import every flow in a fresh interpreter: `telegram` must not come with them."""
    probe = ("import sys, flows.report_form, flows.reminders, flows.digests, flows.broadcast;"
             "print('telegram' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
