"""What the province's staff do on WeCom (coordinators and admins): read a round's
progress, get its digest now (the text, then the Word and Excel files), remind the units
that owe it, and receive every file units sent (zipped by unit, under WeCom's 20 MB a
file); the round named after the command (`/progress r1`) or chosen from a card. After a
round's progress, its reports to open, accept or return (wecom_front.review). Broadcasts
and people are on Telegram and the command line."""

from __future__ import annotations

import html

from flows.digests import compile_digest, file_caption
from flows.files import round_bundle
from flows.progress import progress_view, rounds_to_offer
from flows.reminders import remind_lines
from flows.services import Services
from texts.buttons import Action
from texts.catalog import t
from wecom_front.chat import Chat
from wecom_front.pick_cards import round_cards
from wecom_front.review import ReviewDoor
from wecom_io.api import MAX_MEDIA_BYTES

QUESTIONS = {Action.PROGRESS_ROUND: "progress.which", Action.DIGEST_ROUND: "digest.which",
             Action.REMIND_ROUND: "remind.which", Action.FILES_ROUND: "files.which"}
COMMANDS = {"progress": Action.PROGRESS_ROUND, "digest": Action.DIGEST_ROUND,
            "remind": Action.REMIND_ROUND, "files": Action.FILES_ROUND}
# A zip's room under WeCom's 20 MB a file, with room for the zip's own records.
BUNDLE_BYTES = MAX_MEDIA_BYTES - 512 * 1024


class ProvinceDoor:
    ACTIONS = frozenset(QUESTIONS)

    def __init__(self, services: Services, chat: Chat, lang: str, reviewer: ReviewDoor):
        self.services = services
        self.chat = chat
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
            await self.chat.say(t("round.none_begun", self.lang))
            return
        rounds = [(served.round_title(r.code, self.lang), r.code, r.campaign_id)
                  for served, r in (found or offered)]
        await self.chat.say("\n".join([t(QUESTIONS[action], self.lang),
                                  *(title for title, _, _ in rounds)]))
        for card in round_cards(action, rounds, self.lang):
            await self.chat.card(card)

    async def round(self, action: Action, served: Services, code: str) -> None:
        if action is Action.PROGRESS_ROUND:
            view = await progress_view(served, code, self.lang)
            await self.chat.say("\n".join(view.lines))
            await self.reviewer.offer(view)  # its reports, to open, accept or return
            return
        if action is Action.FILES_ROUND:
            await self.files(served, code)
            return
        if action is Action.REMIND_ROUND:
            await self.chat.say("\n".join(await remind_lines(served, code, self.lang,
                                                         served.settings.bot_username)))
            return
        compiled = await compile_digest(served, code, served.clock.now())
        for part in compiled.rendered.parts:  # the summary first: then each file
            await self.chat.say(part)
        zone = served.campaign.zone
        for made in compiled.rendered.files:
            await self.chat.say(file_caption(made.kind, compiled.round_title, compiled.as_of, zone,
                                        self.lang))
            await self.chat.file(made.name, made.content)

    async def files(self, served: Services, code: str) -> None:
        """Every file units sent for the round, zipped by unit, each zip under WeCom's
        limit for a file."""
        title = html.escape(served.round_title(code, self.lang))
        bundles = await round_bundle(served, code, BUNDLE_BYTES)
        if not bundles:
            await self.chat.say(t("files.none", self.lang, round=title))
        for i, bundle in enumerate(bundles, 1):
            part = t("files.part", self.lang, i=i, of=len(bundles)) if len(bundles) > 1 else ""
            await self.chat.say(t("files.caption", self.lang, round=title, n=bundle.files,
                             part=part))
            await self.chat.file(bundle.name, bundle.content)
