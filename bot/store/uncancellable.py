"""Run clean-up to its end even when the task running it is being cancelled."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def uncancellable(operation: Awaitable[T]) -> T:
    """Run ``operation`` to its end even if this task is cancelled meanwhile; a cancellation
    that arrived is re-raised afterwards."""
    inner = asyncio.ensure_future(operation)
    try:
        return await asyncio.shield(inner)
    except asyncio.CancelledError:
        while not inner.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([inner])
        if not inner.cancelled():
            inner.exception()  # the cancellation wins; don't warn about an unretrieved error
        raise
