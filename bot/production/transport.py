"""What the delivery worker needs from Discord, as a Protocol with plain result types.

The worker only sees these results; the one discord.py adapter lives in ``discord_transport``,
and tests use an in-memory fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .compose import OutgoingMessage


@dataclass(frozen=True, slots=True)
class Sent:
    """The message exists (possibly an earlier copy Discord returned for the same nonce)."""

    message_id: int
    # Why the role ping could not notify (not mentionable, no Mention Everyone); the post is out.
    ping_issue: str | None = None


@dataclass(frozen=True, slots=True)
class Done:
    """An edit or crosspost took effect (or had already: e.g. 'already crossposted')."""


@dataclass(frozen=True, slots=True)
class Permanent:
    """Retrying cannot help (403, 404, a payload Discord rejects)."""

    code: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Transient:
    """The outcome is unknown or Discord is having trouble (5xx, timeout, connection reset)."""

    reason: str


@dataclass(frozen=True, slots=True)
class RateLimited:
    """Try again after ``retry_after`` seconds; this does not count as a failed attempt."""

    retry_after: float
    reason: str = "rate limited"


@dataclass(frozen=True, slots=True)
class Found:
    """A copy of the update posted by the bot is in the channel, showing ``revision``."""

    message_id: int
    revision: int


@dataclass(frozen=True, slots=True)
class NotFound:
    """The bot read every message since the first attempt: no copy is there."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Whether a copy is there cannot be told (no Read Message History, too many messages)."""

    reason: str


SendResult = Sent | Permanent | Transient | RateLimited
ChangeResult = Done | Permanent | Transient | RateLimited
FindResult = Found | NotFound | Unreadable | Permanent | Transient | RateLimited


class Transport(Protocol):
    async def send(self, channel_id: int, message: OutgoingMessage, nonce: str) -> SendResult:
        """Post ``message``; the same ``nonce`` must never produce a second message."""
        ...

    async def edit(
        self, channel_id: int, message_id: int, message: OutgoingMessage
    ) -> ChangeResult:
        """Replace the content, embeds and components of an earlier post."""
        ...

    async def crosspost(self, channel_id: int, message_id: int) -> ChangeResult:
        """Publish a post in an Announcement channel to the servers following it."""
        ...

    async def find_copy(self, channel_id: int, update_id: int, since: float) -> FindResult:
        """Look among the bot's messages posted in ``channel_id`` since ``since`` (Unix
        seconds) for a copy of ``update_id`` (its marker, see ``compose.delivery_marker``)."""
        ...
