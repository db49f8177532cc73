"""Discord's 3-second deadline under a backlog: what can no longer be answered in time is
dropped (one line, counted), never answered late — each late answer would be a 404 (10062)
counting toward Discord's invalid-request ban. And a 10062 that happens anyway is one line.

The backlog is made by blocking the event loop (bot and double share it) right after the
interactions were dispatched: the bot reads them only when they are already too old.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable

import pytest
from discord_double.interactions import InteractionResult

from tests.e2e.fan_helpers import button, shown
from tests.e2e.golden import Golden
from tests.e2e.production_helpers import wait_for

BACKLOG = 3.2  # s the bot's loop is stuck: past Discord's 3 s deadline


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    with_traceback = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert with_traceback == [], [r.getMessage() for r in with_traceback]


async def dispatched_then_stuck(
    golden: Golden, calls: list[Awaitable[InteractionResult]], stuck: float
) -> list[InteractionResult]:
    """Dispatch every call, then block the loop for ``stuck`` s before anyone reads them."""
    before = len(golden.double.state.interactions)
    tasks = [asyncio.ensure_future(call) for call in calls]
    for _ in range(10):  # each task dispatches synchronously, then waits: one turn is enough
        if len(golden.double.state.interactions) >= before + len(tasks):
            break
        await asyncio.sleep(0)
    assert len(golden.double.state.interactions) == before + len(tasks)
    time.sleep(stuck)  # noqa: ASYNC251 - the point: a backed-up loop, as under a burst
    return list(await asyncio.gather(*tasks))


async def test_interactions_too_old_to_answer_are_dropped_not_answered_late(
    golden: Golden, caplog: pytest.LogCaptureFixture
) -> None:
    renewal = await golden.invoke("renewal", {})  # a message with a button, answered in time
    forward = button(renewal.message, "Full timeline and sources")["custom_id"]
    double = golden.double
    calls: list[Awaitable[InteractionResult]] = [
        double.autocomplete_result(
            "cast", {"name": typed}, focused="name", guild=golden.guild, channel=golden.channel
        )
        for typed in ("y", "ya", "yan", "yang", "추", "추영", "kim", "")
    ]
    calls += [golden.invoke("cast", {"name": "Yang"}), golden.invoke("show")]
    calls.append(double.click(shown(renewal), forward))
    requests_before = len(double.requests)
    with caplog.at_level(logging.INFO):
        results = await dispatched_then_stuck(golden, calls, BACKLOG)
        await asyncio.sleep(0.3)  # a late answer would arrive now

    assert [r for r in results if r.answered] == []
    assert double.violations == []  # no 10062: nothing was sent late
    callbacks = [r for r in double.requests[requests_before:] if r.route.endswith("/callback")]
    assert callbacks == []
    assert golden.services.deadline.dropped == len(calls)
    dropped = [r.getMessage() for r in caplog.records if r.getMessage().startswith("dropped ")]
    assert len(dropped) == len(calls)  # one line each
    assert sum("autocomplete /cast" in line for line in dropped) == 8
    assert sum("application_command /cast" in line for line in dropped) == 1
    assert sum("component gh:" in line for line in dropped) == 1
    assert all("too late to answer within Discord's 3 s deadline" in line for line in dropped)
    no_tracebacks(caplog)

    # Once the backlog is gone, the bot answers again, in time.
    fresh = await golden.invoke("cast", {"name": "Yang"})
    assert fresh.answered and fresh.latency is not None and fresh.latency < 3.0
    assert golden.services.deadline.dropped == len(calls)


async def test_a_refused_late_answer_is_one_line_not_a_traceback(
    golden: Golden, caplog: pytest.LogCaptureFixture
) -> None:
    """If Discord refuses an answer anyway (its clock, the network), one counted line each."""
    double = golden.double
    double.config.interaction_deadline = 0.0  # every answer arrives after Discord gave up
    guard = golden.services.deadline
    with caplog.at_level(logging.INFO), double.expect_violations(10062):
        await double.autocomplete_result(
            "cast", {"name": "yang"}, focused="name", guild=golden.guild, channel=golden.channel
        )
        await golden.invoke("cast", {"name": "Yang"})
        await wait_for(lambda: guard.refused >= 2, within=5.0, what="both refusals")
    assert guard.refused == 2 and guard.dropped == 0
    refused = [
        r.getMessage() for r in caplog.records if "unknown interaction (10062)" in r.getMessage()
    ]
    assert len(refused) == 2
    assert any("autocomplete" in line for line in refused)
    assert any("application_command /cast" in line for line in refused)
    no_tracebacks(caplog)
