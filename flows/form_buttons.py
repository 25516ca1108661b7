"""A press on one of the form's buttons, whatever the front door it came through: a
Telegram inline button or a WeCom card. `press` hands it to the step of the form it
stands for."""

from __future__ import annotations

from flows.report_form import ReportFlow
from flows.screens import Screen
from texts.buttons import Action, Pressed

QUESTION_ACTIONS = {Action.ANSWER_CHOICE: "choice", Action.ANSWER_YES_NO: "yes_no",
                    Action.TOGGLE_OPTION: "toggle", Action.QUESTION_DONE: "done",
                    Action.SKIP_QUESTION: "skip", Action.BACK: "back",
                    Action.KEEP_ANSWER: "keep", Action.SAME_AS_LAST_ROUND: "same",
                    Action.USE_SUGGESTED: "suggested"}
REVIEW_ACTIONS = {Action.SUBMIT: "submit", Action.EDIT_MENU: "edit",
                  Action.EDIT_QUESTION: "edit_question", Action.LATER: "later",
                  Action.TO_REVIEW: "view"}
ROUND_ACTIONS = {Action.FILL_ROUND, Action.AMEND_ROUND}
FORM_ACTIONS = set(QUESTION_ACTIONS) | set(REVIEW_ACTIONS) | ROUND_ACTIONS


async def press(flow: ReportFlow, pressed: Pressed) -> Screen:
    """The screen after `pressed`, one of FORM_ACTIONS."""
    if pressed.action in QUESTION_ACTIONS:
        arg = pressed.args[2] if len(pressed.args) > 2 else ""
        return await flow.answer_button(pressed.id(0), pressed.code(1),
                                        QUESTION_ACTIONS[pressed.action], str(arg))
    if pressed.action in REVIEW_ACTIONS:
        arg = pressed.code(1) if len(pressed.args) > 1 else ""
        return await flow.review_action(pressed.id(0), REVIEW_ACTIONS[pressed.action], arg)
    assert pressed.action in ROUND_ACTIONS
    return await flow.pick_round(pressed.code(0), amend=pressed.action is Action.AMEND_ROUND,
                                 campaign_id=pressed.campaign)
