"""/renewal [season]: where each season stands, official word beside press reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.catalog import UnknownIdError
from bot.domain.renewal import RenewalAnswer, renewal_answer
from bot.errors import UserFacingError
from bot.i18n.catalogue import Lang, lang_for
from bot.i18n.translator import command_text
from bot.production.timeline import TimelineAdditions
from bot.render.renewal import render_renewal
from bot.services import Services
from bot.ui.base import services_of
from bot.ui.pagination import PageButton, Params, send_pages

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

ALL_SEASONS: Final = "all"


async def current_renewal(services: Services, season: int | None) -> RenewalAnswer:
    """The one place the /renewal answer is assembled (command and page buttons alike).

    Events that maintainers add at run time are merged here: pass them to ``renewal_answer``
    as ``added_events`` / ``added_sources``. ``today`` comes from the services' clock so tests
    can fix it.
    """
    # Updates published with a season and a status, held in memory (no disk on the hot path).
    added = await services.timeline.get()
    return answer_with(services, season, added)


def answer_with(services: Services, season: int | None, added: TimelineAdditions) -> RenewalAnswer:
    try:
        return renewal_answer(
            services.facts.catalog,
            services.today(),
            season=season,
            added_events=added.events,
            added_sources=added.sources,
        )
    except UnknownIdError as error:
        if error.kind != "season":
            raise
        raise UserFacingError("error.unknown_season", season=season) from None


async def renewal_pages(services: Services, lang: Lang, season: int | None) -> list[discord.Embed]:
    """Rendered once per day, language, season and runtime-events version (then reused)."""
    added = await services.timeline.get()  # may reload, which bumps the version
    key = ("renewal", season, lang, services.today(), id(services.facts), services.timeline.version)
    return services.memo.pages(
        key,
        lambda: render_renewal(
            answer_with(services, season, added), lang, services.texts, services.facts.catalog
        ),
    )


class RenewalPageButton(
    PageButton, template=r"gh:renewal:page:(?P<page>\d+):(?P<lang>en|ko):(?P<season>all|\d+)"
):
    id_prefix = "gh:renewal:page"

    @classmethod
    async def render(
        cls, interaction: discord.Interaction[Any], lang: Lang, params: Params
    ) -> list[discord.Embed]:
        (season,) = params
        number = None if season == ALL_SEASONS else int(season)
        return await renewal_pages(services_of(interaction), lang, number)


class RenewalCog(commands.Cog, name="Renewal"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RenewalPageButton)

    @app_commands.command(
        name="renewal",
        description=command_text(
            "Renewal status of each season, with sources", "cmd.renewal.description"
        ),
    )
    @app_commands.describe(
        season=command_text("Season number (leave empty for all)", "cmd.renewal.opt.season")
    )
    async def renewal(
        self, interaction: discord.Interaction[GoldenHourBot], season: int | None = None
    ) -> None:
        lang = lang_for(str(interaction.locale))
        pages = await renewal_pages(self.bot.services, lang, season)
        params = (ALL_SEASONS if season is None else str(season),)
        await send_pages(interaction, pages, RenewalPageButton, lang, params)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(RenewalCog(bot))
    bot.add_dynamic_items(RenewalPageButton)
