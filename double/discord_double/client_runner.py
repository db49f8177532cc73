"""Run any discord.py client against the local double until a block ends.

Used by the end-to-end tests, the offline console's tests and the benchmarks: the client is
the unmodified library, only pointed at the double through `point_discord_at`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

from discord_double.driver import DiscordDouble
from discord_double.endpoints import point_discord_at, point_discord_at_discord

READY_GUILD_TIMEOUT = 0.01  # discord.py waits this long after the last GUILD_CREATE


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
