"""A recurring report declared once instead of round by round: "monthly, due on the 5th at
17:00, from 2026-01 to 2026-12, covering the previous month".

`expand` turns the file's `recurrence:` block into the rounds (and the province's own
deadlines) a campaign file would otherwise list by hand:

- one round per period covered, its code the period (`2026-03`, `2026-q1`), its title
  from a pattern (`{year}年{month}月`);
- due on `due_day` of the month after the period (`covers: previous`) or of the period's
  last month (`covers: current`); a due day that is not a working day moves to the last
  working day before it (`day_off: before`) or the first after (`after`), 调休 counted;
  "before" that would fall before the period has ended (a 5th inside 五一 or 国庆) is
  "after";
- opening when the period it covers has ended (or, for `current`, when it starts);
- the running totals (cumulative figures) start again with the first round of each year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from reporting.campaign_fields import Strict, Text, Time

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
MAX_OCCURRENCES = 120  # ten years of months


def _year_month(value: Any) -> tuple[int, int]:
    """`2026-03` (YAML may also read it as a date: its month is taken)."""
    if isinstance(value, dt.date):
        return value.year, value.month
    found = _MONTH.match(value) if isinstance(value, str) else None
    if found and 1 <= int(found.group(2)) <= 12:
        return int(found.group(1)), int(found.group(2))
    raise ValueError(f"{value!r} is not a month (write it as 2026-03)")


YearMonth = Annotated[tuple[int, int], BeforeValidator(_year_month)]
DEFAULT_TITLES = {"month": Text(zh="{year}年{month}月", en="{year}-{month:02d}"),
                  "quarter": Text(zh="{year}年第{quarter}季度", en="{year} Q{quarter}")}
DEFAULT_UPSTREAM_TITLES = {
    "month": Text(zh="{year}年{month}月（报上级）", en="{year}-{month:02d} (upstream)"),
    "quarter": Text(zh="{year}年第{quarter}季度（报上级）", en="{year} Q{quarter} (upstream)")}


class Recurrence(Strict):
    every: Literal["month", "quarter"]
    start: YearMonth = Field(validation_alias="from")  # the first period covered
    end: YearMonth = Field(validation_alias="to")  # the last period covered
    due_day: int = Field(ge=1, le=28)
    at: Time | None = None  # the deadline's time; default: the campaign's deadline_time
    covers: Literal["previous", "current"] = "previous"
    day_off: Literal["before", "after"] = "before"
    title: Text | None = None  # {year} {month} {quarter} in it
    report_title: str | None = Field(default=None, max_length=100)
    # The province's own deadline towards the ministry, this many days after the units'.
    upstream_days_after: int | None = Field(default=None, ge=0, le=31)
    upstream_title: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Recurrence:
        if self.end < self.start:
            raise ValueError("`to` is before `from`")
        if self.every == "quarter" and ((self.start[1] - 1) % 3 or self.end[1] % 3):
            raise ValueError("a quarterly recurrence runs from a quarter's first month "
                             "(2026-01, -04, -07, -10) to a quarter's last (-03, -06, -09, -12)")
        if len(self.periods()) > MAX_OCCURRENCES:
            raise ValueError(f"more than {MAX_OCCURRENCES} occurrences")
        return self

    def periods(self) -> list[tuple[int, int]]:
        """(year, first month) of each period covered, in order."""
        step = 3 if self.every == "quarter" else 1
        out, (year, month) = [], self.start
        while (year, month) <= self.end:
            out.append((year, month))
            year, month = _add_months(year, month, step)
        return out


def expand(recurrence: Recurrence, workday: Callable[[dt.date], bool],
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dt.date]]:
    """The rounds and upstream deadlines, as campaign-file entries, and the period the
    campaign spans (from the first period's start to the last deadline)."""
    step = 3 if recurrence.every == "quarter" else 1
    rounds: list[dict[str, Any]] = []
    upstream: list[dict[str, Any]] = []
    last_year = None
    for year, month in recurrence.periods():
        quarter = (month - 1) // 3 + 1
        code = f"{year}-q{quarter}" if step == 3 else f"{year}-{month:02d}"
        names = {"year": year, "month": month, "quarter": quarter}
        after_year, after_month = _add_months(year, month, step)
        if recurrence.covers == "previous":
            due_year, due_month = after_year, after_month
            opens = dt.date(after_year, after_month, 1)
        else:
            due_year, due_month = _add_months(year, month, step - 1)
            opens = dt.date(year, month, 1)
        due_day = dt.date(due_year, due_month, recurrence.due_day)
        due = moved(due_day, workday, recurrence.day_off)
        if due < opens:  # 五一, 国庆: "before" would fall before the month it covers ends
            due = moved(due_day, workday, "after")
        clock = f" {recurrence.at:%H:%M}" if recurrence.at else ""
        entry: dict[str, Any] = {
            "id": code, "title": _title(recurrence.title, DEFAULT_TITLES[recurrence.every],
                                        names),
            "due": f"{due.isoformat()}{clock}", "opens": opens.isoformat(),
            "resets_totals": last_year is not None and year != last_year}
        if recurrence.report_title:
            entry["report_title"] = recurrence.report_title.format(**names)
        rounds.append(entry)
        last_year = year
        if recurrence.upstream_days_after is not None:
            up_due = moved(due + dt.timedelta(days=recurrence.upstream_days_after), workday,
                           "after")
            upstream.append({
                "id": f"up-{code}", "rounds": [code], "due": f"{up_due.isoformat()}{clock}",
                "title": _title(recurrence.upstream_title,
                                DEFAULT_UPSTREAM_TITLES[recurrence.every], names)})
    first = dt.date(*recurrence.start, 1)
    last_due = dt.date.fromisoformat((upstream or rounds)[-1]["due"].split()[0])
    return rounds, upstream, {"start": first, "end": last_due}


def moved(day: dt.date, workday: Callable[[dt.date], bool],
          direction: Literal["before", "after"]) -> dt.date:
    """`day`, or the nearest working day before (or after) it."""
    step = dt.timedelta(days=-1 if direction == "before" else 1)
    for _ in range(40):  # the longest stretch of days off is far shorter
        if workday(day):
            return day
        day += step
    return day


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _title(given: Text | None, default: Text, names: dict[str, int]) -> dict[str, str]:
    pattern = given or default
    try:
        return {lang: text.format(**names) for lang, text in
                (("zh", pattern.zh), ("en", pattern.en)) if text}
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"the title {pattern.zh!r} may use only {{year}}, {{month}} and "
                         f"{{quarter}} ({exc})") from None
