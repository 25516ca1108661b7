"""Reviewing units' reports on WeCom (coordinators and admins), as from Telegram's
/progress: a list card to open a unit's latest version; the report in full, then a card
to accept it, return it (the next message is the reason, with a card to cancel), or
return it worded from its check items (to confirm). The flows are flows.review's."""

from __future__ import annotations

import html
from typing import Any

from flows import review
from flows.progress import ProgressView
from flows.services import Services
from storage import waiting
from texts.buttons import Action
from texts.catalog import t
from texts.text import plain
from wecom_front.card_parts import (
    MAX_OPTION_ID,
    MAX_TICKS,
    PICK,
    button_list,
    key,
    new_card,
    option_id,
    short,
)
from wecom_io.api import WeComApi

ACTIONS = frozenset({Action.OPEN_REPORT, Action.ACCEPT_REPORT, Action.RETURN_REPORT,
                     Action.RETURN_CHECKED, Action.RETURN_CONFIRM, Action.RETURN_CANCEL})


class ReviewDoor:
    def __init__(self, services: Services, api: WeComApi, user: str, person_id: int,
                 lang: str):
        self.services = services
        self.api = api
        self.user = user
        self.person_id = person_id
        self.lang = lang

    async def offer(self, view: ProgressView) -> None:
        """After a round's progress: its reports to open, 20 a card."""
        reports = view.reports
        for start in range(0, len(reports), MAX_TICKS):
            box = {"question_key": "report", "mode": 0, "option_list": [
                {"id": option_id(key(label, Action.OPEN_REPORT, r.submission_id,
                                     limit=MAX_OPTION_ID)),
                 "text": short(label, 17), "is_checked": i == 0}
                for i, r in enumerate(reports[start:start + MAX_TICKS])
                for label in [plain(t("progress.open", self.lang, unit=r.unit))]]}
            await self.api.send_card(self.user, new_card(
                "vote_interaction", t("wecom.card.open_report", self.lang), checkbox=box,
                submit_button={"text": t("wecom.card.confirm", self.lang), "key": PICK}))

    async def pressed(self, action: Action, submission_id: int) -> None:
        services, person = self.services, self.person_id
        if action is Action.OPEN_REPORT:
            await self.open(submission_id)
        elif action is Action.ACCEPT_REPORT:
            done = await review.accept_report(services, person, submission_id)
            await self.say(t("progress.accept_stale", self.lang) if done is None else
                           t("progress.accepted", self.lang, unit=html.escape(done.unit_name),
                             n=done.told))
        elif action is Action.RETURN_REPORT:
            await review.ask_reason(services, person, submission_id)
            await self.card(t("progress.ask_reason", self.lang), self.cancel(submission_id))
        elif action is Action.RETURN_CHECKED:
            proposed = await review.propose_checked_return(services, person, submission_id)
            if proposed is None:
                await self.say(t("progress.checked_stale", self.lang))
                return
            await self.say(t("progress.checked_reason", self.lang,
                             unit=html.escape(proposed.unit_name),
                             reason=html.escape(proposed.reason)))
            confirm = plain(t("progress.confirm_checked", self.lang))
            await self.card(t("wecom.card.return_checked", self.lang), [
                (confirm, key(confirm, Action.RETURN_CONFIRM, submission_id)),
                *self.cancel(submission_id)])
        elif action is Action.RETURN_CONFIRM:
            done = await review.return_checked(services, person, submission_id)
            await self.say(t("progress.checked_stale", self.lang) if done is None else
                           t("progress.returned", self.lang, unit=html.escape(done.unit_name),
                             n=done.told))
        else:  # RETURN_CANCEL
            cancelled = await review.cancel_return(services, person, submission_id)
            await self.say(t("cancel.return" if cancelled else "progress.cancel_late",
                             self.lang))

    async def open(self, submission_id: int) -> None:
        report = await review.open_report(self.services, submission_id)
        if report is None:
            await self.say(t("report_view.stale", self.lang))
            return
        await self.say(review.report_text(report, self.lang, self.services.campaign.zone))
        if report.decided:
            return
        s, unit = report.submission_id, report.unit.short
        pairs = [(plain(t(name, self.lang, unit=unit)), action) for name, action in (
            ("progress.accept", Action.ACCEPT_REPORT), ("progress.return", Action.RETURN_REPORT),
            *([("progress.return_checked", Action.RETURN_CHECKED)] if report.checks else []))]
        await self.card(t("wecom.card.decide", self.lang, unit=unit),
                        [(label, key(label, action, s)) for label, action in pairs])

    async def reason(self, slot: waiting.Slot, text: str) -> None:
        """The reason for the return this person was asked about."""
        done = await review.return_report(self.services, self.person_id, slot, text)
        await self.say(t("progress.return_stale", self.lang) if done is None else
                       t("progress.returned", self.lang, unit=html.escape(done.unit_name),
                         n=done.told))

    def cancel(self, submission_id: int) -> list[tuple[str, str]]:
        label = plain(t("progress.cancel_return", self.lang))
        return [(label, key(label, Action.RETURN_CANCEL, submission_id))]

    async def card(self, title: str, pairs: list[tuple[str, str]]) -> None:
        made: dict[str, Any] = new_card("button_interaction", title,
                                        button_list=button_list(pairs))
        await self.api.send_card(self.user, made)

    async def say(self, text: str) -> None:
        await self.api.send_text(self.user, plain(text))
