"""pytest fixtures for testing a discord.py bot against the double.

Use it from a conftest.py::

    pytest_plugins = ["discord_double.pytest_plugin"]

- ``double``: a started `DiscordDouble` on a free port, one per test. At teardown the test
  FAILS if the client did anything Discord would have refused (a rule or OpenAPI schema
  violation) that the test did not expect via ``double.expect_violations(code)`` /
  ``double.take_violations()``.
- ``checked_double(**config)``: the same as an async context manager, with `DoubleConfig`
  overrides (``max_concurrency=4``, ``nonce_window=1.0`` …).

Run the client itself with `discord_double.client_runner.run_client`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from discord_double.driver import DiscordDouble


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
