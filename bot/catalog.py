"""The message catalog: every word a user reads, in 简体中文 (default) and English.

Texts live in `locales/<lang>.yaml` as `key: text` with `{name}` placeholders. Dates and
times are written the way people in the campaign's zone write them: `1月29日（周五）18:00`.
"""

from __future__ import annotations

import datetime as dt
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


def day(value: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """`1月29日（周五）` / `Fri 29 Jan`."""
    weekday = t("weekday", lang).split(",")[value.weekday()]
    month = t("months", lang).split(",")[value.month - 1]
    return t("date.day", lang, month=month, d=value.day, weekday=weekday)


def moment(value: dt.datetime, zone: dt.tzinfo, lang: str = DEFAULT_LANGUAGE) -> str:
    """`1月29日（周五）18:00` in the campaign's zone."""
    local = value.astimezone(zone)
    return t("date.moment", lang, day=day(local.date(), lang), time=local.strftime("%H:%M"))


def short_moment(value: dt.datetime, zone: dt.tzinfo, lang: str = DEFAULT_LANGUAGE) -> str:
    """`1月28日 15:00`, for receipts and "as of" labels."""
    local = value.astimezone(zone)
    month = t("months", lang).split(",")[local.month - 1]
    return t("date.short", lang, month=month, d=local.day, time=local.strftime("%H:%M"))


def remaining(delta: dt.timedelta, lang: str = DEFAULT_LANGUAGE) -> str:
    """`还剩 2 天` / `还剩 5 小时` / `已逾期`."""
    seconds = delta.total_seconds()
    if seconds <= 0:
        return t("date.overdue", lang)
    if seconds >= 86400:
        return t("date.days_left", lang, n=int(seconds // 86400))
    if seconds >= 3600:
        return t("date.hours_left", lang, n=int(seconds // 3600))
    return t("date.minutes_left", lang, n=max(1, int(seconds // 60)))
