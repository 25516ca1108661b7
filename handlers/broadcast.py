"""`/broadcast` (admins): write a notice, choose who gets it, see it as they will, confirm;
then watch it go out (`已发送 120/450`) and read the report.

The notice being written is a row (`broadcasts.stage`), so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from flows.broadcast import render_report
from flows.report_form import IncomingFile
from handlers.context import BotContext
from handlers.keyboards import action_button
from storage import broadcasts, waiting
from storage import models as m
from storage.waiting import Awaiting
from texts.buttons import Action
from texts.catalog import t
from texts.text import clean_text

log = logging.getLogger(__name__)
Button = InlineKeyboardButton
MAX_CAPTION = 1024
PROGRESS_EVERY = 1.5


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("broadcast", start))
    application.add_handler(CallbackQueryHandler(button, pattern=r"^bc:"))


async def start(update: Update, context: BotContext) -> None:
    """Begin a notice (admins only: the guard refused anyone else)."""
    message = update.effective_message
    assert message is not None
    assert context.contact is not None
    services = context.services
    async with services.transaction() as session:
        broadcast = await broadcasts.start_broadcast(session, context.contact.id,
                                                     services.clock.now())
        await waiting.wait_for(session, context.contact.id, Awaiting.BROADCAST_TEXT,
                               broadcast.id, services.clock.now())
    await message.reply_text(t("broadcast.write", context.lang, limit=MAX_CAPTION),
                             reply_markup=_cancel(broadcast.id, context.lang))


async def take_message(message: Message, context: BotContext,
                       incoming: IncomingFile | None, slot: waiting.Slot) -> None:
    """The notice the admin was asked for (`slot`). Decide and commit first; reply after
    (never while holding the write lock)."""
    assert context.contact is not None
    services, lang = context.services, context.lang
    text = clean_text(message.text or message.caption or "")
    problem: str | None = None
    async with services.transaction() as session:
        broadcast = await session.get(m.Broadcast, slot.target_id)
        if broadcast is None or broadcast.created_by != context.contact.id \
                or broadcast.stage != m.BroadcastStage.COMPOSE:
            await waiting.clear(session, context.contact.id)
            problem = t("messages.use_commands", lang)
        elif incoming is not None and len(text) > MAX_CAPTION:
            problem = t("broadcast.caption_too_long", lang, limit=MAX_CAPTION)
        elif not text.strip() and incoming is None:
            problem = t("broadcast.empty", lang)
        elif len(text) > 4000:
            problem = t("broadcast.too_long", lang)
        else:
            broadcast.text = text.strip()
            if incoming is not None:
                attachment = m.Attachment(
                    file_name=incoming.file_name, mime_type=incoming.mime_type,
                    size=len(incoming.content), sha256="", content=incoming.content,
                    telegram_file_id=incoming.telegram_file_id,
                    uploaded_by=context.contact.id, created_at=services.clock.now())
                session.add(attachment)
                await session.flush()
                broadcast.attachment_id = attachment.id
                broadcast.attachment_kind = "photo" if message.photo else "document"
            broadcast.stage = m.BroadcastStage.AUDIENCE
            await waiting.clear(session, context.contact.id)
    if problem is not None:
        await message.reply_text(problem)
        return
    await message.reply_text(t("broadcast.choose_audience", lang),
                             reply_markup=_audiences(broadcast.id, lang))


SUB_MENUS = {Action.BROADCAST_ROLES, Action.BROADCAST_UNITS, Action.BROADCAST_ROUNDS,
             Action.BROADCAST_UNIT}
CHOSEN = {Action.BROADCAST_ALL, Action.BROADCAST_ROLE, Action.BROADCAST_MISSING,
          Action.BROADCAST_UNITS_DONE}


async def button(update: Update, context: BotContext) -> None:
    """Audience, units, round, confirm or cancel."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None
    lang = context.lang
    act, broadcast_id = pressed.action, pressed.id(0)
    arg = pressed.code(1) if len(pressed.args) > 1 else ""
    services, campaign = context.services, context.services.campaign
    assert context.contact is not None and isinstance(query.message, Message)
    refusal: str | None = None
    async with services.transaction() as session:
        broadcast = await session.get(m.Broadcast, broadcast_id)
        if broadcast is None or broadcast.created_by != context.contact.id \
                or broadcast.stage not in broadcasts.OPEN_STAGES:
            refusal = t("form.stale_button", lang)
        elif act is Action.BROADCAST_CANCEL:
            broadcast.stage = m.BroadcastStage.CANCELLED
            await waiting.clear(session, context.contact.id)
        elif act is Action.BROADCAST_ALL:
            broadcast.audience = {"all": True}
        elif act is Action.BROADCAST_ROLE and arg in {r.value for r in m.Role}:
            broadcast.audience = {"role": arg}
        elif act is Action.BROADCAST_UNIT and arg in {u.code for u in campaign.units}:
            chosen = list(broadcast.audience.get("units", []))
            chosen = [c for c in chosen if c != arg] if arg in chosen else [*chosen, arg]
            broadcast.audience = {"units": chosen}
        elif act is Action.BROADCAST_MISSING and arg in {r.id for r in campaign.rounds}:
            broadcast.audience = {"missing": arg}
        if refusal is None:
            try:
                people = (await broadcasts.recipients(session, services.campaign_id,
                                                      broadcast.audience)
                          if broadcast.audience else [])
            except broadcasts.AudienceError:
                people = []
            if act is Action.BROADCAST_SEND:
                if people:
                    sent = await broadcasts.confirm(session, broadcast, services.campaign_id,
                                                    services.clock.now(), services.outbox)
                else:
                    refusal = t("broadcast.nobody", lang)
            elif act in CHOSEN and broadcast.audience:
                broadcast.stage = m.BroadcastStage.PREVIEW
    if refusal is not None:
        await query.answer(refusal, show_alert=act is Action.BROADCAST_SEND)
        return
    await query.answer()
    message = query.message
    if act is Action.BROADCAST_CANCEL:
        await message.edit_text(t("broadcast.cancelled", lang))
    elif act in SUB_MENUS:
        await message.edit_text(t("broadcast.choose_audience", lang),
                                reply_markup=_sub_menu(context, broadcast, act))
    elif act is Action.BROADCAST_SEND:
        await message.edit_reply_markup(None)
        progress = await message.chat.send_message(
            t("broadcast.progress", lang, done=0, total=sent.broadcast.recipients))
        context.application.create_task(
            watch(context, broadcast.id, progress), name=f"broadcast-{broadcast.id}")
    elif broadcast.stage == m.BroadcastStage.PREVIEW:
        await message.edit_reply_markup(None)
        await _preview(message, context, broadcast, len(people))


async def _preview(message: Message, context: BotContext, broadcast: m.Broadcast,
                   count: int) -> None:
    """The notice exactly as recipients will see it, then the count and the choice."""
    lang = context.lang
    body = broadcasts.notice(broadcast)
    if broadcast.attachment_id is not None:
        async with context.services.readers() as session:
            attachment = await session.get_one(m.Attachment, broadcast.attachment_id)
        file: Any = attachment.telegram_file_id or attachment.content
        if broadcast.attachment_kind == "photo":
            await message.chat.send_photo(file, caption=body.text or None)
        else:
            await message.chat.send_document(file, caption=body.text or None,
                                             filename=attachment.file_name)
    else:
        await message.chat.send_message(body.text)
    keyboard = InlineKeyboardMarkup([
        [action_button(t("broadcast.btn.send", lang, n=count), Action.BROADCAST_SEND,
                       broadcast.id)],
        [action_button(t("broadcast.btn.cancel", lang), Action.BROADCAST_CANCEL, broadcast.id)],
    ])
    await message.chat.send_message(t("broadcast.preview", lang, n=count,
                                      audience=_describe(broadcast.audience, context)),
                                    reply_markup=keyboard)


async def watch(context: BotContext, broadcast_id: int, progress: Message) -> None:
    """Edit the progress message as the ledger settles; then send the report."""
    services, lang = context.services, context.lang
    shown = -1
    while True:
        async with services.readers() as session:
            broadcast = await session.get_one(m.Broadcast, broadcast_id)
            result = await broadcasts.report(session, broadcast)
        if result.done != shown and not result.finished:
            shown = result.done
            with contextlib.suppress(BadRequest):
                await progress.edit_text(t("broadcast.progress", lang, done=result.done,
                                           total=result.total))
        if result.finished:
            break
        await asyncio.sleep(PROGRESS_EVERY)
    async with services.transaction() as session:
        row = await session.get_one(m.Broadcast, broadcast_id)
        row.finished_at = services.clock.now()
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


def _sub_menu(context: BotContext, broadcast: m.Broadcast,
              act: Action) -> InlineKeyboardMarkup:
    b, lang, campaign = broadcast.id, context.lang, context.services.campaign
    rows: list[list[Button]]
    if act is Action.BROADCAST_ROLES:
        rows = [[action_button(t(f"role.{r.value}", lang), Action.BROADCAST_ROLE, b, r.value)]
                for r in m.Role]
    elif act is Action.BROADCAST_ROUNDS:
        rows = [[action_button(r.title.get(lang), Action.BROADCAST_MISSING, b, r.id)]
                for r in campaign.rounds]
    else:
        chosen = set(broadcast.audience.get("units", []))
        rows = [[action_button(("☑️ " if u.code in chosen else "⬜ ") + u.short_name,
                               Action.BROADCAST_UNIT, b, u.code)] for u in campaign.units]
        rows.append([action_button(t("form.btn.done", lang), Action.BROADCAST_UNITS_DONE, b)])
    rows.append([action_button(t("broadcast.btn.cancel", lang), Action.BROADCAST_CANCEL, b)])
    return InlineKeyboardMarkup(rows)


def _describe(audience: dict[str, Any], context: BotContext) -> str:
    lang, campaign = context.lang, context.services.campaign
    if audience.get("all"):
        return t("broadcast.aud.all", lang)
    if "role" in audience:
        return t(f"role.{audience['role']}", lang)
    if "units" in audience:
        return t("list.sep", lang).join(campaign.unit(c).short_name for c in audience["units"])
    rnd = campaign.round(audience["missing"])
    return t("broadcast.aud.missing_round", lang, round=rnd.title.get(lang))
