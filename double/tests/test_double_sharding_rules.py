"""Sharding as Discord enforces it: at most 2,500 guilds on a shard (close 4011) and IDENTIFYs
spaced by `session_start_limit.max_concurrency`."""

from __future__ import annotations

import discord
import pytest
from discord.ext import commands
from discord_double import DiscordDouble
from discord_double.client_runner import run_client
from discord_double.errors import IDENTIFY_TOO_FAST, SHARDING_REQUIRED
from discord_double.pytest_plugin import checked_double


def _guilds(double: DiscordDouble, count: int) -> None:
    for index in range(count):
        double.add_guild(f"server {index}")


class EagerShardedBot(commands.AutoShardedBot):
    """Identifies every shard at once, ignoring max_concurrency."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


async def test_an_unsharded_client_with_2600_guilds_is_refused_with_4011(
    double: DiscordDouble,
) -> None:
    _guilds(double, 2_600)
    client = discord.Client(intents=discord.Intents.default())
    with (
        double.expect_violations(SHARDING_REQUIRED) as seen,
        pytest.raises(discord.ConnectionClosed) as closed,
    ):
        async with run_client(client, double, within=30.0):
            pass
    assert closed.value.code == 4011
    assert "2600 guilds" in seen[0].message
    assert double.stats.identifies == 0


async def test_identifying_faster_than_max_concurrency_is_refused() -> None:
    # The window is shortened so that the eager bot's retries succeed quickly.
    async with checked_double(max_concurrency=1, identify_interval=0.3) as double:
        _guilds(double, 10)
        bot = EagerShardedBot(command_prefix="!", intents=discord.Intents.default(), shard_count=2)
        with double.expect_violations(IDENTIFY_TOO_FAST) as seen:
            async with run_client(bot, double, within=20.0):
                assert len(bot.guilds) == 10
        assert seen[0].path == "IDENTIFY shard [1, 2]"
