"""Every Chinese message read by a machine before people read it: no doubled words
(`请请`), no English words inside Chinese sentences, brackets and quotes that close, the
same spacing between a number and Chinese everywhere, and no names of one province's
offices written into the texts (they come from the campaign file)."""

from __future__ import annotations

import re

import pytest

from texts.catalog import texts

ZH = texts("zh")
DOUBLED = ["请请", "的的", "了了", "是是", "在在", "和和", "已已", "将将", "为为", "您您", "未未"]
# Words that stay in Latin letters in a Chinese sentence: file kinds, units, products.
LATIN = {"Word", "Excel", "zip", "MB", "CSV", "HTML", "PDF", "WPS", "docx", "xlsx", "doc",
         "wps", "pdf", "Telegram", "WeCom", "env", "demo", "webhook", "sqlite", "postgresql",
         "Ctrl", "all", "init", "backup"}
PAIRS = ["（）", "()", "“”", "《》", "【】", "[]"]
NUMBER_NEXT_TO_HAN = re.compile(r"(\{[a-z_]+\}|\d)([\u4e00-\u9fff])|([\u4e00-\u9fff])(\{[a-z_]+\}|\d)")
NUMERIC = {"n", "total", "version", "submitted", "answered", "limit", "min", "max", "i", "of",
           "covered", "on_time", "reminders", "overdue", "escalations",
           "digests", "days", "size", "count", "added", "updated", "kept", "blocked", "sent"}
OFFICES = ["省商务厅", "电子商务处", "商务部"]
BILINGUAL = ("cli.help.", "lang.", "language.", "menu.language")


def english_words(text: str) -> list[str]:
    """Latin words in `text` that are not commands, options, placeholders or file kinds."""
    bare = re.sub(r"\{[a-z_]+\}", "", text)
    bare = re.sub(r"python -m bot(?: [a-z-]+){0,2}", "", bare)  # a command to run
    bare = re.sub(r"(?:/|--|-)[A-Za-z_][\w-]*", "", bare)  # /report, --out
    bare = re.sub(r"<[^>]+>", "", bare)  # HTML tags
    bare = re.sub(r"[\w.+-]+\.(?:yaml|docx|xlsx|csv|py|db|txt)", "", bare)  # file names
    bare = re.sub(r"\b[a-z]+:[\w,:]+|\b[A-Z][A-Z0-9_]+\b", "", bare)  # role:contact, DATABASE_URL
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", bare) if w not in LATIN]


@pytest.mark.parametrize("key", sorted(ZH))
def test_a_chinese_message_reads_as_written_chinese(key: str) -> None:
    text = ZH[key]
    assert not [d for d in DOUBLED if d in text], text
    if not key.startswith(BILINGUAL):  # option names explained; the language picker
        assert english_words(text) == [], text
    for opening, closing in PAIRS:
        assert text.count(opening) == text.count(closing), (opening, text)
    assert not [o for o in OFFICES if o in text], text


def test_numbers_and_chinese_are_spaced_alike_everywhere() -> None:
    """`第 {version} 版`, `共 {n} 题`: a number placeholder is set off from the Chinese
    around it by a space, in every message alike."""
    glued = []
    for key, text in ZH.items():
        for match in NUMBER_NEXT_TO_HAN.finditer(text):
            placeholder = (match.group(1) or match.group(4) or "").strip("{}")
            if placeholder in NUMERIC:
                glued.append((key, match.group(0)))
    assert glued == []
