"""Telegram's rules for message text: HTML parse mode, and lengths in UTF-16 code units."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}


class EntityError(ValueError):
    """What Telegram calls `Bad Request: can't parse entities: ...`."""


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise EntityError(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f'Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_plain(text: str) -> str:
    """The text a user sees, or `EntityError` where Telegram would refuse it."""
    if "<" in text.replace("&lt;", ""):
        # A bare '<' that does not open a tag is refused by Telegram.
        i = 0
        while (i := text.find("<", i)) != -1:
            nxt = text[i + 1 : i + 2]
            if not (nxt.isalpha() or nxt == "/"):
                raise EntityError(f"Unexpected '<' at byte offset {len(text[:i].encode())}")
            i += 1
    _check_ampersands(text)
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"')
    return "".join(checker.parts)


def _check_ampersands(text: str) -> None:
    i = 0
    while (i := text.find("&", i)) != -1:
        end = text.find(";", i)
        name = text[i + 1 : end] if end != -1 else ""
        if end == -1 or not name or not (name.isalnum() or name.startswith("#")):
            raise EntityError(
                "Character '&' is reserved and must be escaped with the preceding '\\'"
            )
        i = end


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
