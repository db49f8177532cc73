"""A short greeting when the bot is added to a server (see ``bot.ui.welcome``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.ui.welcome import joined_recently, welcome

if TYPE_CHECKING:
    from bot.app import GoldenHourBot


class WelcomeCog(commands.Cog, name="Welcome"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        # discord.py fires this for a GUILD_CREATE of a join outside READY; the record in
        # welcomed_guilds covers a repeated event.
        await welcome(self.bot.services, guild)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        # A join while the bot was offline, or in the seconds after a (re)connect, reaches
        # discord.py inside READY and is reported as "available": greet it if the bot joined
        # just now. Servers joined long ago (or greeted already) are left alone.
        if joined_recently(guild, discord.utils.utcnow()):
            await welcome(self.bot.services, guild, in_ready=True)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(WelcomeCog(bot))
