"""Text helpers: splitting a long message at line boundaries, counting as Telegram (or
WeCom) counts, chat HTML as plain text, and keeping out the characters that Word and
Excel files cannot hold."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

TELEGRAM_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_LIMIT,
                  size: Callable[[str], int] | None = None) -> list[str]:
    """Parts of at most `limit`, measured by `size` (default: UTF-16 units, as Telegram
    counts; WeCom counts UTF-8 bytes), cut at line ends; a single line longer than the
    limit is cut inside, never inside an HTML tag or entity."""
    measure = size or _units
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        for piece in _cut_line(line, limit, measure):
            n = measure(piece) + (1 if current else 0)
            if current and used + n > limit:
                parts.append("\n".join(current))
                current, used = [], 0
                n = measure(piece)
            current.append(piece)
            used += n
    if current:
        parts.append("\n".join(current))
    return [p for p in parts if p.strip()] or [text[:limit]]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut_line(line: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    if measure(line) <= limit:
        return [line]
    pieces: list[str] = []
    start = 0
    while start < len(line):
        end, used = start, 0
        while end < len(line) and used + measure(line[end]) <= limit:
            used += measure(line[end])
            end += 1
        end = max(end, start + 1)  # a character wider than the limit still moves on
        if end < len(line):
            tag = line.rfind("<", start, end)
            if tag > line.rfind(">", start, end):
                end = tag if tag > start else end
            amp = line.rfind("&", start, end)
            if amp > line.rfind(";", start, end) and amp > start:
                end = amp
        pieces.append(line[start:end])
        start = end
    return pieces


def plain(text: str) -> str:
    """Chat HTML as plain text (a terminal, WeCom): tags away, entities back to characters."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


# What XML 1.0 (and so Word and Excel files) can hold: tab, newline, carriage return and
# every character from U+0020 up, except surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """`text` without the characters XML cannot hold (NUL and other C0 controls, lone
    surrogates, U+FFFE, U+FFFF). Applied to everything people type or name, at the way
    in, and again by every renderer of a Word or Excel file."""
    return _NOT_XML.sub("", text)


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji counts two)."""
    return _units(text)


def shorten(text: str, limit: int, mark: str = "…") -> str:
    """`text` cut to at most `limit` UTF-16 units, ending in `mark` when cut."""
    if _units(text) <= limit:
        return text
    room = limit - _units(mark)
    out: list[str] = []
    size = 0
    for char in text:
        size += _units(char)
        if size > room:
            break
        out.append(char)
    return "".join(out) + mark
