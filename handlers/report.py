"""`/report` and the form's messages and buttons: parse the update, call the flow, reply."""

from __future__ import annotations

import contextlib
import html

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from flows.form_buttons import QUESTION_ACTIONS, press
from flows.report_form import IncomingFile, ReportFlow
from flows.screens import QuestionScreen, Screen
from handlers.context import BotContext
from handlers.form_view import render
from texts.catalog import t


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("report", report))
    application.add_handler(CallbackQueryHandler(question_button, pattern=r"^f:"))
    application.add_handler(CallbackQueryHandler(review_button, pattern=r"^rv:"))
    application.add_handler(CallbackQueryHandler(round_button, pattern=r"^r[da]:"))


def _flow(context: BotContext) -> ReportFlow:
    """The form for the person of this update (the guard let only reporters through)."""
    assert context.contact is not None
    return ReportFlow(context.services, context.contact, context.lang)


async def show(message: Message, context: BotContext, screen: Screen) -> None:
    """Send a screen as one or more messages in the chat of `message`."""
    services = context.services
    for part in render(screen, context.lang, services.campaign.zone, services.clock.now()):
        await message.chat.send_message(part.text, reply_markup=part.keyboard)


async def report(update: Update, context: BotContext) -> None:
    """Start or resume the unit's report, or offer a choice of rounds."""
    assert update.effective_message is not None
    await show(update.effective_message, context, await _flow(context).start())


async def cancel(message: Message, context: BotContext) -> None:
    """Leave the form; the draft stays."""
    await show(message, context, await _flow(context).cancel())


async def text_answer(message: Message, context: BotContext) -> None:
    """A typed answer to the question on the contact's screen."""
    flow = _flow(context)
    assert message.text is not None
    await show(message, context, await flow.answer_text(message.text))


async def file_answer(message: Message, context: BotContext, incoming: IncomingFile) -> None:
    """A photo or a document, downloaded: kept with the draft."""
    flow = _flow(context)
    await show(message, context, await flow.answer_file(incoming))


async def other_message(message: Message, context: BotContext) -> None:
    """Stickers, voice, locations and the like: a short hint, and the question again."""
    flow = _flow(context)
    await message.reply_text(t("form.error.unsupported", context.lang))
    await show(message, context, await flow.current())


async def question_button(update: Update, context: BotContext) -> None:
    """A tap on a question's button (draft, question[, option or yes/no])."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None
    action = QUESTION_ACTIONS[pressed.action]
    screen = await press(_flow(context), pressed)
    await query.answer()
    if action == "toggle" and isinstance(query.message, Message):
        await _replace(query.message, context, screen)
        return
    if not (isinstance(screen, QuestionScreen) and screen.error) and action in ANSWERING:
        await _keep_the_answer(query.message, query.data or "", action, context.lang)
    else:
        await _retire_buttons(query.message)
    if isinstance(query.message, Message):
        await show(query.message, context, screen)


ANSWERING = {"choice", "yes_no", "done", "skip", "same", "keep", "suggested"}  # answers


async def _keep_the_answer(message: object, data: str, action: str, lang: str) -> None:
    """The question stays in the chat with the answer tapped under it, as a typed answer
    stays: `✔️ 您的选择：线上启动仪式`; its buttons go."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    buttons = [b for row in message.reply_markup.inline_keyboard for b in row]
    pressed = next((b.text for b in buttons if b.callback_data == data), "")
    if action == "done":  # a multiple choice: what is ticked
        ticked = [b.text.removeprefix("☑️ ") for b in buttons if b.text.startswith("☑️ ")]
        pressed = t("list.sep", lang).join(ticked) or pressed
    elif action in ("same", "suggested"):
        pressed = pressed.split("：", 1)[-1].split(": ", 1)[-1]
    elif action == "skip":
        pressed = t("form.value.skipped", lang)
    elif action == "keep":
        pressed = t("form.tapped_kept", lang)
    answer = html.escape(pressed.removeprefix("✅ ").strip())
    with contextlib.suppress(BadRequest):
        await message.edit_text(f"{message.text_html}\n\n{t('form.tapped', lang, answer=answer)}",
                                reply_markup=None)


async def review_button(update: Update, context: BotContext) -> None:
    """Submit, Edit, Later, or back to the review (draft[, question])."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None
    screen = await press(_flow(context), pressed)
    await query.answer()
    await _retire_buttons(query.message)
    if isinstance(query.message, Message):
        await show(query.message, context, screen)


async def round_button(update: Update, context: BotContext) -> None:
    """A round chosen from the list: to fill in, or to amend."""
    query, pressed = update.callback_query, context.pressed
    assert query is not None and pressed is not None
    screen = await press(_flow(context), pressed)
    await query.answer()
    await _retire_buttons(query.message)
    if isinstance(query.message, Message):
        await show(query.message, context, screen)


async def _replace(message: Message, context: BotContext, screen: Screen) -> None:
    services = context.services
    part = render(screen, context.lang, services.campaign.zone, services.clock.now())[0]
    try:
        await message.edit_text(part.text, reply_markup=part.keyboard)
    except BadRequest as exc:  # "message is not modified": the same tap twice
        if "not modified" not in str(exc):
            raise


async def _retire_buttons(message: object) -> None:
    """Take the buttons off a message once it has been answered."""
    if isinstance(message, Message) and message.reply_markup is not None:
        with contextlib.suppress(BadRequest):
            await message.edit_reply_markup(reply_markup=None)
