"""End-to-end fixtures: the local Discord double and a helper to run real discord.py clients.

- `double`: a started `DiscordDouble` on a free port, one per test. At teardown the test
  FAILS if the bot did anything Discord would have refused (a rule violation) that the
  test did not expect via `double.expect_violations(code)` / `double.take_violations()`.
- `run_client(client, double)`: async context manager that points discord.py at the
  double, starts the client, waits for `on_ready` and closes it afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest

from bot.devserver import DiscordDouble
from bot.discord_endpoints import point_discord_at, point_discord_at_discord

READY_GUILD_TIMEOUT = 0.01  # discord.py waits this long after the last GUILD_CREATE


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    fake = DiscordDouble()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    unexpected = fake.unexpected_violations()
    if unexpected:
        lines = "\n".join(f"  - {v.describe()}" for v in unexpected)
        pytest.fail(f"Discord would have refused {len(unexpected)} request(s):\n{lines}")


async def _until_ready(client: discord.Client, runner: asyncio.Task[None], within: float) -> None:
    # Polling is_ready(): wait_until_ready() cannot be awaited before start() set the client up.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not client.is_ready():
        if runner.done():
            runner.result()  # login/connect failed: raise it here
            raise RuntimeError("the client stopped before it became ready")
        if loop.time() > deadline:
            raise TimeoutError(f"the client was not ready within {within} s")
        await asyncio.sleep(0.002)


@contextlib.asynccontextmanager
async def run_client(
    client: discord.Client,
    double: DiscordDouble,
    token: str | None = None,
    *,
    within: float = 10.0,
) -> AsyncIterator[discord.Client]:
    """Run `client` against `double` until the block ends; yields once it is ready."""
    point_discord_at(double.api_base, double.gateway_url)
    # Same effect as passing guild_ready_timeout= to the constructor: without it every
    # start would wait discord.py's default 2 s after the last GUILD_CREATE.
    state = client._connection
    state.guild_ready_timeout = min(state.guild_ready_timeout, READY_GUILD_TIMEOUT)
    runner = asyncio.create_task(client.start(token or double.token))
    try:
        await _until_ready(client, runner, within)
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        point_discord_at_discord()
