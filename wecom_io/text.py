"""WeCom's text limit: a text message's content is at most 2048 bytes (UTF-8), and WeCom
cuts what is longer. A long text is sent in parts that each fit, split where a reader
expects: between lines, else between characters, never inside one."""

from __future__ import annotations

import html
import re

MAX_TEXT_BYTES = 2048


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """`text` in parts of at most `limit` bytes, in order, nothing lost."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = ""
        while len(line.encode("utf-8")) > limit:  # one line longer than a message
            cut = _fitting(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def _fitting(line: str, limit: int) -> int:
    """How many characters of `line` fit in `limit` bytes."""
    size = 0
    for i, char in enumerate(line):
        size += len(char.encode("utf-8"))
        if size > limit:
            return i
    return len(line)


def plain(text: str) -> str:
    """The bot's chat HTML as WeCom text: tags away, entities back to characters."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
