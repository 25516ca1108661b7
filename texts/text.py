"""Text helpers: splitting a long message at line boundaries, counting as Telegram counts,
and keeping out the characters that Word and Excel files cannot hold."""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most `limit` characters (UTF-16 units, as Telegram counts), cut at line
    ends; a single line longer than the limit is cut inside, never inside an HTML tag."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _cut_line(line, limit):
            n = _units(piece) + (1 if current else 0)
            if current and size + n > limit:
                parts.append("\n".join(current))
                current, size = [], 0
                n = _units(piece)
            current.append(piece)
            size += n
    if current:
        parts.append("\n".join(current))
    return [p for p in parts if p.strip()] or [text[:limit]]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut_line(line: str, limit: int) -> list[str]:
    if _units(line) <= limit:
        return [line]
    pieces: list[str] = []
    start = 0
    while start < len(line):
        end = start + limit // 2  # a CJK-safe bound: astral characters count twice
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
