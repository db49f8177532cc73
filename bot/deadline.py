"""Discord's 3-second deadline: drop what can no longer be answered in time, count it.

An interaction answered after Discord's deadline is refused with 404 "Unknown interaction"
(10062), and each refusal counts toward Discord's invalid-request limit (10,000 per 10
minutes, then a temporary IP ban). So an interaction that is already too old when its handler
starts (a burst backed up the event loop) is dropped: one log line, one count, no answer.

The age comes from the interaction's snowflake (Discord's clock) and the local clock. To
survive a skewed local clock, the smallest lag seen recently is taken as "fresh" (it is the
clock offset plus the gateway's latency) and subtracted; on a synchronised machine it is a
few milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Final

import discord

log = logging.getLogger(__name__)

DISCORD_DEADLINE: Final = 3.0  # s from Discord creating the interaction to our first answer
# Room for the answer's trip to Discord (and its queueing here) after the check.
SAFETY_MARGIN: Final = 0.8
# First answers on their way at once (see DeadlineGuard.admit).
# 64: in bench/deadline.py's burst, 64 answered most in time with none late; 128 sent late
# answers even after the last check (each request's trip grows with the requests in flight).
MAX_IN_FLIGHT: Final = 64
UNKNOWN_INTERACTION: Final = 10062
SKEW_WINDOW: Final = 600.0  # s over which the smallest lag is remembered
_SKEW_BUCKET: Final = 60.0


class InteractionTooLate(discord.ClientException):
    """Raised instead of sending a first answer that would arrive after Discord's deadline
    (the drop is already logged and counted); whoever catches it says nothing more."""


def created_at(interaction: discord.Interaction[Any]) -> float:
    """Unix seconds when Discord created the interaction (from its snowflake)."""
    return discord.utils.snowflake_time(interaction.id).timestamp()


def is_unknown_interaction(error: BaseException) -> bool:
    """Discord's 'Unknown interaction' (10062): the answer came too late (or twice)."""
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


def interaction_label(interaction: discord.Interaction[Any]) -> str:
    """'autocomplete /cast', 'command /production post', 'component gh:prod:publish'…"""
    data: Any = interaction.data or {}
    kind = interaction.type.name if interaction.type is not None else "interaction"
    if "custom_id" in data:
        return f"{kind} {str(data['custom_id'])[:40]}"
    if "name" in data:
        return f"{kind} /{data['name']}"
    return kind


class _Turn:
    """One slot of the in-flight gate; released once, whichever comes first."""

    __slots__ = ("_gate", "_held")

    def __init__(self, gate: asyncio.Semaphore) -> None:
        self._gate = gate
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._gate.release()


@dataclass(slots=True)
class DeadlineGuard:
    """Decides whether an interaction can still be answered; counts what it drops."""

    budget: float = DISCORD_DEADLINE - SAFETY_MARGIN
    clock: Callable[[], float] = time.time
    max_in_flight: int = MAX_IN_FLIGHT
    dropped: int = 0  # too old when handled: not answered
    refused: int = 0  # answered anyway and refused by Discord (10062)
    # (bucket start, smallest lag seen in that bucket), oldest first
    _lags: deque[tuple[float, float]] = field(default_factory=deque)
    _gate: asyncio.Semaphore | None = None

    def age(self, interaction: discord.Interaction[Any]) -> float:
        """Seconds since Discord created the interaction, corrected for clock skew."""
        now = self.clock()
        lag = now - created_at(interaction)
        return lag - self._baseline(now, lag)

    def _baseline(self, now: float, lag: float) -> float:
        bucket = now - now % _SKEW_BUCKET
        while self._lags and self._lags[0][0] < now - SKEW_WINDOW:
            self._lags.popleft()
        if self._lags and self._lags[-1][0] == bucket:
            self._lags[-1] = (bucket, min(self._lags[-1][1], lag))
        else:
            self._lags.append((bucket, lag))
        return min(smallest for _, smallest in self._lags)

    async def enter(self, interaction: discord.Interaction[Any]) -> bool:
        """Before a handler runs: wait for a turn, then say whether it may still answer.

        False (after one log line) means dropped: too old now. True means a turn is held
        until the first answer is sent or the handler's task ends, and the first answer,
        whoever sends it (our handler, or discord.py itself for autocomplete choices),
        passes :meth:`admit` just before it goes out.

        At most ``max_in_flight`` interactions are between their turn and their first
        answer at once. Under a burst, thousands of handlers and requests would otherwise
        take turns on the event loop and all answer late; the rest wait here, parked and
        cheap, and are checked when their turn comes.
        """
        if self.too_late(interaction):
            return False
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.max_in_flight)
        await self._gate.acquire()
        turn = _Turn(self._gate)
        if self.too_late(interaction):
            turn.release()
            return False
        task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(lambda _: turn.release())
        # discord.py caches ``Interaction.response`` in this slot, and fills such slots
        # itself the same way (``_cs_command``); tests/unit/test_deadline.py pins it.
        setattr(interaction, RESPONSE_SLOT, GatedResponse(interaction, self, turn))
        return True

    @contextlib.asynccontextmanager
    async def admit(
        self, interaction: discord.Interaction[Any], turn: _Turn
    ) -> AsyncIterator[None]:
        """Just before a first answer goes out: drop it (raise) if it is already too late;
        the turn ends once the answer is out."""
        try:
            if self.too_late(interaction):
                raise InteractionTooLate(f"interaction {interaction.id} is past the deadline")
            yield
        finally:
            turn.release()

    def too_late(self, interaction: discord.Interaction[Any]) -> bool:
        """True (after one log line) if ``interaction`` must be dropped unanswered."""
        age = self.age(interaction)
        if age <= self.budget:
            return False
        self.dropped += 1
        log.warning(
            "dropped %s (interaction %s, guild %s): %.1f s old, too late to answer within "
            "Discord's %g s deadline; not answered (%d dropped so far: the bot is overloaded)",
            interaction_label(interaction),
            interaction.id,
            interaction.guild_id,
            age,
            DISCORD_DEADLINE,
            self.dropped,
        )
        return True

    def note_refused(self, interaction: discord.Interaction[Any] | None, where: str) -> None:
        """One line for an answer Discord refused as too late (10062), never a traceback."""
        self.refused += 1
        label = (
            "an interaction"
            if interaction is None
            else f"{interaction_label(interaction)} (interaction {interaction.id})"
        )
        log.warning(
            "Discord refused the answer to %s from %s: unknown interaction (10062), it came "
            "too late (%d so far)",
            label,
            where,
            self.refused,
        )


def deadline_of(interaction: discord.Interaction[Any]) -> DeadlineGuard | None:
    """The guard of the Golden Hour client that received ``interaction`` (None elsewhere)."""
    services = getattr(interaction.client, "services", None)
    guard = getattr(services, "deadline", None)
    return guard if isinstance(guard, DeadlineGuard) else None


def note_refused(interaction: discord.Interaction[Any], where: str) -> None:
    """Count and log (one line) an answer Discord refused with 10062."""
    guard = deadline_of(interaction)
    if guard is not None:
        guard.note_refused(interaction, where)
    else:
        log.warning("interaction %s: unknown interaction (10062) in %s", interaction.id, where)


RESPONSE_SLOT: Final = "_cs_response"


class GatedResponse(discord.InteractionResponse[Any]):
    """discord.py's interaction response whose first answers pass the deadline check."""

    __slots__ = ("_guard", "_turn")

    def __init__(self, parent: discord.Interaction[Any], guard: DeadlineGuard, turn: _Turn) -> None:
        super().__init__(parent)
        self._guard = guard
        self._turn = turn

    async def defer(self, *args: Any, **kwargs: Any) -> Any:
        async with self._guard.admit(self._parent, self._turn):
            return await super().defer(*args, **kwargs)

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        async with self._guard.admit(self._parent, self._turn):
            return await super().send_message(*args, **kwargs)

    async def edit_message(self, *args: Any, **kwargs: Any) -> Any:
        async with self._guard.admit(self._parent, self._turn):
            return await super().edit_message(*args, **kwargs)

    async def send_modal(self, *args: Any, **kwargs: Any) -> Any:
        async with self._guard.admit(self._parent, self._turn):
            return await super().send_modal(*args, **kwargs)

    async def autocomplete(self, *args: Any, **kwargs: Any) -> Any:
        async with self._guard.admit(self._parent, self._turn):
            return await super().autocomplete(*args, **kwargs)

    async def launch_activity(self, *args: Any, **kwargs: Any) -> Any:
        async with self._guard.admit(self._parent, self._turn):
            return await super().launch_activity(*args, **kwargs)


class UnknownInteractionLogFilter(logging.Filter):
    """Turns discord.py's traceback for a too-late answer into one counted line.

    discord.py answers autocompletes itself and logs any failure with ``log.exception``
    ('Ignoring exception in autocomplete …'); a 10062 there is a known, named fault.
    """

    def __init__(self, guard: DeadlineGuard) -> None:
        super().__init__()
        self._guard = guard

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InteractionTooLate):
            return False  # dropped on purpose; that was logged once already
        if error is None or not is_unknown_interaction(error):
            return True
        self._guard.note_refused(None, f"{record.name}: {record.getMessage()}")
        return False


# discord.py's loggers that log exceptions from interaction handling with a traceback.
LIBRARY_LOGGERS: Final = ("discord.app_commands.tree", "discord.ui.view", "discord.client")
