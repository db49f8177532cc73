"""Faults on demand: what Discord (or the network in between) does on a bad day.

A fault matches a route template ("POST /channels/{channel_id}/messages"), optionally a
channel, and fires `times` times (None = until cleared). Kinds:
- status: answer with an HTTP error (403/404 with Discord's JSON codes, 500, 502 HTML);
- drop: close the TCP connection without answering, optionally after committing the work;
- ratelimit: answer 429 with correct X-RateLimit-* headers, `retry_after` and `Via`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from discord_double.errors import MISSING_ACCESS, MISSING_PERMISSIONS, UNKNOWN_CHANNEL
from discord_double.models import Channel

FaultKind = Literal["status", "drop", "ratelimit"]
RateLimitScope = Literal["user", "global", "shared"]

_STATUS_MESSAGES = {
    MISSING_ACCESS: "Missing Access",
    MISSING_PERMISSIONS: "Missing Permissions",
    UNKNOWN_CHANNEL: "Unknown Channel",
}


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    route: str | None = None  # "METHOD /template"; None matches every route
    channel_id: int | None = None
    times: int | None = 1
    status: int = 500
    code: int = 0
    message: str = ""
    after_commit: bool = False
    retry_after: float = 1.0
    scope: RateLimitScope = "user"
    fired: int = 0

    def matches(self, route: str, channel_id: int | None) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.route is not None and self.route != route:
            return False
        return self.channel_id is None or self.channel_id == channel_id

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times


def _channel_id(channel: Channel | int) -> int:
    return channel if isinstance(channel, int) else channel.id


class FaultPlan:
    """The faults a test armed; the server consults it before running a handler."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def take(self, route: str, channel_id: int | None) -> Fault | None:
        """The first armed fault for this request, counted as fired."""
        for fault in self._faults:
            if fault.matches(route, channel_id):
                fault.fired += 1
                if fault.exhausted:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    def remove(self, fault: Fault) -> None:
        if fault in self._faults:
            self._faults.remove(fault)

    @property
    def armed(self) -> list[Fault]:
        return list(self._faults)

    # -- the test-facing helpers -------------------------------------------------------

    def channel_forbidden(
        self, channel: Channel | int, code: int = MISSING_PERMISSIONS, *, times: int | None = None
    ) -> Fault:
        """Every request about this channel answers 403: 50013 (Missing Permissions) or 50001."""
        if code not in (MISSING_ACCESS, MISSING_PERMISSIONS):
            raise ValueError("a 403 from Discord carries 50001 or 50013")
        return self.add(
            Fault(
                "status",
                channel_id=_channel_id(channel),
                times=times,
                status=403,
                code=code,
                message=_STATUS_MESSAGES[code],
            )
        )

    def channel_missing(self, channel: Channel | int, *, times: int | None = None) -> Fault:
        """Every request about this channel answers 404 Unknown Channel (10003)."""
        return self.add(
            Fault(
                "status",
                channel_id=_channel_id(channel),
                times=times,
                status=404,
                code=UNKNOWN_CHANNEL,
                message="Unknown Channel",
            )
        )

    def server_error(
        self,
        route: str | None,
        status: int = 500,
        *,
        times: int | None = 1,
        channel: Channel | int | None = None,
    ) -> Fault:
        """5xx answers (500 with JSON like Discord, 502 with an HTML page like its proxy)."""
        return self.add(
            Fault(
                "status",
                route=route,
                channel_id=None if channel is None else _channel_id(channel),
                times=times,
                status=status,
            )
        )

    def drop_connection(
        self,
        route: str | None,
        *,
        times: int | None = 1,
        after_commit: bool = False,
        channel: Channel | int | None = None,
    ) -> Fault:
        """Close the TCP connection without a response; `after_commit` does the work first."""
        return self.add(
            Fault(
                "drop",
                route=route,
                channel_id=None if channel is None else _channel_id(channel),
                times=times,
                after_commit=after_commit,
            )
        )

    def rate_limit(
        self,
        route: str | None = None,
        *,
        retry_after: float = 1.0,
        times: int | None = 1,
        scope: RateLimitScope = "user",
        channel: Channel | int | None = None,
    ) -> Fault:
        """Answer 429. `route=None` with scope "global" is a global limit (blocks every route)."""
        return self.add(
            Fault(
                "ratelimit",
                route=route,
                channel_id=None if channel is None else _channel_id(channel),
                times=times,
                status=429,
                retry_after=retry_after,
                scope=scope,
            )
        )
