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


class RenderedPages:
    """Rendered /renewal pages, reused while nothing they depend on has changed.

    Rendering every season's pages costs about a millisecond of CPU; the answer only changes
    with the day, the facts, the language and the runtime events."""

    def __init__(self) -> None:
        self._pages: dict[tuple[object, ...], list[dict[str, Any]]] = {}

    async def get(self, services: Services, lang: Lang, season: int | None) -> list[discord.Embed]:
        await services.timeline.get()  # loads or refreshes, which may bump the version
        key = (lang, season, services.today(), id(services.facts), services.timeline.version)
        pages = self._pages.get(key)
        if pages is None:
            answer = await current_renewal(services, season)
            rendered = render_renewal(answer, lang, services.texts, services.facts.catalog)
            pages = [dict(page.to_dict()) for page in rendered]
            if len(self._pages) > 64:  # old days / versions: drop them all, they never return
                self._pages.clear()
            self._pages[key] = pages
        # Fresh Embed objects each time: callers may add to them.
        return [discord.Embed.from_dict(page) for page in pages]


async def renewal_pages(
    client: discord.Client, services: Services, lang: Lang, season: int | None
) -> list[discord.Embed]:
    cog = client.get_cog("Renewal") if isinstance(client, commands.Bot) else None
    if isinstance(cog, RenewalCog):
        return await cog.rendered.get(services, lang, season)
    answer = await current_renewal(services, season)
    return render_renewal(answer, lang, services.texts, services.facts.catalog)


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
        return await renewal_pages(interaction.client, services_of(interaction), lang, number)


class RenewalCog(commands.Cog, name="Renewal"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot
        self.rendered = RenderedPages()

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
        pages = await renewal_pages(self.bot, self.bot.services, lang, season)
        params = (ALL_SEASONS if season is None else str(season),)
        await send_pages(interaction, pages, RenewalPageButton, lang, params)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(RenewalCog(bot))
    bot.add_dynamic_items(RenewalPageButton)
