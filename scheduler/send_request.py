"""One notice to Telegram: the request (text, buttons, a stored file) and what its failure
means for the ledger row. The sender (scheduler/sender.py) decides when; this sends."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from flows.services import Services
from storage import attachments
from storage.attachments import StoredFile
from storage.models import DeliveryState as State
from storage.notices import Attached, Button, Notice
from telegram_io.aiohttp_request import NotSent
from telegram_io.rate_limit import LEDGER

GONE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid",
        "bot can't initiate conversation")


async def send_notice(services: Services, bot: Bot, chat_id: int, notice: Notice,
                      timeout: float) -> Message:
    """Send `notice` through the one rate limiter (`LEDGER`: the per-chat pace, no retry)."""
    markup = _markup(notice.buttons)
    timeouts = {"read_timeout": timeout, "write_timeout": timeout,
                "connect_timeout": timeout, "pool_timeout": timeout}
    attachment_id = notice.attachment_id
    if attachment_id is None:
        return await bot.send_message(chat_id, notice.text, reply_markup=markup,
                                      parse_mode=ParseMode.HTML, rate_limit_args=LEDGER,
                                      **timeouts)
    async with services.readers() as session:
        attachment = await attachments.stored_file(session, attachment_id)
    caption = notice.text or None
    sent_file: Any = attachment.telegram_file_id or _input_file(attachment)
    if notice.attached is Attached.PHOTO:
        message = await bot.send_photo(chat_id, sent_file, caption=caption,
                                       parse_mode=ParseMode.HTML, reply_markup=markup,
                                       rate_limit_args=LEDGER, **timeouts)
        file_id = message.photo[-1].file_id if message.photo else None
    else:
        message = await bot.send_document(chat_id, sent_file, caption=caption,
                                          parse_mode=ParseMode.HTML, reply_markup=markup,
                                          rate_limit_args=LEDGER, **timeouts)
        file_id = message.document.file_id if message.document else None
    if file_id and not attachment.telegram_file_id:
        async with services.transaction() as session:
            await attachments.remember_telegram_id(session, attachment_id, file_id)
    return message


class Next(Enum):
    SETTLE = "settle"  # the row's outcome is known
    AGAIN = "again"  # not delivered: send it again now (the limiter has paused for a 429)
    RETRY = "retry"  # not delivered: back off, then again, while attempts are left


@dataclass(frozen=True)
class Verdict:
    next: Next
    state: State | None  # the outcome when `next` is SETTLE, or when retries run out
    error: str
    ours: bool = False  # a bug of ours, not Telegram's answer: worth a traceback in the log


def verdict(exc: Exception) -> Verdict:
    """What a failed request means: blocked (403 or the chat is gone), refused (a request
    Telegram will never take), uncertain (it may have arrived), or worth another try."""
    if isinstance(exc, RetryAfter):
        return Verdict(Next.AGAIN, None, "429: too many requests")
    if isinstance(exc, Forbidden):
        return Verdict(Next.SETTLE, State.BLOCKED, str(exc))
    if isinstance(exc, BadRequest):
        if any(marker in str(exc).lower() for marker in GONE):
            return Verdict(Next.SETTLE, State.BLOCKED, str(exc))
        return Verdict(Next.SETTLE, State.FAILED, f"refused by Telegram: {exc}")
    if isinstance(exc, TimedOut):
        if not _never_left(exc):
            return Verdict(Next.SETTLE, State.UNCERTAIN,
                           "no answer from Telegram in time; it may have been delivered")
        return Verdict(Next.RETRY, State.FAILED, f"timed out connecting: {exc}")
    if isinstance(exc, NetworkError):
        return Verdict(Next.RETRY, State.FAILED, f"server or network: {exc}")
    return Verdict(Next.SETTLE, State.FAILED, f"internal error: {type(exc).__name__}",
                   ours=True)


def _markup(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data)
                                  for b in row] for row in buttons])


def _input_file(attachment: StoredFile) -> Any:
    from telegram import InputFile

    return InputFile(attachment.content, filename=attachment.name)


def _never_left(exc: TimedOut) -> bool:
    """A timeout before the request was written (connect, pool) means it was not sent."""
    return isinstance(exc.__cause__, NotSent)
