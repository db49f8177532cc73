"""/notify: a fan chooses which topics of updates ping them in this server.

The same picker answers the 'Notify me' button under every delivered update
(``bot.ui.notify``); the button and the picker's select are registered here as dynamic items,
so they keep working after a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n.translator import command_text
from bot.ui.notify import NotifyButton
from bot.ui.topic_picker import TopicSelect, open_topic_picker

if TYPE_CHECKING:
    from bot.app import GoldenHourBot


class NotifyCog(commands.Cog, name="Notify"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(NotifyButton, TopicSelect)

    @app_commands.command(
        name="notify",
        description=command_text("Choose which update topics ping you", "cmd.notify.description"),
    )
    @app_commands.guild_only()
    async def notify(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        await open_topic_picker(interaction)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(NotifyCog(bot))
    bot.add_dynamic_items(NotifyButton, TopicSelect)
