"""Discord snowflake ids and timestamps, as the double hands them out.

Ids carry the current time, like Discord's, because discord.py reads it back
(`Interaction.created_at`/`is_expired()`, the delete-message sub-bucket).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000
_WORKER_BITS = (1 << 17) | (1 << 12)  # worker 1, process 1: any constant will do


class SnowflakeFactory:
    """Hands out unique, strictly increasing snowflakes stamped with the current time."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        if now_ms <= self._last_ms:
            now_ms = self._last_ms
            self._increment += 1
            if self._increment > 0xFFF:
                # 4096 ids in one millisecond: borrow the next millisecond.
                now_ms += 1
                self._increment = 0
        else:
            self._increment = 0
        self._last_ms = now_ms
        return (now_ms << 22) | _WORKER_BITS | self._increment


def snowflake_unix_time(snowflake: int) -> float:
    """Seconds since the Unix epoch encoded in a snowflake."""
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def iso_timestamp(unix_seconds: float) -> str:
    """ISO-8601 timestamp with offset, as Discord writes them."""
    return datetime.fromtimestamp(unix_seconds, UTC).isoformat()
