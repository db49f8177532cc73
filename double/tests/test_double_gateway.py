"""The gateway side: READY with many guilds, sharding, RESUME after RECONNECT, a fresh
IDENTIFY after a non-resumable INVALID_SESSION, events for changes while connected."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord_double import DiscordDouble
from discord_double.client_runner import run_client
from discord_double.pytest_plugin import checked_double


class Pong(commands.Cog):
    @app_commands.command(description="Are you there")
    async def ping(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")


class GatewayBot(commands.Bot):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("intents", discord.Intents.default())
        super().__init__(command_prefix="!", **kwargs)

    async def setup_hook(self) -> None:
        await self.add_cog(Pong())

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s before re-identifying; Discord needs that, the double does not.
        return None


class ShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # shards after the first would wait 5 s each


async def test_ready_with_many_guilds(double: DiscordDouble) -> None:
    guilds = [double.add_guild(f"guild {i}") for i in range(300)]
    for guild in guilds:
        double.add_channel(guild, "general")
    bot = GatewayBot()
    async with run_client(bot, double):
        assert len(bot.guilds) == 300
        assert all(g.me is not None and len(g.text_channels) == 1 for g in bot.guilds)


async def test_sharded_client_gets_each_guild_on_one_shard() -> None:
    # max_concurrency 2: both shards may IDENTIFY at once (ShardedBot skips the 5 s wait).
    async with checked_double(max_concurrency=2) as double:
        for index in range(20):
            double.add_guild(f"guild {index}")
        bot = ShardedBot(command_prefix="!", intents=discord.Intents.default(), shard_count=2)
        async with run_client(bot, double):
            assert len(bot.guilds) == 20
            assert {g.shard_id for g in bot.guilds} <= {0, 1}
            for session in double.gateway.connected_sessions():
                shard_id, count = session.shard
                mine = {g.id for g in bot.guilds if g.shard_id == shard_id}
                assert mine == {g for g in double.state.guilds if (g >> 22) % count == shard_id}
        assert double.stats.identifies == 2


async def test_reconnect_resumes_and_replays_missed_events(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    channel = double.add_channel(guild, "general")
    bot = GatewayBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        reconnecting = asyncio.create_task(double.gateway_reconnect())
        await asyncio.sleep(0)  # op 7 is on its way; this channel appears while reconnecting
        added = double.add_channel(guild, "added-while-away")
        await reconnecting
        assert double.stats.identifies == 1, "a RESUME is not a new IDENTIFY"
        assert bot.get_channel(added.id) is not None, "the missed CHANNEL_CREATE was replayed"
        res = await double.invoke("ping", channel=channel)
        assert res.content == "pong"


async def test_invalid_session_makes_the_bot_identify_again(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    channel = double.add_channel(guild, "general")
    bot = GatewayBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        await double.gateway_invalidate(resumable=False)
        assert double.stats.identifies == 2
        await double.gateway_invalidate(resumable=True)
        assert double.stats.identifies == 2
        res = await double.invoke("ping", channel=channel)
        assert res.content == "pong"


async def test_changes_while_connected_reach_the_bot(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    bot = GatewayBot()
    async with run_client(bot, double):
        joined = await _wait_for(bot, "guild_join", lambda: double.add_guild("new guild"))
        assert joined.name == "new guild"
        created = await _wait_for(
            bot, "guild_channel_create", lambda: double.add_channel(guild, "fresh")
        )
        assert created.name == "fresh"
        role = await _wait_for(bot, "guild_role_create", lambda: double.add_role(guild, "subs"))
        assert role.name == "subs"


async def _wait_for(bot: discord.Client, event: str, action: Any) -> Any:
    waiter = bot.wait_for(event, timeout=5)
    action()
    return await waiter


async def test_privileged_intents_need_approval(double: DiscordDouble) -> None:
    bot = GatewayBot(intents=discord.Intents.all())
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with run_client(bot, double):
            pass


async def test_members_intent_when_approved_sends_members() -> None:
    fake = DiscordDouble(privileged_intents=1 << 1)
    await fake.start()
    try:
        guild = fake.add_guild("g")
        for index in range(3):
            fake.add_member(guild, f"member {index}")
        intents = discord.Intents.default()
        intents.members = True
        bot = GatewayBot(intents=intents)
        async with run_client(bot, fake):
            cached = bot.get_guild(guild.id)
            assert cached is not None
            assert {m.name for m in cached.members} >= {"member 0", "member 1", "member 2"}
    finally:
        await fake.stop()
