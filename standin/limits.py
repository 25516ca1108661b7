"""The stand-in's limits and injected faults, as Telegram enforces and suffers them."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Limits:
    """About 30 messages a second overall, about 1 a second to one chat with short bursts,
    20 a minute to one group. `None` lifts a limit."""

    per_second: float | None = 30
    chat_burst: float | None = 20
    chat_per_second: float = 1.0
    group_per_minute: int | None = 20
    max_text: int = 4096
    max_caption: int = 1024
    max_callback_data: int = 64
    max_download: int = 20 * 1024 * 1024


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateGate:
    """Decides whether a send is allowed now; if not, how long to wait (`retry_after`)."""

    limits: Limits
    _window: deque[float] = field(default_factory=deque)
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)

    def check(self, chat_id: int, is_group: bool, now: float | None = None) -> int | None:
        now = time.monotonic() if now is None else now
        lim = self.limits
        if lim.per_second is not None:
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= lim.per_second:
                return max(1, math.ceil(self._window[0] + 1.0 - now))
        if is_group and lim.group_per_minute is not None:
            sent = self._groups.setdefault(chat_id, deque())
            while sent and sent[0] <= now - 60.0:
                sent.popleft()
            if len(sent) >= lim.group_per_minute:
                return max(1, math.ceil(sent[0] + 60.0 - now))
        elif lim.chat_burst is not None:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                bucket = self._chats[chat_id] = _Bucket(tokens=lim.chat_burst, at=now)
            refill = (now - bucket.at) * lim.chat_per_second
            bucket.tokens = min(lim.chat_burst, bucket.tokens + refill)
            bucket.at = now
            if bucket.tokens < 1:
                return max(1, math.ceil((1 - bucket.tokens) / lim.chat_per_second))
            bucket.tokens -= 1
        self._window.append(now)
        if is_group and lim.group_per_minute is not None:
            self._groups[chat_id].append(now)
        return None


@dataclass
class ChatFault:
    blocked: bool = False
    error_status: int | None = None
    error_times: int = 0
    delay: float = 0.0


class Faults:
    """Faults to inject: blocked users, server errors, slow answers, forced 429s."""

    def __init__(self) -> None:
        self.chats: dict[int, ChatFault] = {}
        self.throttle_times = 0
        self.throttle_retry_after = 1
        self.delay = 0.0

    def _chat(self, chat_id: int) -> ChatFault:
        return self.chats.setdefault(chat_id, ChatFault())

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every send to them is a 403."""
        self._chat(chat_id).blocked = True

    def fail(self, chat_id: int, status: int = 502, times: int = 1) -> None:
        """The next `times` sends to this chat fail with `status`."""
        fault = self._chat(chat_id)
        fault.error_status, fault.error_times = status, times

    def slow(self, chat_id: int, seconds: float) -> None:
        """Answer sends to this chat only after `seconds` (the message is still delivered)."""
        self._chat(chat_id).delay = seconds

    def delay_all(self, seconds: float) -> None:
        """Answer every send only after `seconds` (so requests are in flight longer)."""
        self.delay = seconds

    def throttle(self, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` sends, to anyone, get a 429 with this `retry_after`."""
        self.throttle_times, self.throttle_retry_after = times, retry_after

    def clear(self) -> None:
        self.chats.clear()
        self.throttle_times = 0
        self.delay = 0.0
