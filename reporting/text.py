"""Text helpers for chat: splitting a long message at line boundaries."""

from __future__ import annotations

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
