"""What the province's staff do on WeCom (coordinators and admins): read a round's
progress, get its digest now (the text, then the Word and Excel files), remind the units
that owe it; the round named after the command (`/progress r1`) or chosen from a card.
After a round's progress, its reports to open, accept or return (wecom_front.review).
Files and broadcasts are on Telegram and the command line."""

from __future__ import annotations

from flows.digests import compile_digest, file_caption
from flows.progress import progress_view, rounds_to_offer
from flows.reminders import remind_lines
from flows.services import Services
from texts.buttons import Action
from texts.catalog import t
from texts.text import plain
from wecom_front.pick_cards import round_card
from wecom_front.review import ReviewDoor
from wecom_io.api import WeComApi

QUESTIONS = {Action.PROGRESS_ROUND: "progress.which", Action.DIGEST_ROUND: "digest.which",
             Action.REMIND_ROUND: "remind.which"}
COMMANDS = {"progress": Action.PROGRESS_ROUND, "digest": Action.DIGEST_ROUND,
            "remind": Action.REMIND_ROUND}


class ProvinceDoor:
    ACTIONS = frozenset(QUESTIONS)

    def __init__(self, services: Services, api: WeComApi, user: str, lang: str,
                 reviewer: ReviewDoor):
        self.services = services
        self.api = api
        self.user = user
        self.lang = lang
        self.reviewer = reviewer

    async def ask(self, action: Action, named: str = "") -> None:
        """The round named, if exactly one campaign has it; else a card to choose from."""
        offered = rounds_to_offer(self.services)
        found = [(served, r) for served, r in offered if r.code == named]
        if len(found) == 1:
            await self.round(action, found[0][0], named)
            return
        if not offered:
            await self.say(t("round.none_begun", self.lang))
            return
        rounds = [(served.round_title(r.code, self.lang), r.code, r.campaign_id)
                  for served, r in (found or offered)]
        await self.say("\n".join([t(QUESTIONS[action], self.lang),
                                  *(title for title, _, _ in rounds)]))
        await self.api.send_card(self.user, round_card(action, rounds, self.lang))

    async def round(self, action: Action, served: Services, code: str) -> None:
        if action is Action.PROGRESS_ROUND:
            view = await progress_view(served, code, self.lang)
            await self.say("\n".join(view.lines))
            await self.reviewer.offer(view)  # its reports, to open, accept or return
            return
        if action is Action.REMIND_ROUND:
            await self.say("\n".join(await remind_lines(served, code, self.lang,
                                                         served.settings.bot_username)))
            return
        compiled = await compile_digest(served, code, served.clock.now())
        for part in compiled.rendered.parts:  # the summary first: then each file
            await self.say(part)
        zone = served.campaign.zone
        for made in compiled.rendered.files:
            await self.say(file_caption(made.kind, compiled.round_title, compiled.as_of, zone,
                                        self.lang))
            await self.api.send_file(self.user, made.name, made.content)

    async def say(self, text: str) -> None:
        await self.api.send_text(self.user, plain(text))
