"""Golden Hour, automatically sharded: the shard count Discord recommends, IDENTIFYs paced by
`max_concurrency` without a refusal, and a start with 10,000 servers that answers on a later
shard. (The double's own sharding rules are tested in double/tests.)"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands
from discord_double import DiscordDouble
from discord_double.client_runner import run_client
from discord_double.pytest_plugin import checked_double

from bot.app import GoldenHourBot
from bot.runner import open_services
from bot.sharding import IdentifyPacer
from tests.e2e.golden import TODAY, golden_settings


def _guilds(double: DiscordDouble, count: int) -> None:
    for index in range(count):
        double.add_guild(f"server {index}")


class PacedShardedBot(commands.AutoShardedBot):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), **kwargs)
        self.pacer = IdentifyPacer()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.pacer.wait(self, shard_id)


async def test_gateway_bot_recommends_a_shard_per_1000_guilds() -> None:
    async with checked_double(max_concurrency=4) as double:
        _guilds(double, 2_001)
        bot = PacedShardedBot()
        async with run_client(bot, double, within=30.0):
            shards, _, limits = await bot.http.get_bot_gateway()
            assert (shards, limits["max_concurrency"]) == (3, 4)
            assert bot.shard_count == 3
            assert len(bot.guilds) == 2_001


async def test_the_pacer_keeps_max_concurrency_one_without_a_refusal(
    double: DiscordDouble,
) -> None:
    _guilds(double, 10)
    bot = PacedShardedBot(shard_count=2)
    started = time.monotonic()
    async with run_client(bot, double, within=20.0):
        assert len(bot.guilds) == 10
    assert time.monotonic() - started >= 5.0, "shard 1 waited for its 5 s slot"
    assert double.stats.identifies == 2  # and the fixture saw no violation


async def test_golden_hour_starts_with_10000_servers_and_answers_on_a_later_shard(
    tmp_path: Path,
) -> None:
    # max_concurrency 16 (Discord's "large bot sharding"): ten shards may start together.
    async with checked_double(max_concurrency=16) as double:
        channels = []
        for index in range(10_000):
            guild = double.add_guild(f"server {index}")
            channels.append((guild, double.add_channel(guild, "general")))
        settings = golden_settings(double, tmp_path / "gh.sqlite3")
        async with open_services(settings) as services:
            services.today = lambda: TODAY
            bot = GoldenHourBot(services)
            async with run_client(bot, double, within=120.0):
                assert bot.shard_count == 10
                assert len(bot.guilds) == 10_000
                guild, channel = next((g, c) for g, c in channels if (g.id >> 22) % 10 == 7)
                fan = double.add_member(guild, "fan")
                res = await double.invoke(
                    "cast", {"name": "Baek Kang-hyuk"}, guild=guild, channel=channel, user=fan
                )
                assert res.answered and "Ju Ji-hoon" in (res.content + str(res.embeds))
                assert bot.get_guild(guild.id) is not None
                assert bot.get_guild(guild.id).shard_id == 7  # type: ignore[union-attr]
        assert double.stats.identifies == 10
