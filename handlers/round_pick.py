"""Which round a province command is about (`/digest`, `/progress`, `/files`, `/remind`):
the one named after the command, or one chosen from buttons. With several campaigns served
the buttons name each round's campaign and carry its key, so `r1` of one festival is never
taken for `r1` of another."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message

from flows.progress import rounds_to_offer
from flows.services import Services
from handlers.context import BotContext
from handlers.keyboards import action_button
from storage.records import RoundRecord
from texts.buttons import Action
from texts.catalog import t

Pick = tuple[Services, str]  # the round's campaign, and its code


def named(context: BotContext) -> list[Pick]:
    """The rounds the command's argument names (`/digest r1`): one, or one per campaign
    with a round of that code."""
    if not context.args:
        return []
    code = context.args[0]
    return [(served, code) for served in context.services.each()
            if any(r.code == code for r in served.rounds)]


def pressed(context: BotContext) -> Pick | None:
    """The round a button stands for, if its campaign still has it."""
    tap = context.pressed
    assert tap is not None
    served = context.services.of(tap.campaign)
    code = tap.code(0)
    return (served, code) if any(r.code == code for r in served.rounds) else None


async def ask(message: Message, context: BotContext, action: Action, question: str,
              offered: list[tuple[Services, RoundRecord]] | None = None) -> None:
    """Buttons for the rounds, each with its campaign when several are served."""
    lang = context.lang
    offered = rounds_to_offer(context.services) if offered is None else offered
    rows = [[action_button(served.round_title(r.code, lang), action, r.code, r.campaign_id)]
            for served, r in offered]
    if not rows:
        await message.reply_text(t("round.none_begun", lang))
        return
    await message.reply_text(t(question, lang), reply_markup=InlineKeyboardMarkup(rows))


async def resolve(message: Message, context: BotContext, action: Action,
                  question: str) -> Pick | None:
    """The round the command names, or None once the person was asked to choose."""
    found = named(context)
    if len(found) == 1:
        return found[0]
    offered = None
    if found:  # the same code in several campaigns: which one
        offered = [(served, r) for served, code in found for r in served.rounds
                   if r.code == code]
    await ask(message, context, action, question, offered)
    return None
