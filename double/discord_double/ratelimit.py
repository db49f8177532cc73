"""Rate limits as Discord applies them: fixed windows per bucket, advertised in headers.

- global: N requests per second per bot token (interaction callbacks and webhooks exempt);
- POST /channels/{id}/messages: a per-channel bucket (observed 5 per 5 s);
- crosspost: ~10 per hour per channel (community-observed, configurable).
Successful responses carry X-RateLimit-* so a well-behaved client paces itself; beyond
the limit the server answers 429 with `retry_after` and the `Via` header discord.py wants.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass


@dataclass(slots=True)
class BucketState:
    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    bucket: str
    scope: str  # "user" | "global" | "shared"

    def headers(self) -> dict[str, str]:
        reset_after = max(self.reset_after, 0.0)
        return {
            "X-RateLimit-Bucket": self.bucket,
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }


class WindowBucket:
    """`limit` hits per `period` seconds; the window opens on the first hit after a reset."""

    __slots__ = ("_count", "_window_end", "bucket", "limit", "period")

    def __init__(self, bucket: str, limit: int, period: float) -> None:
        self.bucket = bucket
        self.limit = limit
        self.period = period
        self._count = 0
        self._window_end = 0.0

    def hit(self, now: float, *, scope: str = "user") -> BucketState:
        if now >= self._window_end:
            self._count = 0
            self._window_end = now + self.period
        reset_after = self._window_end - now
        if self._count >= self.limit:
            return BucketState(False, self.limit, 0, reset_after, self.bucket, scope)
        self._count += 1
        return BucketState(
            True, self.limit, self.limit - self._count, reset_after, self.bucket, scope
        )

    def peek(self, now: float) -> BucketState:
        if now >= self._window_end:
            return BucketState(True, self.limit, self.limit, self.period, self.bucket, "user")
        remaining = max(self.limit - self._count, 0)
        return BucketState(
            remaining > 0, self.limit, remaining, self._window_end - now, self.bucket, "user"
        )


class SlidingLogBucket:
    """`limit` hits in any rolling `period` (used for the hourly crosspost cap)."""

    __slots__ = ("_hits", "bucket", "limit", "period")

    def __init__(self, bucket: str, limit: int, period: float) -> None:
        self.bucket = bucket
        self.limit = limit
        self.period = period
        self._hits: list[float] = []

    def hit(self, now: float) -> BucketState:
        self._hits = [t for t in self._hits if t > now - self.period]
        if len(self._hits) >= self.limit:
            retry = self._hits[0] + self.period - now
            return BucketState(False, self.limit, 0, retry, self.bucket, "user")
        self._hits.append(now)
        remaining = self.limit - len(self._hits)
        reset_after = self._hits[0] + self.period - now
        return BucketState(True, self.limit, remaining, reset_after, self.bucket, "user")


def bucket_hash(name: str) -> str:
    """A stable opaque hash, like the ones Discord puts in X-RateLimit-Bucket."""
    return hashlib.sha1(name.encode()).hexdigest()[:32]


class RateLimiter:
    """All of the double's buckets. `None` limits switch a bucket off."""

    def __init__(
        self,
        *,
        global_per_second: float | None,
        channel_messages: tuple[int, float] | None,
        crossposts: tuple[int, float] | None,
    ) -> None:
        self.global_per_second = global_per_second
        self.channel_messages = channel_messages
        self.crossposts = crossposts
        self._global = (
            WindowBucket(bucket_hash("global"), max(1, math.floor(global_per_second)), 1.0)
            if global_per_second
            else None
        )
        self._message_buckets: dict[int, WindowBucket] = {}
        self._crosspost_buckets: dict[int, SlidingLogBucket] = {}
        self._message_hash = bucket_hash("POST /channels/{channel_id}/messages")
        self._crosspost_hash = bucket_hash("POST /channels/{channel_id}/messages/{id}/crosspost")

    def hit_global(self, now: float) -> BucketState | None:
        if self._global is None:
            return None
        return self._global.hit(now, scope="global")

    def hit_channel_message(self, channel_id: int, now: float) -> BucketState | None:
        if self.channel_messages is None:
            return None
        bucket = self._message_buckets.get(channel_id)
        if bucket is None:
            limit, period = self.channel_messages
            bucket = self._message_buckets[channel_id] = WindowBucket(
                self._message_hash, limit, period
            )
        return bucket.hit(now)

    def hit_crosspost(self, channel_id: int, now: float) -> BucketState | None:
        if self.crossposts is None:
            return None
        bucket = self._crosspost_buckets.get(channel_id)
        if bucket is None:
            limit, period = self.crossposts
            bucket = self._crosspost_buckets[channel_id] = SlidingLogBucket(
                self._crosspost_hash, limit, period
            )
        return bucket.hit(now)


def too_many_requests_body(retry_after: float, *, is_global: bool) -> dict[str, object]:
    return {
        "message": "You are being rate limited.",
        "retry_after": round(max(retry_after, 0.001), 3),
        "global": is_global,
        "code": 0,
    }


def too_many_requests_headers(state: BucketState) -> dict[str, str]:
    """Headers of a 429; `Via` keeps discord.py from taking it for a Cloudflare ban."""
    headers = {
        "Retry-After": str(max(1, math.ceil(state.reset_after))),
        "X-RateLimit-Scope": state.scope,
        "Via": "1.1 google",
    }
    if state.scope == "global":
        headers["X-RateLimit-Global"] = "true"
    else:
        headers.update(state.headers())
        headers["X-RateLimit-Remaining"] = "0"
    return headers
