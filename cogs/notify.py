"""/notify: a fan turns this server's update pings on or off for themselves.

The same toggle answers the 'Notify me / Stop notifying' button under every delivered update
(``bot.ui.notify``); the button is registered here as a dynamic item, so it keeps working
after a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n.translator import command_text
from bot.ui.notify import NotifyButton, toggle_ping_role

if TYPE_CHECKING:
    from bot.app import GoldenHourBot


class NotifyCog(commands.Cog, name="Notify"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(NotifyButton)

    @app_commands.command(
        name="notify",
        description=command_text(
            "Turn update pings on or off for yourself", "cmd.notify.description"
        ),
    )
    @app_commands.guild_only()
    async def notify(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        await toggle_ping_role(interaction)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(NotifyCog(bot))
    bot.add_dynamic_items(NotifyButton)
