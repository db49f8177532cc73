"""Interactions the double dispatched, and what the bot answered to them.

`InteractionRecord` is the server-side truth (deadlines, acknowledgement, the original
response and follow-ups); `InteractionResult` is the read-only view a test gets back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

from discord_double.errors import Violation
from discord_double.models import JSON, Message

if TYPE_CHECKING:
    from discord_double.state import DoubleState


class InteractionType(IntEnum):
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    APPLICATION_COMMAND_AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType(IntEnum):
    PONG = 1
    CHANNEL_MESSAGE_WITH_SOURCE = 4
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8
    MODAL = 9
    LAUNCH_ACTIVITY = 12


# Which answers Discord accepts for which interaction (receiving-and-responding.mdx).
ALLOWED_CALLBACKS: dict[InteractionType, frozenset[int]] = {
    InteractionType.APPLICATION_COMMAND: frozenset({4, 5, 9, 12}),
    InteractionType.MESSAGE_COMPONENT: frozenset({4, 5, 6, 7, 9, 12}),
    InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE: frozenset({8}),
    InteractionType.MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}


@dataclass(slots=True)
class InteractionRecord:
    id: int
    token: str
    type: InteractionType
    payload: JSON
    guild_id: int | None
    channel_id: int
    user_id: int
    deadline_s: float
    token_ttl_s: float
    source_message_id: int | None = None  # the message a component/modal came from
    trigger_id: int | None = None  # modal submit: the interaction that opened the modal
    focused_option_type: int = 3  # autocomplete: the type of the focused option
    dispatched_at: float = field(default_factory=time.monotonic)
    response_type: int | None = None
    responded_at: float | None = None
    original_message_id: int | None = None
    loading: bool = False
    ephemeral: bool = False
    followup_ids: list[int] = field(default_factory=list)
    choices: list[JSON] | None = None
    modal: JSON | None = None
    violations: list[Violation] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    def past_deadline(self, now: float) -> bool:
        return now - self.dispatched_at > self.deadline_s

    def token_expired(self, now: float) -> bool:
        return now - self.dispatched_at > self.token_ttl_s

    def notify(self) -> None:
        """Wake everyone waiting for a change (answer, edit, follow-up)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], within: float) -> bool:
        end = time.monotonic() + within
        while not predicate():
            remaining = end - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


class InteractionResult:
    """What the user would see after an interaction; reads the double's live state."""

    def __init__(self, record: InteractionRecord, state: DoubleState) -> None:
        self._record = record
        self._state = state

    def __repr__(self) -> str:
        return (
            f"<InteractionResult type={self.response_type} content={self.content!r} "
            f"ephemeral={self.ephemeral} followups={len(self.followups)}>"
        )

    @property
    def record(self) -> InteractionRecord:
        return self._record

    @property
    def interaction_id(self) -> int:
        return self._record.id

    @property
    def answered(self) -> bool:
        return self._record.acknowledged

    @property
    def response_type(self) -> int | None:
        return self._record.response_type

    @property
    def latency(self) -> float | None:
        """Seconds from dispatching INTERACTION_CREATE to the first accepted callback."""
        if self._record.responded_at is None:
            return None
        return self._record.responded_at - self._record.dispatched_at

    @property
    def deferred(self) -> bool:
        return self._record.response_type in (5, 6)

    @property
    def message(self) -> Message | None:
        """The original response (for component updates: the message that was updated)."""
        mid = self._record.original_message_id
        return None if mid is None else self._state.messages.get(mid)

    @property
    def content(self) -> str | None:
        msg = self.message
        return None if msg is None else msg.content

    @property
    def embeds(self) -> list[JSON]:
        msg = self.message
        return [] if msg is None else msg.embeds

    @property
    def components(self) -> list[JSON]:
        msg = self.message
        return [] if msg is None else msg.components

    @property
    def ephemeral(self) -> bool:
        msg = self.message
        return self._record.ephemeral if msg is None else msg.ephemeral

    @property
    def loading(self) -> bool:
        return self._record.loading

    @property
    def followups(self) -> list[Message]:
        return [self._state.messages[m] for m in self._record.followup_ids]

    @property
    def choices(self) -> list[JSON] | None:
        return self._record.choices

    @property
    def modal(self) -> JSON | None:
        return self._record.modal

    @property
    def violations(self) -> list[Violation]:
        return list(self._record.violations)

    @property
    def all_text(self) -> str:
        """Content, embed text and follow-ups joined: handy for 'the user saw X' checks."""
        parts: list[str] = []
        for msg in [m for m in (self.message,) if m is not None] + self.followups:
            parts.append(msg.content)
            for embed in msg.embeds:
                parts.extend(str(embed.get(k, "")) for k in ("title", "description"))
                parts.extend(
                    f"{f.get('name', '')} {f.get('value', '')}" for f in embed.get("fields", [])
                )
                parts.append(str((embed.get("footer") or {}).get("text", "")))
                parts.append(str((embed.get("author") or {}).get("name", "")))
        return "\n".join(p for p in parts if p)

    async def settled(self, within: float = 10.0) -> InteractionResult:
        """Wait until answered and no longer "thinking" (a deferred reply got its content)."""
        record = self._record
        await record.wait_until(lambda: record.acknowledged and not record.loading, within)
        return self

    async def wait_for_followups(self, count: int, within: float = 10.0) -> list[Message]:
        record = self._record
        await record.wait_until(lambda: len(record.followup_ids) >= count, within)
        return self.followups

    async def wait_until(
        self, predicate: Callable[[InteractionResult], bool], within: float = 10.0
    ) -> bool:
        return await self._record.wait_until(lambda: predicate(self), within)
