"""Which days are working days: China's (weekdays, less public holidays, plus the make-up
days of 调休), or every day."""

from __future__ import annotations

import datetime as dt


def chinese_workday(day: dt.date) -> bool:
    """A working day in China: weekdays, less public holidays, plus make-up days."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


def all_days(day: dt.date) -> bool:
    return True
