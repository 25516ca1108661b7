"""WeCom's text limit: a text message's content is at most 2048 bytes (UTF-8), and WeCom
cuts what is longer. A long text is sent in parts that each fit, split as Telegram's are
(texts.text.split_message), counted in bytes."""

from __future__ import annotations

from texts.text import split_message, utf8_bytes

MAX_TEXT_BYTES = 2048


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` in parts of at most `limit` bytes, in order, nothing lost."""
    return split_message(text, limit, size=utf8_bytes)
