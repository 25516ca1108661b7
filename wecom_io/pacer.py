"""WeCom's limit on messages to one member: an app may send a member at most 30 messages a
minute and 1000 an hour, and WeCom drops (without an error) what goes over. So the bot
keeps under both, waiting when a member's window is full; other members are not held up."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MemberLimits:
    """(messages, seconds) windows: WeCom's documented 30 a minute and 1000 an hour."""

    windows: tuple[tuple[int, float], ...] = ((30, 60.0), (1000, 3600.0))

    @classmethod
    def per_minute(cls, n: int) -> MemberLimits:
        """WeCom's windows with `n` a minute (the hour's share as WeCom's: 1000 to 30)."""
        return cls(((n, 60.0), (max(1000, n * 1000 // 30), 3600.0)))


class MemberPacer:
    """`slack`: kept on top of each window, since WeCom counts a message when it arrives,
    a little after the pacer let it go."""

    def __init__(self, limits: MemberLimits = MemberLimits(), slack: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.slack = slack
        self.clock = clock
        self._sent: dict[str, deque[float]] = defaultdict(deque)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def wait_for(self, member: str) -> float:
        """Seconds until one more message to `member` is within every window."""
        now, sent = self.clock(), self._sent[member]
        longest = max(seconds for _, seconds in self.limits.windows)
        while sent and now - sent[0] >= longest:
            sent.popleft()
        wait = 0.0
        for count, seconds in self.limits.windows:
            recent = [t for t in sent if now - t < seconds + self.slack]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + seconds + self.slack - now)
        return wait

    async def turn(self, member: str) -> None:
        """Wait for `member`'s turn, then count the message as sent."""
        async with self._locks[member]:
            while (wait := self.wait_for(member)) > 0:
                await asyncio.sleep(wait)
            self._sent[member].append(self.clock())
