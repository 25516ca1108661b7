"""The clock is injected: the bot asks it for the time, so tests and the demo can run a
whole campaign in seconds."""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ScaledClock:
    """Campaign time from `start`, running `speed` times faster than the wall clock: the
    demo and process-level tests run a month of campaign in minutes."""

    def __init__(self, start: dt.datetime, speed: float = 1.0):
        if start.tzinfo is None:
            raise ValueError("ScaledClock needs an aware start time")
        self.start = start.astimezone(dt.UTC)
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


class FakeClock:
    """A clock that stands still until told to move (`set`, `advance`)."""

    def __init__(self, start: dt.datetime):
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware start time")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = when.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self._now += delta
        return self._now
