"""The message catalog: every word a user reads, in 简体中文 (default) and English.

Texts live in `locales/<lang>.yaml` as `key: text` with `{name}` placeholders. Dates and
times are written the way people in the campaign's zone write them: `1月29日（周五）18:00`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Formatter

import yaml

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_LOCALES = Path(__file__).parent / "locales"


@cache
def texts(lang: str) -> dict[str, str]:
    with (_LOCALES / f"{lang}.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {str(k): str(v) for k, v in data.items()}


def language_of(code: str | None) -> str:
    """The catalog language for a Telegram `language_code` (zh unless it is English)."""
    return "en" if code and code.lower().startswith("en") else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    table = texts(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    text = table.get(key)
    if text is None:
        text = texts(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}
