"""One rate limiter for everything the bot sends: PTB calls it for every request, direct
replies and ledger deliveries alike, and it paces them with one `Pacer`."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from telegram_io.pacer import Pacer

log = logging.getLogger(__name__)

PACED = {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageCaption",
         "editMessageReplyMarkup", "copyMessage", "forwardMessage", "sendMediaGroup"}
JSONDict = dict[str, Any]


LEDGER = {"retries": 0, "per_chat": True}


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Direct replies (no `rate_limit_args`) keep to the overall rate and retry after a
    429 (default 3 times); a person in a conversation may get a few messages at once.
    The delivery sender passes `LEDGER`: the per-chat pace too, and no retry (it
    handles the 429 itself)."""

    def __init__(self, pacer: Pacer, max_retries: int = 3):
        self.pacer = pacer
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | JSONDict | list[JSONDict]:
        args_ = rate_limit_args or {}
        retries = int(args_.get("retries", self.max_retries))
        chat_id = _chat_id(data.get("chat_id"))
        per_chat = bool(args_.get("per_chat")) or (chat_id is not None and chat_id < 0)
        for attempt in range(retries + 1):
            if endpoint in PACED:
                await self.pacer.acquire(chat_id if per_chat else None)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self.pacer.pause(wait)
                log.warning("Telegram asked to wait %s s (429) on %s", wait, endpoint)
                if attempt == retries:
                    raise
        raise AssertionError("unreachable")


def _chat_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)
