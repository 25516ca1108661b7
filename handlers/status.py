"""`/status`, `/deadlines` and `/language`: where the unit stands, the calendar, and the
language of the bot's messages."""

from __future__ import annotations

import html
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.context import BotContext
from handlers.joining import set_menu
from handlers.keyboards import action_button
from handlers.permissions import menu
from storage import contacts
from storage import models as m
from storage.progress import round_counts, unit_rounds
from storage.records import RoundRecord
from texts.buttons import Action
from texts.catalog import LANGUAGES, t
from texts.dates import moment, remaining, short_moment


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
    """Each round's state for the contact's unit; the counts for the province."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    services, lang, contact = context.services, context.lang, context.contact
    zone, now = services.campaign.zone, services.clock.now()
    async with services.readers() as session:
        if contact.role != m.Role.CONTACT:
            counts = await round_counts(session, services.campaign_id)
            lines = [t("status.province_title", lang)]
            lines += [t("status.province_line", lang, title=html.escape(_title(context, c.round)),
                        due=moment(c.round.due_at, zone, lang), submitted=c.submitted,
                        total=c.total) for c in counts]
            await message.reply_text("\n".join(lines))
            return
        rounds = await unit_rounds(session, services.campaign_id, contact.unit_id)
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
    await message.reply_text("\n".join(lines))


async def deadlines(update: Update, context: BotContext) -> None:
    """The reporting calendar; coordinators also see the province's own deadlines."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    campaign, lang = context.services.campaign, context.lang
    now = context.services.clock.now()
    lines = [t("deadlines.title", lang, campaign=html.escape(campaign.name.get(lang)))]
    for rnd in campaign.rounds:
        due = campaign.deadline(rnd.code)
        lines.append(t("deadlines.line", lang, title=html.escape(rnd.title.get(lang)),
                       due=moment(due, campaign.zone, lang), left=remaining(due - now, lang)))
    if context.contact.role != m.Role.CONTACT and campaign.upstream:
        lines.append(t("deadlines.upstream", lang))
        for up in campaign.upstream:
            due = campaign.upstream_deadline(up.code)
            lines.append(t("deadlines.line", lang, title=html.escape(up.title.get(lang)),
                           due=moment(due, campaign.zone, lang), left=remaining(due - now, lang)))
    await message.reply_text("\n".join(lines))


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
    try:
        return context.services.campaign.round(rnd.code).title.get(context.lang)
    except KeyError:
        return rnd.title
