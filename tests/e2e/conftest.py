"""End-to-end fixtures: the local Discord double and a helper to run real discord.py clients.

- `double`: a started `DiscordDouble` on a free port, one per test. At teardown the test
  FAILS if the bot did anything Discord would have refused (a rule violation) that the
  test did not expect via `double.expect_violations(code)` / `double.take_violations()`.
- `golden`: the real Golden Hour bot started against `double` (see `tests/e2e/golden.py`).
- `run_client` (from `discord_double.client_runner`) runs any discord.py client against the double.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from discord_double import DiscordDouble
from discord_double.client_runner import run_client


@contextlib.asynccontextmanager
async def checked_double(**config: Any) -> AsyncIterator[DiscordDouble]:
    """A started double with `DoubleConfig` overrides; fails on unexpected violations."""
    fake = DiscordDouble(**config)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    unexpected = fake.unexpected_violations()
    if unexpected:
        lines = "\n".join(f"  - {v.describe()}" for v in unexpected)
        pytest.fail(f"Discord would have refused {len(unexpected)} request(s):\n{lines}")


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    async with checked_double() as fake:
        yield fake


__all__ = ["checked_double", "double", "golden", "run_client"]

# The real Golden Hour bot on the double; imported last because it builds on `double`.
from tests.e2e.golden import golden  # noqa: E402
