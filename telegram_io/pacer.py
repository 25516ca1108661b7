"""Pacing outgoing messages to Telegram's limits: about 30 a second overall, about one a
second to one chat with short bursts, 20 a minute to one group, and a full stop for a
429's `retry_after`. No Telegram here: it only decides when a send may start."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PaceLimits:
    # Messages are spaced 1/29.5 s apart, and no second ever holds more than 29 (the
    # window below): under Telegram's 30, with room for jitter on the way there.
    per_second: float = 29.5
    chat_per_second: float = 1.0
    chat_burst: int = 3
    group_per_minute: int = 20


class Pacer:
    def __init__(self, limits: PaceLimits | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.limits = limits or PaceLimits()
        self._clock = clock
        self._next_global = 0.0
        self._window: deque[float] = deque()
        self._chats: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._groups: dict[int, deque[float]] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self.pauses = 0

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing leaves for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self.pauses += 1

    async def acquire(self, chat_id: int | None) -> None:
        """Wait until a message to `chat_id` may start, and count it."""
        while True:
            async with self._lock:
                wait = self._wait_for(chat_id)
                if wait <= 0:
                    self._take(chat_id)
                    return
            await asyncio.sleep(wait)

    def _wait_for(self, chat_id: int | None) -> float:
        now = self._clock()
        waits = [self._paused_until - now, self._next_global - now]
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= int(self.limits.per_second):
            waits.append(self._window[0] + 1.0 - now)
        if chat_id is not None and chat_id < 0:
            sent = self._groups.setdefault(chat_id, deque())
            while sent and sent[0] <= now - 60.0:
                sent.popleft()
            if len(sent) >= self.limits.group_per_minute:
                waits.append(sent[0] + 60.0 - now)
        elif chat_id is not None:
            tokens = self._tokens(chat_id, now)
            if tokens < 1:
                waits.append((1 - tokens) / self.limits.chat_per_second)
        return max(waits)

    def _tokens(self, chat_id: int, now: float) -> float:
        tokens, at = self._chats.get(chat_id, (float(self.limits.chat_burst), now))
        return min(self.limits.chat_burst, tokens + (now - at) * self.limits.chat_per_second)

    def _take(self, chat_id: int | None) -> None:
        now = self._clock()
        self._next_global = max(self._next_global, now) + 1.0 / self.limits.per_second
        self._window.append(now)
        if chat_id is not None and chat_id < 0:
            self._groups[chat_id].append(now)
        elif chat_id is not None:
            self._chats[chat_id] = (self._tokens(chat_id, now) - 1, now)
            if len(self._chats) > 10_000:  # forget chats that are full again
                full = [c for c, (t, a) in self._chats.items()
                        if t + (now - a) * self.limits.chat_per_second >= self.limits.chat_burst]
                for c in full:
                    del self._chats[c]
