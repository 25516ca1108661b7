"""Reviewing a unit's report from `/progress`: 📄 opens its latest version; ✅ 通过 accepts
it; ↩️ 退回 asks for the reason (with a button to cancel) and takes it, routed here by
handlers/messages.py while the slot awaits it; ↩️ 按核实项退回 proposes a reason worded
from the report's check items, to confirm with one tap or replace by typing another."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler

from flows import review
from flows.review import OpenedReport
from handlers.context import BotContext
from handlers.keyboards import action_button
from storage import waiting
from texts.buttons import Action
from texts.catalog import t
from texts.text import split_message


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(open_chosen, pattern=r"^op:"))
    application.add_handler(CallbackQueryHandler(return_chosen, pattern=r"^rt:"))
    application.add_handler(CallbackQueryHandler(accept_chosen, pattern=r"^ac:"))
    application.add_handler(CallbackQueryHandler(checked_chosen, pattern=r"^rc:"))
    application.add_handler(CallbackQueryHandler(checked_confirmed, pattern=r"^rk:"))
    application.add_handler(CallbackQueryHandler(return_cancelled, pattern=r"^rx:"))


async def _tapped(update: Update, context: BotContext) -> tuple[Message, int, int] | None:
    """The chat to answer in, the submission tapped and who tapped it; None if the
    message is too old to answer in."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None and context.contact is not None
    await query.answer()
    if not isinstance(query.message, Message):
        return None
    return query.message, pressed.id(0), context.contact.id


async def open_chosen(update: Update, context: BotContext) -> None:
    """📄 pressed: the unit's latest version, whole, with what can be done about it."""
    tapped = await _tapped(update, context)
    if tapped is None:
        return
    message, submission_id, _ = tapped
    report = await review.open_report(context.services, submission_id)
    lang = context.lang
    if report is None:
        await message.chat.send_message(t("report_view.stale", lang))
        return
    parts = split_message(review.report_text(report, context.lang,
                                             context.services.campaign.zone))
    for i, part in enumerate(parts, 1):
        await message.chat.send_message(
            part, reply_markup=_decisions(report, lang) if i == len(parts) else None)


def _decisions(report: OpenedReport, lang: str) -> InlineKeyboardMarkup | None:
    if report.decided:
        return None
    s, short = report.submission_id, report.unit.short
    rows = [[action_button(t("progress.accept", lang, unit=short), Action.ACCEPT_REPORT, s),
             action_button(t("progress.return", lang, unit=short), Action.RETURN_REPORT, s)]]
    if report.checks:
        rows.append([action_button(t("progress.return_checked", lang, unit=short),
                                   Action.RETURN_CHECKED, s)])
    return InlineKeyboardMarkup(rows)


async def accept_chosen(update: Update, context: BotContext) -> None:
    """通过 pressed: the version is accepted and the unit told."""
    tapped = await _tapped(update, context)
    if tapped is None:
        return
    message, submission_id, person_id = tapped
    done = await review.accept_report(context.services, person_id, submission_id)
    lang = context.lang
    if done is None:
        await message.chat.send_message(t("progress.accept_stale", lang))
        return
    await message.chat.send_message(
        t("progress.accepted", lang, unit=html.escape(done.unit_name), n=done.told))


def _cancel(submission_id: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[action_button(t("progress.cancel_return", lang),
                                                Action.RETURN_CANCEL, submission_id)]])


async def return_chosen(update: Update, context: BotContext) -> None:
    """退回 pressed: ask for the reason (the next message is it), with a cancel button."""
    tapped = await _tapped(update, context)
    if tapped is None:
        return
    message, submission_id, person_id = tapped
    await review.ask_reason(context.services, person_id, submission_id)
    await message.chat.send_message(t("progress.ask_reason", context.lang),
                                    reply_markup=_cancel(submission_id, context.lang))


async def checked_chosen(update: Update, context: BotContext) -> None:
    """按核实项退回 pressed: the reason worded from the check items, to confirm."""
    tapped = await _tapped(update, context)
    if tapped is None:
        return
    message, submission_id, person_id = tapped
    lang = context.lang
    proposed = await review.propose_checked_return(context.services, person_id,
                                                   submission_id)
    if proposed is None:
        await message.chat.send_message(t("progress.checked_stale", lang))
        return
    await message.chat.send_message(
        t("progress.checked_reason", lang, unit=html.escape(proposed.unit_name),
          reason=html.escape(proposed.reason)),
        reply_markup=InlineKeyboardMarkup([
            [action_button(t("progress.confirm_checked", lang), Action.RETURN_CONFIRM,
                           submission_id)],
            [action_button(t("progress.cancel_return", lang), Action.RETURN_CANCEL,
                           submission_id)]]))


async def checked_confirmed(update: Update, context: BotContext) -> None:
    """按此理由退回 pressed: returned with the items as they stand now."""
    tapped = await _tapped(update, context)
    if tapped is None:
        return
    message, submission_id, person_id = tapped
    lang = context.lang
    done = await review.return_checked(context.services, person_id, submission_id)
    if done is None:
        await message.chat.send_message(t("progress.checked_stale", lang))
        return
    await message.chat.send_message(t("progress.returned", lang,
                                      unit=html.escape(done.unit_name), n=done.told))


async def return_cancelled(update: Update, context: BotContext) -> None:
    """取消退回 pressed: the reason is no longer awaited; nothing reaches the unit."""
    tapped = await _tapped(update, context)
    if tapped is None:
        return
    message, submission_id, person_id = tapped
    cancelled = await review.cancel_return(context.services, person_id, submission_id)
    await message.chat.send_message(t("cancel.return" if cancelled else "progress.cancel_late",
                                      context.lang))


async def take_reason(message: Message, context: BotContext, slot: waiting.Slot) -> None:
    """The reason for the return the coordinator was asked about."""
    assert context.contact is not None
    lang = context.lang
    if not message.text:  # a file or a sticker: the reason is still awaited
        await message.reply_text(t("progress.ask_reason", lang),
                                 reply_markup=_cancel(slot.target_id, lang))
        return
    done = await review.return_report(context.services, context.contact.id, slot,
                                       message.text)
    if done is None:
        await message.reply_text(t("progress.return_stale", lang))
        return
    await message.reply_text(t("progress.returned", lang, unit=html.escape(done.unit_name),
                               n=done.told))
