"""/show (the overview card, public) and /help (the command list, ephemeral).

/help lists /production only to maintainers (ids in MAINTAINER_IDS, or the bot's owners):
fans cannot run it, and the reply is ephemeral so nobody else sees a maintainer's list.
/setup is listed for everyone, marked '(server admins)', so fans know to ask an admin.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.show import show_answer
from bot.i18n.catalogue import lang_for
from bot.i18n.translator import command_text
from bot.render.help import render_help
from bot.render.show import render_show
from bot.replies import NO_MENTIONS

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

from bot.access import is_maintainer

log = logging.getLogger(__name__)


class InfoCog(commands.Cog, name="Info"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="show", description=command_text("The show at a glance", "cmd.show.description")
    )
    async def show(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        services = self.bot.services
        catalog = services.facts.catalog
        lang = lang_for(str(interaction.locale))
        embed = render_show(show_answer(catalog), lang, services.texts, catalog)
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_MENTIONS)

    @app_commands.command(
        name="help",
        description=command_text("Commands and where the data comes from", "cmd.help.description"),
    )
    async def help(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        services = self.bot.services
        lang = lang_for(str(interaction.locale))
        embed = render_help(
            lang,
            services.texts,
            services.facts.catalog,
            include_maintainers=await is_maintainer(self.bot, interaction.user),
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(InfoCog(bot))
