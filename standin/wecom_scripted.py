"""A simulated contact who fills in the report form on WeCom as a person would: reads the
card (or text) the bot sent, answers by the question's type (typing, clicking a button,
ticking options), and submits at the review. For the offline demo and tests; the WeCom
counterpart of standin.scripted."""

from __future__ import annotations

from typing import Any

from reporting.campaign import Campaign, Question, QuestionType
from standin.scripted import typed_answer
from standin.wecom import Received, WeComStandin
from texts.buttons import Action, ForgedButton, Pressed, decode

QUESTION_ACTIONS = {Action.ANSWER_CHOICE, Action.ANSWER_YES_NO, Action.TOGGLE_OPTION,
                    Action.QUESTION_DONE, Action.SKIP_QUESTION, Action.BACK,
                    Action.KEEP_ANSWER}


def _press(carried: str) -> Pressed | None:
    try:
        return decode(carried.partition("|")[0])
    except ForgedButton:
        return None


def _clickables(card: dict[str, Any]) -> list[tuple[str, Pressed, str]]:
    """Every button and option of a card: (where it is, its press, its text)."""
    found = []
    for button in card.get("button_list") or []:
        if (pressed := _press(button.get("key", ""))) is not None:
            found.append(("button", pressed, button["text"]))
    for box in (card.get("checkbox"), card.get("button_selection")):
        for option in (box or {}).get("option_list") or []:
            if (pressed := _press(option["id"])) is not None:
                found.append(("option", pressed, option["text"]))
    submit = card.get("submit_button") or {}
    if (pressed := _press(submit.get("key", ""))) is not None:
        found.append(("submit", pressed, submit["text"]))
    return found


class WeComScriptedContact:
    def __init__(self, wecom: WeComStandin, url: str, user_id: str,
                 campaigns: list[Campaign], seed: int = 0):
        self.wecom = wecom
        self.url = url
        self.user_id = user_id
        self.campaigns = campaigns
        self.seed = seed
        self.read = 0

    def messages(self) -> list[Received]:
        return self.wecom.messages_to(self.user_id)

    def _fresh(self) -> list[Received]:
        mine = self.messages()
        fresh, self.read = mine[self.read:], len(mine)
        return fresh

    async def _post(self, sent: tuple[dict[str, str], bytes]) -> list[Received]:
        if await self.wecom.post(self.url, *sent) != 200:
            raise RuntimeError("the bot refused a callback")
        return self._fresh()

    async def send(self, text: str) -> list[Received]:
        return await self._post(self.wecom.text_callback(self.user_id, text))

    async def click(self, label: str, choose: list[str] | None = None) -> list[Received]:
        return await self._post(self.wecom.click(self.user_id, label, choose))

    def _question(self, screen: list[Received]) -> Question | None:
        for message in reversed(screen):
            for _, pressed, _ in _clickables(message.card or {}):
                if pressed.action in QUESTION_ACTIONS:
                    return self._by_id(pressed.code(1))
        text = "\n".join(m.content for m in screen)
        return next((q for c in self.campaigns for q in c.questions
                     if f"\n{q.prompt.zh}" in f"\n{text}"), None)

    def _by_id(self, question_id: str) -> Question | None:
        return next((q for c in self.campaigns for q in c.questions if q.id == question_id),
                    None)

    async def report(self, values: dict[str, Any] | None = None, round_code: str | None = None,
                     campaign_id: int | None = None) -> str:
        """From the menu's 填报 to the receipt; returns the receipt."""
        self._fresh()
        screen = await self._post(self.wecom.menu_click(self.user_id, "report"))
        for _ in range(80):
            cards = [m.card for m in screen if m.card]
            clickables = [c for card in cards for c in _clickables(card)]
            rounds = [c for c in clickables if c[1].action in (Action.FILL_ROUND,
                                                               Action.AMEND_ROUND)]
            if rounds:
                chosen = next((c for c in rounds if c[1].code(0) == round_code and (
                    campaign_id is None or c[1].campaign == campaign_id)), rounds[0])
                submit = next(c[2] for c in clickables if c[0] == "submit") \
                    if any(c[0] == "submit" for c in clickables) else "确定"
                screen = await self.click(submit, choose=[chosen[2]])
                continue
            submit_report = next((c for c in clickables if c[1].action is Action.SUBMIT), None)
            if submit_report is not None:
                return "\n".join(m.content for m in await self.click(submit_report[2]))
            question = self._question(screen)
            if question is None:
                raise LookupError(f"not a question: {screen[-1].content[:60]!r}")
            screen = await self.answer(question, clickables, values or {})
        raise RuntimeError("the form did not end")

    async def answer(self, question: Question, clickables: list[tuple[str, Pressed, str]],
                     values: dict[str, Any]) -> list[Received]:
        kind = question.type
        n = len(question.options)
        if kind is QuestionType.CHOICE:
            label = question.options[self.seed % n].label.zh
            if any(c[0] == "button" and c[2] == label for c in clickables):
                return await self.click(label)
            option = next(c[2] for c in clickables if c[0] == "option"
                          and c[1].code(3) == question.options[self.seed % n].id)
            return await self.click(next(c[2] for c in clickables if c[0] == "submit"),
                                    choose=[option])
        if kind is QuestionType.YES_NO:
            yes_no = [c for c in clickables if c[1].action is Action.ANSWER_YES_NO]
            return await self.click(yes_no[self.seed % 2][2])
        if kind is QuestionType.MULTI_CHOICE:  # the first option, and one more by the seed
            options = [c[2] for c in clickables if c[0] == "option"]
            picks = sorted({0, self.seed % n})
            done = next(c[2] for c in clickables if c[0] == "submit")
            return await self.click(done, choose=[options[i] for i in picks])
        if kind is QuestionType.ATTACHMENT:
            done = next(c[2] for c in clickables if c[1].action is Action.QUESTION_DONE)
            return await self.click(done)
        return await self.send(typed_answer(question, values, self.seed))
