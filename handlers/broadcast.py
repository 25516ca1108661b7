"""`/broadcast` (admins): write a notice, choose who gets it, see it as they will, confirm;
then watch it go out (`已发送 120/450`) and read the report.

The notice being written is a row (`broadcasts.stage`), so a restart loses nothing.
Buttons: `bc:<broadcast>:<act>[:<arg>]`.
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

from bot.catalog import t
from handlers.context import BotContext
from reporting.report_flow import IncomingFile
from storage import broadcasts
from storage import models as m

log = logging.getLogger(__name__)
Button = InlineKeyboardButton
MAX_CAPTION = 1024
PROGRESS_EVERY = 1.5


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("broadcast", start))
    application.add_handler(CallbackQueryHandler(button, pattern=r"^bc:"))


def _is_admin(context: BotContext) -> bool:
    return context.contact is not None and context.contact.role == m.Role.ADMIN


async def start(update: Update, context: BotContext) -> None:
    """Begin a notice; anyone but an admin is refused without a hint of what it does."""
    message = update.effective_message
    assert message is not None
    if not _is_admin(context):
        await message.reply_text(t("guard.not_allowed", context.lang))
        return
    assert context.contact is not None
    services = context.services
    async with services.transaction() as session:
        broadcast = await broadcasts.start_broadcast(session, context.contact.id,
                                                     services.clock.now())
    await message.reply_text(t("broadcast.write", context.lang, limit=MAX_CAPTION),
                             reply_markup=_cancel(broadcast.id, context.lang))


async def take_message(message: Message, context: BotContext,
                       incoming: IncomingFile | None) -> bool:
    """An admin's message: the notice, if one is being written. False if none is."""
    assert context.contact is not None
    services, lang = context.services, context.lang
    text = message.text or message.caption or ""
    async with services.transaction() as session:
        broadcast = await broadcasts.open_broadcast(session, context.contact.id)
        if broadcast is None or broadcast.stage != "compose":
            return False
        if incoming is not None and len(text) > MAX_CAPTION:
            await message.reply_text(t("broadcast.caption_too_long", lang, limit=MAX_CAPTION))
            return True
        if not text.strip() and incoming is None:
            await message.reply_text(t("broadcast.empty", lang))
            return True
        if len(text) > 4000:
            await message.reply_text(t("broadcast.too_long", lang))
            return True
        broadcast.text = text.strip()
        if incoming is not None:
            attachment = m.Attachment(
                file_name=incoming.file_name, mime_type=incoming.mime_type,
                size=len(incoming.content), sha256="", content=incoming.content,
                telegram_file_id=incoming.telegram_file_id, uploaded_by=context.contact.id,
                created_at=services.clock.now())
            session.add(attachment)
            await session.flush()
            broadcast.attachment_id = attachment.id
            broadcast.attachment_kind = "photo" if message.photo else "document"
        broadcast.stage = "audience"
    await message.reply_text(t("broadcast.choose_audience", lang),
                             reply_markup=_audiences(broadcast.id, lang))
    return True


async def button(update: Update, context: BotContext) -> None:
    """Audience, units, round, confirm or cancel."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang
    if not _is_admin(context):
        await query.answer(t("guard.not_allowed", lang), show_alert=True)
        return
    parts = query.data.split(":")
    if len(parts) < 3 or not parts[1].isdigit():
        await query.answer()
        return
    broadcast_id, act, arg = int(parts[1]), parts[2], parts[3] if len(parts) > 3 else ""
    services = context.services
    assert context.contact is not None and isinstance(query.message, Message)
    async with services.transaction() as session:
        broadcast = await session.get(m.Broadcast, broadcast_id)
        if broadcast is None or broadcast.created_by != context.contact.id \
                or broadcast.stage not in broadcasts.OPEN_STAGES:
            await query.answer(t("form.stale_button", lang))
            return
        if act == "cancel":
            broadcast.stage = "cancelled"
        elif act == "all":
            broadcast.audience = {"all": True}
        elif act == "role" and arg in {r.value for r in m.Role}:
            broadcast.audience = {"role": arg}
        elif act == "unit":
            chosen = list(broadcast.audience.get("units", []))
            chosen = [c for c in chosen if c != arg] if arg in chosen else [*chosen, arg]
            broadcast.audience = {"units": chosen}
        elif act == "missing" and arg:
            broadcast.audience = {"missing": arg}
        try:
            people = (await broadcasts.recipients(session, services.campaign_id,
                                                  broadcast.audience)
                      if broadcast.audience else [])
        except broadcasts.AudienceError:
            people = []
        if act == "send":
            if not people:
                await query.answer(t("broadcast.nobody", lang), show_alert=True)
                return
            sent = await broadcasts.confirm(session, broadcast, services.campaign_id,
                                            services.clock.now())
        elif act in {"all", "role", "missing", "units_done"} and broadcast.audience:
            broadcast.stage = "preview"
    await query.answer()
    message = query.message
    if act == "cancel":
        await message.edit_text(t("broadcast.cancelled", lang))
    elif act in {"roles", "units", "rounds", "unit"}:
        await message.edit_text(t("broadcast.choose_audience", lang),
                                reply_markup=_sub_menu(context, broadcast, act))
    elif act == "send":
        await message.edit_reply_markup(None)
        sender = context.application.bot_data.get("sender")
        if sender is not None:
            sender.nudge()
        progress = await message.chat.send_message(
            t("broadcast.progress", lang, done=0, total=sent.broadcast.recipients))
        context.application.create_task(
            watch(context, broadcast.id, progress), name=f"broadcast-{broadcast.id}")
    elif broadcast.stage == "preview":
        await message.edit_reply_markup(None)
        await _preview(message, context, broadcast, len(people))


async def _preview(message: Message, context: BotContext, broadcast: m.Broadcast,
                   count: int) -> None:
    """The notice exactly as recipients will see it, then the count and the choice."""
    lang = context.lang
    body = broadcasts.payload(broadcast)
    if broadcast.attachment_id is not None:
        async with context.services.readers() as session:
            attachment = await session.get_one(m.Attachment, broadcast.attachment_id)
        file: Any = attachment.telegram_file_id or attachment.content
        if broadcast.attachment_kind == "photo":
            await message.chat.send_photo(file, caption=body["text"] or None)
        else:
            await message.chat.send_document(file, caption=body["text"] or None,
                                             filename=attachment.file_name)
    else:
        await message.chat.send_message(body["text"])
    keyboard = InlineKeyboardMarkup([
        [Button(t("broadcast.btn.send", lang, n=count), callback_data=f"bc:{broadcast.id}:send")],
        [Button(t("broadcast.btn.cancel", lang), callback_data=f"bc:{broadcast.id}:cancel")],
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


def render_report(result: broadcasts.Report, lang: str) -> str:
    sep = t("list.sep", lang)
    lines = [t("broadcast.report", lang, sent=result.counts.get("sent", 0), total=result.total)]
    if result.blocked:
        lines.append(t("broadcast.report_blocked", lang, n=len(result.blocked),
                       names=html.escape(sep.join(result.blocked))))
    if result.failed:
        lines.append(t("broadcast.report_failed", lang, n=len(result.failed)))
        lines += [f"• {html.escape(who)}：{html.escape(why[:200])}" for who, why in result.failed]
    if result.uncertain:
        lines.append(t("broadcast.report_uncertain", lang, n=len(result.uncertain),
                       names=html.escape(sep.join(result.uncertain))))
    return "\n".join(lines)


def _cancel(broadcast_id: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[Button(t("broadcast.btn.cancel", lang),
                                         callback_data=f"bc:{broadcast_id}:cancel")]])


def _audiences(broadcast_id: int, lang: str) -> InlineKeyboardMarkup:
    b = broadcast_id
    return InlineKeyboardMarkup([
        [Button(t("broadcast.aud.all", lang), callback_data=f"bc:{b}:all")],
        [Button(t("broadcast.aud.role", lang), callback_data=f"bc:{b}:roles")],
        [Button(t("broadcast.aud.units", lang), callback_data=f"bc:{b}:units")],
        [Button(t("broadcast.aud.missing", lang), callback_data=f"bc:{b}:rounds")],
        [Button(t("broadcast.btn.cancel", lang), callback_data=f"bc:{b}:cancel")],
    ])


def _sub_menu(context: BotContext, broadcast: m.Broadcast, act: str) -> InlineKeyboardMarkup:
    b, lang, campaign = broadcast.id, context.lang, context.services.campaign
    rows: list[list[Button]]
    if act == "roles":
        rows = [[Button(t(f"role.{r.value}", lang), callback_data=f"bc:{b}:role:{r.value}")]
                for r in m.Role]
    elif act == "rounds":
        rows = [[Button(r.title.get(lang), callback_data=f"bc:{b}:missing:{r.id}")]
                for r in campaign.rounds]
    else:
        chosen = set(broadcast.audience.get("units", []))
        rows = [[Button(("☑️ " if u.code in chosen else "⬜ ") + u.short_name,
                        callback_data=f"bc:{b}:unit:{u.code}")] for u in campaign.units]
        rows.append([Button(t("form.btn.done", lang), callback_data=f"bc:{b}:units_done")])
    rows.append([Button(t("broadcast.btn.cancel", lang), callback_data=f"bc:{b}:cancel")])
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
