"""The deadline guard: an interaction's age from its snowflake, corrected for a skewed local
clock; drops counted and logged once; the in-flight gate; the discord.py slot it relies on."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.deadline import (
    RESPONSE_SLOT,
    DeadlineGuard,
    GatedResponse,
    InteractionTooLate,
    UnknownInteractionLogFilter,
)

NOW = 1_800_000_000.0


def interaction(created: float, name: str = "cast") -> Any:
    """What the guard reads of an interaction: its snowflake id, type, data, guild."""
    snowflake = discord.utils.time_snowflake(dt.datetime.fromtimestamp(created, dt.UTC))
    return SimpleNamespace(
        id=snowflake,
        type=discord.InteractionType.autocomplete,
        data={"name": name},
        guild_id=7,
    )


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_fresh_interaction_passes_and_an_old_one_is_dropped_once_with_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guard = DeadlineGuard(clock=Clock(NOW))
    with caplog.at_level(logging.WARNING, logger="bot.deadline"):
        assert not guard.too_late(interaction(NOW - 0.05))
        assert not guard.too_late(interaction(NOW - 2.0))
        assert guard.too_late(interaction(NOW - 2.5))
    assert guard.dropped == 1
    (line,) = caplog.messages
    assert line.startswith("dropped autocomplete /cast (interaction ")
    assert "2.5 s old, too late to answer within Discord's 3 s deadline" in line
    assert not any(r.exc_info for r in caplog.records)


def test_a_local_clock_ahead_of_discords_does_not_drop_everything() -> None:
    clock = Clock(NOW + 10.0)  # this machine's clock runs 10 s ahead
    guard = DeadlineGuard(clock=clock)
    assert not guard.too_late(interaction(NOW - 0.02))  # fresh: its lag becomes the baseline
    clock.now += 1.0
    assert not guard.too_late(interaction(NOW + 1.0 - 0.03))
    assert guard.too_late(interaction(NOW + 1.0 - 2.5))  # 2.5 s old by Discord's clock
    assert guard.dropped == 1


def test_the_skew_baseline_forgets_after_its_window() -> None:
    clock = Clock(NOW)
    guard = DeadlineGuard(clock=clock)
    guard.age(interaction(NOW + 5.0))  # a clock 5 s behind, long ago
    clock.now += 3600
    assert guard.age(interaction(clock.now - 1.0)) == pytest.approx(0.0, abs=0.01)
    assert guard.age(interaction(clock.now - 2.0)) == pytest.approx(1.0, abs=0.01)


def test_discord_py_still_caches_the_response_in_the_slot_the_guard_fills() -> None:
    assert RESPONSE_SLOT in discord.Interaction.__slots__
    assert discord.Interaction.__dict__["response"].name == RESPONSE_SLOT


async def test_the_gate_holds_a_turn_until_the_first_answer_and_checks_again_there() -> None:
    clock = Clock(NOW)
    guard = DeadlineGuard(clock=clock, max_in_flight=1)
    first, second = interaction(NOW), interaction(NOW)
    assert await guard.enter(first)
    assert isinstance(first._cs_response, GatedResponse)
    waiting = asyncio.create_task(guard.enter(second))
    await asyncio.sleep(0.01)
    assert not waiting.done()  # one turn: the second waits, parked
    clock.now += 2.5  # the first handler was slow: its answer would arrive too late
    with pytest.raises(InteractionTooLate):
        async with guard.admit(first, first._cs_response._turn):
            pytest.fail("a too-late answer must not be sent")
    assert await waiting is False  # its turn came, but it is too old by now
    assert guard.dropped == 2


def test_the_log_filter_turns_a_10062_traceback_into_one_counted_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guard = DeadlineGuard()
    library = logging.getLogger("test.deadline.library")
    library.addFilter(UnknownInteractionLogFilter(guard))
    response = SimpleNamespace(status=404, reason="Not Found")
    try:
        with caplog.at_level(logging.INFO):
            try:
                raise discord.NotFound(
                    response,  # type: ignore[arg-type]
                    {"code": 10062, "message": "Unknown interaction"},
                )
            except discord.NotFound:
                library.exception("Ignoring exception in autocomplete for 'cast'")
            try:
                raise InteractionTooLate("dropped on purpose")
            except InteractionTooLate:
                library.exception("Ignoring exception in autocomplete for 'cast'")
    finally:
        library.filters.clear()
    assert guard.refused == 1
    (line,) = caplog.messages
    assert "unknown interaction (10062), it came too late" in line
    assert not any(r.exc_info for r in caplog.records)
