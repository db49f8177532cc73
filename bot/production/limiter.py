"""Proactive pacing of every request the delivery worker makes.

discord.py has no global limiter of its own (Rapptz/discord.py#8169): it learns per-route buckets
from headers and waits only after a bucket is exhausted. A fan-out to 1,000 channels touches
1,000 fresh buckets at once, so without pacing it would run into the 50 requests/s global limit,
and every resulting 429 counts towards the invalid-request ban. One :class:`SendLimiter` is shared
by all workers of a process.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Discord allows 50 requests/s per bot, counted where requests arrive. A bucket holding 1.5
# tokens refilled at 46/s grants at most 1.5 + 46 → 47 requests in any one-second window, so
# requests delayed on the way (a busy machine, the network) may bunch up by three, ~65 ms,
# before the window overflows; at 48/s one late request was enough (seen as a 429 in the
# three-process test under load). 1,000 sends take about 21.7 s, 1.09 × the 20 s floor. The
# half token absorbs the event loop waking a little late, which would otherwise lose ~1 ms a send.
DEFAULT_RATE: Final = 46.0
DEFAULT_BURST: Final = 1.5
# Message create is observed at about 5 per 5 s per channel; stay one below.
DEFAULT_CHANNEL_LIMIT: Final = 4
DEFAULT_CHANNEL_WINDOW: Final = 5.0
_PRUNE_EVERY: Final = 512


class SendLimiter:
    """A token bucket under the global ceiling plus a sliding window per channel.

    Waiters are served first come, first served. ``clock`` and ``sleep`` are injectable so tests
    can run on a fake clock; they must agree (``sleep(d)`` lets ``clock()`` advance by ``d``).
    """

    def __init__(
        self,
        *,
        rate: float = DEFAULT_RATE,
        burst: float = DEFAULT_BURST,
        channel_limit: int = DEFAULT_CHANNEL_LIMIT,
        channel_window: float = DEFAULT_CHANNEL_WINDOW,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1.0 or channel_limit < 1 or channel_window <= 0:
            raise ValueError("limiter rates and sizes must be positive")
        self.rate = rate
        self.burst = burst
        self.channel_limit = channel_limit
        self.channel_window = channel_window
        self._clock = clock
        self._sleep = sleep
        self._tokens = 1.0  # start with one request's worth, not the burst
        self._refilled_at = clock()
        self._global_lock = asyncio.Lock()
        self._channel_locks: dict[int, asyncio.Lock] = {}
        self._channel_grants: dict[int, deque[float]] = {}
        # Acquirers per channel, holding or waiting for its lock: a channel is forgotten only
        # when none is left. ``lock.locked()`` alone is not enough: a holder cancelled (or
        # finishing) releases the lock before the waiter it woke has run, and pruning then
        # would give the next caller a fresh lock and window beside that waiter.
        self._channel_users: dict[int, int] = {}
        self.granted = 0
        self.last_granted_at = float("-inf")  # on clock
        self._quiet_until = float("-inf")  # on clock

    def pause(self, seconds: float) -> None:
        """Grant nothing for ``seconds``: another sender of the same token may have used this
        second's budget (a sender taking over from one that died mid-send)."""
        self._quiet_until = max(self._quiet_until, self._clock() + seconds)

    async def settle(self, window: float) -> None:
        """Return once ``window`` has passed since the last grant, so a process taking over
        the sending right after this one starts with the whole budget."""
        wait = self.last_granted_at + window - self._clock()
        if wait > 0:
            await self._sleep(wait)

    async def acquire(self, channel_id: int | None = None) -> None:
        """Wait until one more request (to ``channel_id``, if given) stays under both limits."""
        if channel_id is None:
            await self._acquire_global()
            return
        lock = self._channel_locks.setdefault(channel_id, asyncio.Lock())
        self._channel_users[channel_id] = self._channel_users.get(channel_id, 0) + 1
        try:
            async with lock:
                grants = self._channel_grants.setdefault(channel_id, deque())
                while True:
                    now = self._clock()
                    while grants and grants[0] <= now - self.channel_window:
                        grants.popleft()
                    if len(grants) < self.channel_limit:
                        break
                    await self._sleep(max(grants[0] + self.channel_window - now, 1e-6))
                await self._acquire_global()
                # Recorded after the global wait: the window counts when the request goes out.
                grants.append(self._clock())
        finally:
            left = self._channel_users[channel_id] - 1
            if left:
                self._channel_users[channel_id] = left
            else:
                del self._channel_users[channel_id]
        if self.granted % _PRUNE_EVERY == 0:
            self._prune()

    async def _acquire_global(self) -> None:
        async with self._global_lock:
            quiet = self._quiet_until - self._clock()
            if quiet > 0:
                await self._sleep(quiet)
                self._tokens, self._refilled_at = 1.0, self._clock()  # no burst saved up
            while True:
                self._refill()
                # The tolerance stops float rounding from asking for waits too small to pass.
                if self._tokens >= 1.0 - 1e-9:
                    break
                await self._sleep((1.0 - self._tokens) / self.rate)
            self._tokens = max(self._tokens - 1.0, 0.0)
            self.granted += 1
            self.last_granted_at = self._clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(now - self._refilled_at, 0.0)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._refilled_at = now

    def _prune(self) -> None:
        """Forget channels that are idle, so a long-running bot does not grow without bound."""
        horizon = self._clock() - self.channel_window
        for channel_id in list(self._channel_locks):
            if channel_id in self._channel_users:
                continue  # held or waited for: its lock and window must stay the same objects
            grants = self._channel_grants.get(channel_id)
            if not grants or grants[-1] <= horizon:
                self._channel_grants.pop(channel_id, None)
                del self._channel_locks[channel_id]
