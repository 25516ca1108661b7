"""`/broadcast` (admins): write a notice, choose who gets it, see it as they will, confirm;
then watch it go out (`已发送 120/450`) and read the report.

The steps are the broadcast flow's (flows/broadcast.py); the notice being written is a row
(its stage), so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from flows import broadcast as flow
from flows.broadcast import render_report
from flows.progress import rounds_to_offer
from flows.report_form import IncomingFile
from handlers.context import BotContext
from handlers.keyboards import action_button
from storage import broadcasts, waiting
from storage import models as m
from storage.attachments import stored_file
from storage.broadcasts import BroadcastRecord
from texts.buttons import Action
from texts.catalog import t

log = logging.getLogger(__name__)
Button = InlineKeyboardButton
PROGRESS_EVERY = 1.5


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("broadcast", start))
    application.add_handler(CallbackQueryHandler(button, pattern=r"^bc:"))


async def start(update: Update, context: BotContext) -> None:
    """Begin a notice (admins only: the guard refused anyone else)."""
    message = update.effective_message
    assert message is not None and context.contact is not None
    broadcast_id = await flow.begin(context.services, context.contact.id)
    await message.reply_text(t("broadcast.write", context.lang,
                               limit=flow.caption_room(context.services)),
                             reply_markup=_cancel(broadcast_id, context.lang))


async def take_message(message: Message, context: BotContext,
                       incoming: IncomingFile | None, slot: waiting.Slot) -> None:
    """The notice the admin was asked for (`slot`)."""
    assert context.contact is not None
    taken = await flow.take_notice(context.services, context.contact.id, slot,
                                   message.text or message.caption or "", incoming,
                                   photo=bool(message.photo))
    if isinstance(taken, flow.Refused):
        await message.reply_text(t(taken.key, context.lang, **taken.values))
        return
    await message.reply_text(t("broadcast.choose_audience", context.lang),
                             reply_markup=_audiences(taken.id, context.lang))


CHOICES = {Action.BROADCAST_ALL: flow.Choose.ALL, Action.BROADCAST_ROLE: flow.Choose.ROLE,
           Action.BROADCAST_UNIT: flow.Choose.UNIT, Action.BROADCAST_MISSING: flow.Choose.MISSING,
           Action.BROADCAST_UNITS_DONE: flow.Choose.UNITS_DONE}
LISTS = {Action.BROADCAST_ROLES, Action.BROADCAST_UNITS, Action.BROADCAST_ROUNDS,
         Action.BROADCAST_UNIT}


async def button(update: Update, context: BotContext) -> None:
    """Audience, units, round, confirm or cancel."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None and context.contact is not None
    assert isinstance(query.message, Message)
    services, lang, message = context.services, context.lang, query.message
    act, broadcast_id, me = pressed.action, pressed.id(0), context.contact.id
    if act is Action.BROADCAST_CANCEL:
        if not await flow.cancel(services, me, broadcast_id):
            await query.answer(t("form.stale_button", lang))
            return
        await query.answer()
        await message.edit_text(t("broadcast.cancelled", lang))
        return
    if act is Action.BROADCAST_SEND:
        sent = await flow.send(services, me, broadcast_id)
        if isinstance(sent, flow.Refused):
            await query.answer(t(sent.key, lang, **sent.values), show_alert=True)
            return
        await query.answer()
        await message.edit_reply_markup(None)
        progress = await message.chat.send_message(
            t("broadcast.progress", lang, done=0, total=sent.broadcast.recipients))
        context.application.create_task(
            watch(context, broadcast_id, progress), name=f"broadcast-{broadcast_id}")
        return
    code = pressed.code(1) if len(pressed.args) > 1 else ""
    chosen = await flow.choose(services, me, broadcast_id, CHOICES.get(act), code,
                               context.bot.username or "", campaign_id=pressed.campaign)
    if isinstance(chosen, flow.Refused):
        await query.answer(t(chosen.key, lang, **chosen.values))
        return
    await query.answer()
    if act in LISTS:
        await message.edit_text(t("broadcast.choose_audience", lang),
                                reply_markup=_sub_menu(context, chosen.broadcast, act))
    elif chosen.broadcast.stage == m.BroadcastStage.PREVIEW:
        await message.edit_reply_markup(None)
        await _preview(message, context, chosen.broadcast, chosen.recipients,
                       chosen.unreached)


async def _preview(message: Message, context: BotContext, broadcast: BroadcastRecord,
                   count: int, unreached: list[tuple[str, str]]) -> None:
    """The notice exactly as recipients will see it, then the count and the choice."""
    lang = context.lang
    body = broadcasts.notice(broadcast, flow.sender_header(context.services))
    if broadcast.attachment_id is not None:
        async with context.services.readers() as session:
            attachment = await stored_file(session, broadcast.attachment_id)
        file: Any = attachment.telegram_file_id or attachment.content
        if broadcast.attachment_kind == "photo":
            await message.chat.send_photo(file, caption=body.text or None)
        else:
            await message.chat.send_document(file, caption=body.text or None,
                                             filename=attachment.name)
    else:
        await message.chat.send_message(body.text)
    keyboard = InlineKeyboardMarkup([
        [action_button(t("broadcast.btn.send", lang, n=count), Action.BROADCAST_SEND,
                       broadcast.id)],
        [action_button(t("broadcast.btn.cancel", lang), Action.BROADCAST_CANCEL, broadcast.id)],
    ])
    lines = [t("broadcast.preview", lang, n=count,
               audience=_describe(broadcast.audience, context))]
    if unreached:
        lines += [t("broadcast.unreached", lang, names=html.escape(t("list.sep", lang).join(
            name for name, _ in unreached)))]
        lines += [t("remind.invite_line", lang, unit=html.escape(name), link=html.escape(link))
                  for name, link in unreached]
    await message.chat.send_message("\n".join(lines), disable_web_page_preview=True,
                                    reply_markup=keyboard)


async def watch(context: BotContext, broadcast_id: int, progress: Message) -> None:
    """Edit the progress message as the ledger settles; then send the report."""
    services, lang = context.services, context.lang
    shown = -1
    while True:
        result = await flow.report(services, broadcast_id)
        if result.done != shown and not result.finished:
            shown = result.done
            with contextlib.suppress(BadRequest):
                await progress.edit_text(t("broadcast.progress", lang, done=result.done,
                                           total=result.total))
        if result.finished:
            break
        await asyncio.sleep(PROGRESS_EVERY)
    await flow.finish(services, broadcast_id)
    await progress.edit_text(t("broadcast.progress", lang, done=result.total, total=result.total))
    await progress.chat.send_message(render_report(result, lang))


def _cancel(broadcast_id: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[action_button(t("broadcast.btn.cancel", lang),
                                                Action.BROADCAST_CANCEL, broadcast_id)]])


def _audiences(broadcast_id: int, lang: str) -> InlineKeyboardMarkup:
    b = broadcast_id
    return InlineKeyboardMarkup([
        [action_button(t("broadcast.aud.all", lang), Action.BROADCAST_ALL, b)],
        [action_button(t("broadcast.aud.role", lang), Action.BROADCAST_ROLES, b)],
        [action_button(t("broadcast.aud.units", lang), Action.BROADCAST_UNITS, b)],
        [action_button(t("broadcast.aud.missing", lang), Action.BROADCAST_ROUNDS, b)],
        [action_button(t("broadcast.btn.cancel", lang), Action.BROADCAST_CANCEL, b)],
    ])


def _sub_menu(context: BotContext, broadcast: BroadcastRecord,
              act: Action) -> InlineKeyboardMarkup:
    b, lang, services = broadcast.id, context.lang, context.services
    rows: list[list[Button]]
    if act is Action.BROADCAST_ROLES:
        rows = [[action_button(t(f"role.{r.value}", lang), Action.BROADCAST_ROLE, b, r.value)]
                for r in m.Role]
    elif act is Action.BROADCAST_ROUNDS:
        rows = [[action_button(served.round_title(r.code, lang), Action.BROADCAST_MISSING, b,
                               r.code, r.campaign_id)]
                for served, r in rounds_to_offer(services)]
    else:
        chosen = set(broadcast.audience.get("units", []))
        rows = [[action_button(("☑️ " if u.code in chosen else "⬜ ") + u.short_name,
                               Action.BROADCAST_UNIT, b, u.code)]
                for u in services.roster().values() if u.code != services.campaign.province.code]
        rows.append([action_button(t("form.btn.done", lang), Action.BROADCAST_UNITS_DONE, b)])
    rows.append([action_button(t("broadcast.btn.cancel", lang), Action.BROADCAST_CANCEL, b)])
    return InlineKeyboardMarkup(rows)


def _describe(audience: dict[str, Any], context: BotContext) -> str:
    lang, services = context.lang, context.services
    if audience.get("all"):
        return t("broadcast.aud.all", lang)
    if "role" in audience:
        return t(f"role.{audience['role']}", lang)
    if "units" in audience:
        roster = services.roster()
        return t("list.sep", lang).join(roster[c].short_name if c in roster else c
                                        for c in audience["units"])
    served = services.of(audience.get("campaign"))
    return t("broadcast.aud.missing_round", lang,
             round=served.round_title(audience["missing"], lang))
