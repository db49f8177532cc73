"""/renewal [season]: where a season stands, in a short card; the sourced timeline behind it.

With no season, the answer is about the next season (computed from the data and today).
The card, the season menu and the timeline pages live in bot.ui.renewal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n.catalogue import lang_for
from bot.i18n.translator import command_text
from bot.replies import NO_MENTIONS
from bot.ui.renewal import RenewalPageButton, SeasonMenu, SummaryButton, card

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

COMPONENTS = (RenewalPageButton, SeasonMenu, SummaryButton)


class RenewalCog(commands.Cog, name="Renewal"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*COMPONENTS)

    @app_commands.command(
        name="renewal",
        description=command_text(
            "Is the next season coming? Status, Netflix's word and the latest reports",
            "cmd.renewal.description",
        ),
    )
    @app_commands.describe(
        season=command_text(
            "Season number (leave empty for the next season)", "cmd.renewal.opt.season"
        )
    )
    async def renewal(
        self, interaction: discord.Interaction[GoldenHourBot], season: int | None = None
    ) -> None:
        lang = lang_for(str(interaction.locale))
        embed, view = await card(self.bot.services, lang, season)
        await interaction.response.send_message(
            embed=embed, view=view, allowed_mentions=NO_MENTIONS
        )


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(RenewalCog(bot))
    bot.add_dynamic_items(*COMPONENTS)
