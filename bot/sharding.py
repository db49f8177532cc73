"""Start shards as fast as Discord allows, no faster.

discord.py's AutoShardedClient waits a flat 5 s before every IDENTIFY but the first, whatever
the bot's `session_start_limit.max_concurrency` (1 for most bots, 16 or more for large ones).
Discord's rule: one IDENTIFY per rate-limit bucket (shard_id % max_concurrency) every 5 s.
`IdentifyPacer` keeps exactly that, so a bot with max_concurrency 16 starts 10 shards at once
and a bot with 1 starts them 5 s apart, as before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import discord

IDENTIFY_INTERVAL = 5.0  # seconds per bucket (gateway.mdx "Session Start Limit")
MARGIN = 0.25  # our clock and Discord's are measured at different ends of the wire

# Books a bucket's next slot shared with other processes of the bot: (bucket, spacing) → the
# slot's wall-clock time (see bot.production.repo_lease.reserve_identify).
Reserve = Callable[[int, float], Awaitable[float]]


class IdentifyPacer:
    """Paces this process's shards; with ``reserve``, every process's shards on one database
    (Discord's limit is per bot token, whichever process IDENTIFYs)."""

    def __init__(self, interval: float = IDENTIFY_INTERVAL, reserve: Reserve | None = None) -> None:
        self._interval = interval
        self._reserve = reserve
        self._max_concurrency: int | None = None
        self._started: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, client: discord.AutoShardedClient, shard_id: int | None) -> None:
        """Sleep until `shard_id`'s bucket may IDENTIFY again, then claim the slot."""
        async with self._lock:
            if self._max_concurrency is None:
                limits = await client.fetch_session_start_limits()
                self._max_concurrency = max(1, limits.max_concurrency)
            bucket = (shard_id or 0) % self._max_concurrency
            if self._reserve is not None:
                slot = await self._reserve(bucket, self._interval + MARGIN)
                delay = slot - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                return
            last = self._started.get(bucket)
            if last is not None:
                delay = last + self._interval + MARGIN - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            self._started[bucket] = time.monotonic()
