"""Reviewing units' reports on WeCom (coordinators and admins), as from Telegram's
/progress: a list card to open a unit's latest version; the report in full, then a card
to accept it, return it (the next message is the reason, with a card to cancel), or
return it worded from its check items (to confirm). The flows are flows.review's."""

from __future__ import annotations

import html

from flows import review
from flows.progress import ProgressView
from flows.services import Services
from storage import waiting
from texts.buttons import Action
from texts.catalog import t
from texts.text import plain
from wecom_front.card_parts import pair
from wecom_front.chat import Chat
from wecom_front.pick_cards import buttons_card, report_cards

ACTIONS = frozenset({Action.OPEN_REPORT, Action.ACCEPT_REPORT, Action.RETURN_REPORT,
                     Action.RETURN_CHECKED, Action.RETURN_CONFIRM, Action.RETURN_CANCEL})


class ReviewDoor:
    def __init__(self, services: Services, chat: Chat, person_id: int, lang: str):
        self.services = services
        self.chat = chat
        self.person_id = person_id
        self.lang = lang

    async def offer(self, view: ProgressView) -> None:
        """After a round's progress: its reports to open."""
        reports = [(plain(t("progress.open", self.lang, unit=r.unit)), r.submission_id)
                   for r in view.reports]
        for card in report_cards(reports, self.lang):
            await self.chat.card(card)

    async def pressed(self, action: Action, submission_id: int) -> None:
        services, person, lang, say = self.services, self.person_id, self.lang, self.chat.say
        if action is Action.OPEN_REPORT:
            await self.open(submission_id)
        elif action is Action.ACCEPT_REPORT:
            done = await review.accept_report(services, person, submission_id)
            await say(t("progress.accept_stale", lang) if done is None else
                      t("progress.accepted", lang, unit=html.escape(done.unit_name),
                        n=done.told))
        elif action is Action.RETURN_REPORT:
            await review.ask_reason(services, person, submission_id)
            await self.chat.card(buttons_card(t("progress.ask_reason", lang),
                                              [self.cancel(submission_id)]))
        elif action is Action.RETURN_CHECKED:
            proposed = await review.propose_checked_return(services, person, submission_id)
            if proposed is None:
                await say(t("progress.checked_stale", lang))
                return
            await say(t("progress.checked_reason", lang, unit=html.escape(proposed.unit_name),
                        reason=html.escape(proposed.reason)))
            await self.chat.card(buttons_card(t("wecom.card.return_checked", lang), [
                pair(plain(t("progress.confirm_checked", lang)), Action.RETURN_CONFIRM,
                     submission_id), self.cancel(submission_id)]))
        elif action is Action.RETURN_CONFIRM:
            done = await review.return_checked(services, person, submission_id)
            await say(t("progress.checked_stale", lang) if done is None else
                      t("progress.returned", lang, unit=html.escape(done.unit_name),
                        n=done.told))
        else:  # RETURN_CANCEL
            cancelled = await review.cancel_return(services, person, submission_id)
            await say(t("cancel.return" if cancelled else "progress.cancel_late", lang))

    async def open(self, submission_id: int) -> None:
        report = await review.open_report(self.services, submission_id)
        if report is None:
            await self.chat.say(t("report_view.stale", self.lang))
            return
        await self.chat.say(review.report_text(report, self.lang, self.services.campaign.zone))
        if report.decided:
            return
        s, unit = report.submission_id, report.unit.short
        decisions = [("progress.accept", Action.ACCEPT_REPORT),
                     ("progress.return", Action.RETURN_REPORT)]
        if report.checks:
            decisions.append(("progress.return_checked", Action.RETURN_CHECKED))
        await self.chat.card(buttons_card(t("wecom.card.decide", self.lang, unit=unit), [
            pair(plain(t(words, self.lang, unit=unit)), action, s)
            for words, action in decisions]))

    async def reason(self, slot: waiting.Slot, text: str) -> None:
        """The reason for the return this person was asked about."""
        done = await review.return_report(self.services, self.person_id, slot, text)
        await self.chat.say(t("progress.return_stale", self.lang) if done is None else
                            t("progress.returned", self.lang, unit=html.escape(done.unit_name),
                              n=done.told))

    def cancel(self, submission_id: int) -> tuple[str, str]:
        return pair(plain(t("progress.cancel_return", self.lang)), Action.RETURN_CANCEL,
                    submission_id)
