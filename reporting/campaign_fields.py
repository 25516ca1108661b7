"""The kinds of value a campaign file holds, as it may write them: dates (`2021-01-29`),
times (`18:00`, which YAML may read as minutes), deadlines (a date, or a date and a time),
codes, and texts in Chinese with an optional English; every model strict (no unknown
field, no NaN)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,19}$"  # short: codes travel in callback_data (64 bytes)


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{shown(value)} is not a valid date")


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int) and 0 <= value < 24 * 60:  # YAML reads 18:00 as 1080
        return dt.time(value // 60, value % 60)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,2}:\d{2}\s*", value):
        hours, minutes = (int(part) for part in value.strip().split(":"))
        if hours < 24 and minutes < 60:
            return dt.time(hours, minutes)
    raise ValueError(f"{shown(value)} is not a valid time")


def parse_due(value: Any) -> tuple[dt.date, dt.time | None]:
    """A deadline is a date, or a date and a time: `2021-01-29` or `2021-01-29 17:30`."""
    if isinstance(value, dt.datetime):
        return value.date(), value.time()
    if isinstance(value, str) and " " in value.strip():
        day, _, clock = value.strip().partition(" ")
        try:
            return dt.date.fromisoformat(day), _parse_time(clock)
        except ValueError:
            raise ValueError(
                f"{shown(value)} is not a valid date and time"
            ) from None
    return _parse_date(value), None


def shown(value: Any) -> str:
    """A value as the file wrote it, cut short (an alias can expand to a huge list)."""
    if isinstance(value, str):
        return f'"{value[:40]}"' + ("…" if len(value) > 40 else "")
    if isinstance(value, list | dict | tuple):
        return f"a {type(value).__name__}"
    shown = repr(value)
    return shown[:40] + ("…" if len(shown) > 40 else "")


Date = Annotated[dt.date, BeforeValidator(_parse_date)]
Time = Annotated[dt.time, BeforeValidator(_parse_time)]
Code = Annotated[str, Field(pattern=CODE_PATTERN)]


class Strict(BaseModel):
    # No NaN or infinity anywhere: `min: .nan` would make every comparison fail, and
    # `reminder_grace_hours: .inf` every time computation.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Text(Strict):
    """A text users read, in Chinese and optionally English (falls back to Chinese)."""

    zh: str = Field(min_length=1, max_length=2000)
    en: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: Any) -> Any:
        return {"zh": value} if isinstance(value, str) else value

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.zh
