"""Reading a channel's history from the double as Discord serves it: newest first, `limit`
1-100 (default 50), one of `before`/`after`/`around`, and an empty list (not an error) when
the bot lacks Read Message History; without View Channel, 403 Missing Access."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord.ext import commands
from discord.http import Route
from discord_double import DiscordDouble, Permission
from discord_double.client_runner import run_client
from discord_double.permissions import DEFAULT_BOT_PERMISSIONS


def _bot() -> commands.Bot:
    return commands.Bot(command_prefix="!", intents=discord.Intents.default())


async def _raw_list(bot: commands.Bot, channel_id: int, **query: Any) -> Any:
    route = Route("GET", "/channels/{channel_id}/messages", channel_id=channel_id)
    return await bot.http.request(route, params=query)


async def test_history_pages_like_discord(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    channel = double.add_channel(guild, "general")
    fan = double.add_member(guild, "fan")
    posted = [double.user_message(channel, fan, f"m{i}") for i in range(130)]
    ids = [m.id for m in posted]
    bot = _bot()
    async with run_client(bot, double):
        latest = await _raw_list(bot, channel.id)
        assert [int(m["id"]) for m in latest] == ids[::-1][:50]  # default 50, newest first
        after = await _raw_list(bot, channel.id, after=ids[9], limit=5)
        assert [int(m["id"]) for m in after] == ids[10:15][::-1]  # the oldest after, newest first
        before = await _raw_list(bot, channel.id, before=ids[9], limit=3)
        assert [int(m["id"]) for m in before] == ids[6:9][::-1]
        around = await _raw_list(bot, channel.id, around=ids[50], limit=4)
        assert [int(m["id"]) for m in around] == ids[48:52][::-1]
        target = bot.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        # discord.py pages forward with `after` (100 at a time) and gets every message once.
        seen = [m.id async for m in target.history(limit=None, after=posted[0], oldest_first=True)]
        assert seen == ids[1:]
        with double.expect_violations(50035) as refused, pytest.raises(discord.HTTPException):
            await _raw_list(bot, channel.id, limit=101)
        with double.expect_violations(50035), pytest.raises(discord.HTTPException):
            await _raw_list(bot, channel.id, before=ids[5], after=ids[1])
    assert refused[0].errors == ["limit: int value should be less than or equal to 100."]


async def test_without_read_message_history_the_answer_is_empty(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    fan = double.add_member(guild, "fan")
    no_history = double.add_channel(
        guild,
        "no-history",
        bot_permissions=int(DEFAULT_BOT_PERMISSIONS) & ~int(Permission.READ_MESSAGE_HISTORY),
    )
    hidden = double.add_channel(guild, "hidden", bot_permissions=0)
    double.user_message(no_history, fan, "hello")
    bot = _bot()
    async with run_client(bot, double):
        assert await _raw_list(bot, no_history.id) == []
        with pytest.raises(discord.Forbidden) as refused:
            await _raw_list(bot, hidden.id)
    assert refused.value.code == 50001
