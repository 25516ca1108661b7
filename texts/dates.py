"""Dates and times as people in the campaign's zone write them: `1月29日（周五）18:00`,
`1月28日 15:00`, `还剩 2 天`; in English `Fri 29 Jan 18:00`. The words come from the catalog."""

from __future__ import annotations

import datetime as dt

from texts.catalog import DEFAULT_LANGUAGE, t


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
    """`还剩 2 天` / `还剩约 3 小时` / `已截止`, as people say it: a reminder set for three
    hours before says about three hours, not two. A passed deadline is 已截止; 逾期 is
    said only of a unit that missed it."""
    seconds = delta.total_seconds()
    if seconds <= 0:
        return t("date.closed", lang)
    if seconds >= 86400:
        return t("date.days_left", lang, n=int(seconds // 86400))
    if seconds >= 3600 - 30:
        return t("date.hours_left", lang, n=round(seconds / 3600))
    return t("date.minutes_left", lang, n=max(1, round(seconds / 60)))


def full_date(value: dt.date) -> str:
    """`2021年1月30日`: the date an official document is signed with (成文日期)."""
    return f"{value.year}年{value.month}月{value.day}日"
