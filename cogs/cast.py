"""/cast [name]: one profile, 'did you mean', or the whole cast in billing order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.catalog import UnknownIdError
from bot.domain.profiles import profile_for, whole_cast
from bot.errors import UserFacingError
from bot.i18n.catalogue import Lang, lang_for
from bot.i18n.translator import command_text
from bot.render.cast import render_cast_list, render_profile
from bot.replies import NO_MENTIONS
from bot.services import Services
from bot.ui.base import services_of
from bot.ui.names import entity_id, lookup_name, name_choices
from bot.ui.pagination import PageButton, Params, send_pages
from bot.ui.pick import PickButton, clicker_lang, dismiss_prompt, post_answer, send_did_you_mean

if TYPE_CHECKING:
    from bot.app import GoldenHourBot


def profile_embed(services: Services, key: str, lang: Lang) -> discord.Embed:
    catalog = services.facts.catalog
    try:
        profile = profile_for(catalog, entity_id(key))
    except UnknownIdError:  # a button from before a data update names someone now gone
        raise UserFacingError("error.bad_input") from None
    return services.memo.one(
        ("profile", key, lang, id(services.facts)),
        lambda: render_profile(profile, lang, services.texts, catalog),
    )


def cast_pages(services: Services, lang: Lang) -> list[discord.Embed]:
    catalog = services.facts.catalog
    return services.memo.pages(
        ("cast", lang, id(services.facts)),
        lambda: render_cast_list(whole_cast(catalog), lang, services.texts, catalog),
    )


class CastPageButton(PageButton, template=r"gh:cast:page:(?P<page>\d+):(?P<lang>en|ko)"):
    id_prefix = "gh:cast:page"

    @classmethod
    async def render(
        cls, interaction: discord.Interaction[Any], lang: Lang, params: Params
    ) -> list[discord.Embed]:
        return cast_pages(services_of(interaction), lang)


class CastPickButton(PickButton, template=r"gh:cast:pick:(?P<key>[a-z]+:[a-z0-9-]+)"):
    id_prefix = "gh:cast:pick"

    async def open(self, interaction: discord.Interaction[Any]) -> None:
        embed = profile_embed(services_of(interaction), self.key, clicker_lang(interaction))
        await dismiss_prompt(interaction)
        await post_answer(interaction, embed)


class CastCog(commands.Cog, name="Cast"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(CastPageButton, CastPickButton)

    @app_commands.command(
        name="cast",
        description=command_text(
            "Look up a character or actor, or list the whole cast", "cmd.cast.description"
        ),
    )
    @app_commands.describe(
        name=command_text(
            "Character or actor, in English or Korean (leave empty for the whole cast)",
            "cmd.cast.opt.name",
        )
    )
    async def cast(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        name: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        services = self.bot.services
        lang = lang_for(str(interaction.locale))
        if name is None or not name.strip():
            pages = cast_pages(services, lang)
            await send_pages(interaction, pages, CastPageButton, lang)
            return
        lookup = lookup_name(services.facts, name)
        if lookup.key is not None:
            await interaction.response.send_message(
                embed=profile_embed(services, lookup.key, lang), allowed_mentions=NO_MENTIONS
            )
            return
        await send_did_you_mean(interaction, lookup, CastPickButton)

    @cast.autocomplete("name")
    async def cast_name_autocomplete(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[str]]:
        services = self.bot.services
        return name_choices(
            services.facts, services.texts, lang_for(str(interaction.locale)), current
        )


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(CastCog(bot))
    bot.add_dynamic_items(CastPageButton, CastPickButton)
