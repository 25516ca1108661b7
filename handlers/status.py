"""`/status`, `/deadlines` and `/language`: where the unit stands, the calendar, and the
language of the bot's messages."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.context import BotContext
from handlers.joining import set_menu
from handlers.keyboards import action_button
from handlers.permissions import menu
from storage import contacts
from storage import models as m
from storage.progress import round_counts, unit_rounds
from storage.records import RoundRecord
from storage.taking_part import campaigns_of
from texts.buttons import Action
from texts.catalog import LANGUAGES, t, upstream_name
from texts.dates import moment, remaining, short_moment
from texts.text import split_message


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("status", status))
    application.add_handler(CommandHandler("deadlines", deadlines))
    application.add_handler(CommandHandler("language", language))
    application.add_handler(CommandHandler("whoami", whoami))
    application.add_handler(CallbackQueryHandler(language_chosen, pattern=r"^lang:"))


async def help_command(update: Update, context: BotContext) -> None:
    """What this role can do, or how to join."""
    assert update.effective_message is not None
    lang, contact = context.lang, context.contact
    if contact is None:
        campaign = html.escape(context.services.campaign.name.get(lang))
        await update.effective_message.reply_text(t("help.unbound", lang, campaign=campaign))
        return
    lines = [t("help.intro", lang, role=t(f"role.{contact.role}", lang),
               unit=html.escape(contact.unit.name))]
    lines += [f"/{name} — {t(f'menu.{name}', lang)}" for name in menu(m.Role(contact.role))]
    await update.effective_message.reply_text("\n".join(lines))


async def whoami(update: Update, context: BotContext) -> None:
    """Who the bot takes this person for: name, unit, role, language, Telegram id."""
    assert update.effective_message is not None and context.contact is not None
    contact, lang = context.contact, context.lang
    await update.effective_message.reply_text(t(
        "whoami", lang, name=html.escape(contact.name), unit=html.escape(contact.unit.name),
        role=t(f"role.{contact.role}", lang), language=t("language.name", lang),
        id=contact.telegram_user_id))


async def status(update: Update, context: BotContext) -> None:
    """Each round's state for the contact's unit; the counts for the province. With several
    campaigns, the rounds open now across them, the soonest deadline first."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    services, lang, contact = context.services, context.lang, context.contact
    zone, now = services.campaign.zone, services.clock.now()
    async with services.readers() as session:
        if contact.role != m.Role.CONTACT:
            counts = [c for served in services.each()
                      for c in await round_counts(session, served.campaign_id)]
            if services.several:
                counts = sorted(_at_hand(counts, lambda c: c.round, now),
                                key=lambda c: c.round.due_at)
            lines = [t("status.province_title", lang)]
            lines += [t("status.province_line", lang, title=html.escape(_title(context, c.round)),
                        due=moment(c.round.due_at, zone, lang), submitted=c.submitted,
                        total=c.total) for c in counts]
            await _reply(message, lines)
            return
        taking_part = await campaigns_of(session, contact.unit_id)
        rounds = [item for served in services.each() if served.campaign_id in taking_part
                  for item in await unit_rounds(session, served.campaign_id, contact.unit_id)]
    if services.several:
        rounds = sorted(_at_hand(rounds, lambda item: item.round, now,
                                 done=lambda item: item.latest is not None),
                        key=lambda item: item.round.due_at)
    lines = [t("status.unit_title", lang, unit=html.escape(contact.unit.name))]
    for item in rounds:
        rnd = item.round
        if item.latest is not None:
            state = t("status.state.submitted", lang, version=item.latest.version,
                      when=short_moment(item.latest.submitted_at, zone, lang))
            if item.latest.late:
                state += t("status.state.late_mark", lang)
            if item.draft_answers is not None:
                state += t("status.state.amending", lang)
        elif now < rnd.opens_at:
            state = t("status.state.not_open", lang)
        elif now > rnd.due_at:
            state = t("status.state.overdue", lang)
        else:
            state = t("status.state.open", lang, left=remaining(rnd.due_at - now, lang))
            if item.draft_answers:
                state += t("status.state.draft", lang, n=item.draft_answers)
        lines.append(t("status.unit_line", lang, title=html.escape(_title(context, rnd)),
                       due=moment(rnd.due_at, zone, lang), state=state))
    if len(lines) == 1:
        lines.append(t("status.nothing_open", lang))
    await _reply(message, lines)


Item = TypeVar("Item")


def _at_hand(items: list[Item], round_of: Callable[[Item], RoundRecord], now: dt.datetime,
             done: Callable[[Item], bool] = lambda item: False) -> list[Item]:
    """With several campaigns, the rounds worth a line: those open now, those overdue and
    not done, the latest closed of each campaign (its final count), and each campaign's
    next round to open."""
    shown: list[Item] = []
    for campaign_id in dict.fromkeys(round_of(i).campaign_id for i in items):
        own = [i for i in items if round_of(i).campaign_id == campaign_id]
        closed = [i for i in own if round_of(i).due_at < now]
        upcoming = [i for i in own if round_of(i).opens_at > now]
        shown += [i for i in own if round_of(i).opens_at <= now <= round_of(i).due_at]
        shown += [i for i in closed if not done(i) and i is not closed[-1]]
        shown += closed[-1:] + upcoming[:1]
    return shown


async def _reply(message: Message, lines: list[str]) -> None:
    for part in split_message("\n".join(lines)):
        await message.reply_text(part)


async def deadlines(update: Update, context: BotContext) -> None:
    """The reporting calendar; coordinators also see the province's own deadlines. With
    several campaigns, every deadline still ahead, the soonest first, with its campaign."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    services, lang = context.services, context.lang
    now, zone = services.clock.now(), services.campaign.zone
    province = context.contact.role != m.Role.CONTACT
    if not services.several:
        campaign = services.campaign
        lines = [t("deadlines.title", lang, campaign=html.escape(campaign.name.get(lang)))]
        lines += [_deadline_line(rnd.title.get(lang), campaign.deadline(rnd.code), now, zone, lang)
                  for rnd in campaign.rounds]
        if province and campaign.upstream:
            lines.append(t("deadlines.upstream", lang, **upstream_name(campaign)))
            lines += [_deadline_line(up.title.get(lang), campaign.upstream_deadline(up.code),
                                     now, zone, lang) for up in campaign.upstream]
        await _reply(message, lines)
        return
    async with services.readers() as session:
        taking_part = (None if province
                       else await campaigns_of(session, context.contact.unit_id))
    ahead: list[tuple[dt.datetime, str]] = []
    upstream: list[tuple[dt.datetime, str]] = []
    for served in services.each():
        if taking_part is not None and served.campaign_id not in taking_part:
            continue
        campaign = served.campaign
        ahead += [(r.due_at, served.round_title(r.code, lang)) for r in served.rounds
                  if r.due_at >= now]
        if province:
            upstream += [(due, f"{campaign.name.get(lang)} {up.title.get(lang)}")
                         for up in campaign.upstream
                         if (due := campaign.upstream_deadline(up.code)) >= now]
    lines = [t("deadlines.title_all", lang)]
    lines += [_deadline_line(title, due, now, zone, lang) for due, title in sorted(ahead)]
    if not ahead:
        lines.append(t("deadlines.none_ahead", lang))
    if upstream:
        lines.append(t("deadlines.upstream", lang))
        lines += [_deadline_line(title, due, now, zone, lang) for due, title in sorted(upstream)]
    await _reply(message, lines)


def _deadline_line(title: str, due: dt.datetime, now: dt.datetime, zone: dt.tzinfo,
                   lang: str) -> str:
    return t("deadlines.line", lang, title=html.escape(title), due=moment(due, zone, lang),
             left=remaining(due - now, lang))


async def language(update: Update, context: BotContext) -> None:
    """Offer the languages as buttons."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[
        action_button(t("language.name", code), Action.LANGUAGE, code)
        for code in LANGUAGES
    ]])
    await update.effective_message.reply_text(t("language.choose", context.lang),
                                              reply_markup=keyboard)


async def language_chosen(update: Update, context: BotContext) -> None:
    """Keep the chosen language and reset the menu in it."""
    query = update.callback_query
    pressed = context.pressed
    assert query is not None and pressed is not None and context.contact is not None
    code = pressed.code(0)
    if code not in LANGUAGES:
        await query.answer()
        return
    services = context.services
    async with services.transaction() as session:
        await contacts.set_language(session, context.contact.id, code)
    context.contact = replace(context.contact, language=code)
    await query.answer(t("language.set", code))
    await query.edit_message_text(t("language.set", code))
    await set_menu(context, context.contact)


def _title(context: BotContext, rnd: RoundRecord) -> str:
    return context.services.of(rnd.campaign_id).round_title(rnd.code, context.lang)
