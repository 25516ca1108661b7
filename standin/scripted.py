"""A simulated contact who fills in the report form as a person would: reads each
question the bot shows, answers it by its type (typing, or tapping the buttons), and
submits at the review. For the offline demo and tests."""

from __future__ import annotations

from typing import Any

from reporting.campaign import Campaign, Question, QuestionType
from standin.server import SentMessage
from standin.users import SimulatedUser

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def prompt_of(screen: SentMessage) -> str:
    """The question's prompt: the first line after the header block."""
    body = screen.text.split("\n\n", 1)[-1]
    return body.splitlines()[0].removesuffix("（选填）").removesuffix(" (optional)")


def question_on(screen: SentMessage, campaign: Campaign | list[Campaign]) -> Question | None:
    """The question on `screen`, from the campaign's (or the campaigns') questions."""
    prompt = prompt_of(screen)
    campaigns = campaign if isinstance(campaign, list) else [campaign]
    return next((q for c in campaigns for q in c.questions
                 if prompt in (q.prompt.zh, q.prompt.en)), None)


def round_button(screen: SentMessage, round_code: str | None,
                 campaign_id: int | None = None) -> str:
    """The data of the button for `round_code` (of `campaign_id`) on a list of rounds:
    `rd:CODE[:CAMPAIGN]`; the first if none is named."""
    for _, data in screen.buttons:
        _, code, *campaign = data.split(":")
        if code == round_code and (campaign_id is None or campaign == [str(campaign_id)]):
            return data
    return screen.buttons[0][1]


def is_review(screen: SentMessage) -> bool:
    return any(data.startswith("rv:s:") for _, data in screen.buttons)


def typed_answer(question: Question, values: dict[str, Any], seed: int) -> str:
    if question.id in values:
        return str(values[question.id])
    if question.type is QuestionType.INTEGER:
        return str(50 + seed * 7)
    if question.type is QuestionType.DECIMAL:
        return f"{1000 + seed * 137}.5"
    if question.type is QuestionType.DATE:
        return "1月20日"
    return f"{question.prompt.zh}：本地按方案推进，成效明显（示例 {seed}）。"


class ScriptedContact:
    def __init__(self, user: SimulatedUser, campaign: Campaign | list[Campaign], seed: int = 0):
        self.user = user
        self.campaign = campaign  # or every campaign the unit reports in
        self.seed = seed

    async def answer(self, screen: SentMessage, values: dict[str, Any]) -> SentMessage:
        """Answer the question on `screen`; returns the next screen."""
        user = self.user
        question = question_on(screen, self.campaign)
        if question is None:
            raise LookupError(f"not a question: {screen.text[:60]!r}")
        t = question.type
        if t is QuestionType.CHOICE:
            await user.press(screen.buttons[self.seed % len(question.options)][1], screen)
        elif t is QuestionType.YES_NO:
            await user.press(screen.buttons[self.seed % 2][1], screen)
        elif t is QuestionType.MULTI_CHOICE:  # the first option, and one more by the seed
            picks = sorted({0, self.seed % len(question.options)})
            for i in picks:
                await user.press(screen.buttons[i][1], screen)
                await user.server.wait_until(
                    lambda i=i: screen.buttons[i][0].startswith("☑️"))  # type: ignore[misc]
            await user.press(next(d for _, d in screen.buttons if d.startswith("f:d:")), screen)
        elif t is QuestionType.ATTACHMENT:
            await user.press(next(d for _, d in screen.buttons if d.startswith("f:d:")), screen)
        else:
            await user.send(typed_answer(question, values, self.seed))
        return await user.next_message()

    async def report(self, values: dict[str, Any] | None = None,
                     round_code: str | None = None, word: bytes | None = None,
                     campaign_id: int | None = None) -> SentMessage:
        """From /report to the receipt; returns the receipt. With `word`, the report's
        sections come from that .docx, sent when the form reaches the first of them. With
        several rounds open, the one of `round_code` (and `campaign_id`) is chosen."""
        user = self.user
        user.mark_read()
        await user.command("report")
        screen = await user.next_message()
        if any(d.startswith(("rd:", "ra:")) for _, d in screen.buttons):
            await user.press(round_button(screen, round_code, campaign_id), screen)
            screen = await user.next_message()
        for _ in range(60):
            if is_review(screen):
                await user.press(next(d for _, d in screen.buttons if d.startswith("rv:s:")),
                                 screen)
                return await user.next_message()
            if not screen.buttons and question_on(screen, self.campaign) is None:
                screen = await user.next_message()  # the first part of a long review
                continue
            question = question_on(screen, self.campaign)
            if word is not None and question is not None and question.section:
                await user.send_document(word, "报告.docx", DOCX)
                word = None
                screen = await user.next_message()
                continue
            screen = await self.answer(screen, values or {})
        raise RuntimeError("the form did not end")
