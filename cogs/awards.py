"""/awards [who] [ceremony] [result]: wins and nominations for the show, by ceremony.

``who`` is resolved like /cast (a key from autocomplete, or typed text through the resolver);
``ceremony`` is an id from autocomplete, or typed text that names exactly one ceremony.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.datapack.models import Ceremony
from bot.domain.awards import ResultFilter, awards_answer
from bot.domain.catalog import Catalog, UnknownIdError
from bot.errors import UserFacingError
from bot.i18n.catalogue import Catalogue, Lang, lang_for
from bot.i18n.dates import format_date
from bot.i18n.translator import command_text
from bot.render.awards import render_awards
from bot.render.cast import QUERY_SHOWN_MAX
from bot.render.limits import truncate
from bot.render.text import safe
from bot.services import Services
from bot.ui.base import services_of
from bot.ui.names import CHOICE_NAME_MAX, CHOICES_MAX, entity_id, lookup_name, name_choices
from bot.ui.pagination import PageButton, Params, send_pages
from bot.ui.pick import PickButton, clicker_lang, dismiss_prompt, post_answer, send_did_you_mean

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

log = logging.getLogger(__name__)

UNSET: Final = "-"  # an option left empty, inside a custom_id
RESULT_VALUES: Final[tuple[ResultFilter, ...]] = ("won", "nominated", "all")

_KEY = r"[a-z]+:[a-z0-9-]+"
_CEREMONY = r"-|[a-z0-9-]+"
_RESULT = r"won|nominated|all"


def result_filter(value: str) -> ResultFilter:
    for known in RESULT_VALUES:
        if value == known:
            return known
    raise UserFacingError("error.bad_input")


def awards_pages(
    services: Services, lang: Lang, who_key: str | None, ceremony: str | None, result: str
) -> list[discord.Embed]:
    catalog = services.facts.catalog
    try:
        answer = awards_answer(
            catalog,
            who=entity_id(who_key) if who_key else None,
            ceremony=ceremony,
            result=result_filter(result),
        )
    except UnknownIdError:  # a button from before a data update names something now gone
        raise UserFacingError("error.bad_input") from None
    return services.memo.pages(
        ("awards", who_key, ceremony, result, lang, id(services.facts)),
        lambda: render_awards(answer, lang, services.texts, catalog),
    )


def _unset_to_none(value: str) -> str | None:
    return None if value == UNSET else value


class AwardsPageButton(
    PageButton,
    template=(
        rf"gh:awards:page:(?P<page>\d+):(?P<lang>en|ko)"
        rf":(?P<who>-|{_KEY}):(?P<ceremony>{_CEREMONY}):(?P<result>{_RESULT})"
    ),
):
    id_prefix = "gh:awards:page"

    @classmethod
    async def render(
        cls, interaction: discord.Interaction[Any], lang: Lang, params: Params
    ) -> list[discord.Embed]:
        who, ceremony, result = params
        services = services_of(interaction)
        return awards_pages(services, lang, _unset_to_none(who), _unset_to_none(ceremony), result)


class AwardsPickButton(
    PickButton,
    template=rf"gh:awards:pick:(?P<key>{_KEY}):(?P<ceremony>{_CEREMONY}):(?P<result>{_RESULT})",
):
    id_prefix = "gh:awards:pick"

    async def open(self, interaction: discord.Interaction[Any]) -> None:
        ceremony, result = self.params
        lang = clicker_lang(interaction)
        pages = awards_pages(
            services_of(interaction), lang, self.key, _unset_to_none(ceremony), result
        )
        view = AwardsPageButton.pager_view(1, len(pages), lang, (self.key, ceremony, result))
        await dismiss_prompt(interaction)
        await post_answer(interaction, pages[0], view)


def ceremony_label(ceremony: Ceremony, lang: Lang, texts: Catalogue) -> str:
    """Plain text, e.g. '61st Baeksang Arts Awards · 7 May 2025' (en)."""
    name = texts.t(
        lang,
        "awards.ceremony_name",
        ordinal=texts.ordinal(lang, ceremony.edition),
        name=ceremony.name.ko if lang == "ko" else ceremony.name.en,
    )
    label = texts.t(
        lang, "awards.ceremony_heading", name=name, date=format_date(ceremony.date, lang)
    )
    return truncate(label, CHOICE_NAME_MAX)


def _matches(ceremony: Ceremony, words: list[str], texts: Catalogue) -> bool:
    haystack = " ".join(
        [ceremony.id, ceremony.name.en, ceremony.name.ko, str(ceremony.edition)]
        + [ceremony_label(ceremony, lang, texts) for lang in ("en", "ko")]
    ).casefold()
    return all(word in haystack for word in words)


def find_ceremony(catalog: Catalog, texts: Catalogue, submitted: str) -> str:
    """The ceremony id for a submitted value: an id, or text naming exactly one ceremony."""
    text = submitted.strip()
    if any(c.id == text for c in catalog.ceremonies):
        return text
    words = text.casefold().split()
    found = [c.id for c in catalog.ceremonies if words and _matches(c, words, texts)]
    if len(found) == 1:
        return found[0]
    raise UserFacingError("error.unknown_ceremony")


class AwardsCog(commands.Cog, name="Awards"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AwardsPageButton, AwardsPickButton)

    @app_commands.command(
        name="awards",
        description=command_text(
            "Awards and nominations for the show, by ceremony", "cmd.awards.description"
        ),
    )
    @app_commands.describe(
        who=command_text("A person or character", "cmd.awards.opt.who"),
        ceremony=command_text("One ceremony", "cmd.awards.opt.ceremony"),
        result=command_text("Wins, nominations or all", "cmd.awards.opt.result"),
    )
    @app_commands.choices(
        result=[
            app_commands.Choice(name=command_text("Won", "cmd.awards.choice.won"), value="won"),
            app_commands.Choice(
                name=command_text("Nominated", "cmd.awards.choice.nominated"), value="nominated"
            ),
            app_commands.Choice(name=command_text("All", "cmd.awards.choice.all"), value="all"),
        ]
    )
    async def awards(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        who: app_commands.Range[str, 1, 100] | None = None,
        ceremony: app_commands.Range[str, 1, 100] | None = None,
        result: app_commands.Choice[str] | None = None,
    ) -> None:
        services = self.bot.services
        lang = lang_for(str(interaction.locale))
        result_value = result_filter(result.value) if result is not None else "all"
        ceremony_id = (
            find_ceremony(services.facts.catalog, services.texts, ceremony)
            if ceremony is not None
            else None
        )
        who_key: str | None = None
        if who is not None and who.strip():
            lookup = lookup_name(services.facts, who)
            if lookup.key is None:
                if not lookup.keys:
                    shown = safe(truncate(lookup.query, QUERY_SHOWN_MAX))
                    raise UserFacingError("error.unknown_person", query=shown)
                pick_params = (ceremony_id or UNSET, result_value)
                await send_did_you_mean(
                    interaction, lookup, AwardsPickButton, pick_params, hint_key=None
                )
                return
            who_key = lookup.key
        pages = awards_pages(services, lang, who_key, ceremony_id, result_value)
        params = (who_key or UNSET, ceremony_id or UNSET, result_value)
        await send_pages(interaction, pages, AwardsPageButton, lang, params)

    @awards.autocomplete("who")
    async def awards_who_autocomplete(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[str]]:
        services = self.bot.services
        return name_choices(
            services.facts, services.texts, lang_for(str(interaction.locale)), current
        )

    @awards.autocomplete("ceremony")
    async def awards_ceremony_autocomplete(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            services = self.bot.services
            catalog, texts = services.facts.catalog, services.texts
            lang = lang_for(str(interaction.locale))
            words = current.casefold().split()
            return [
                app_commands.Choice(name=ceremony_label(c, lang, texts), value=c.id)
                for c in catalog.ceremonies
                if not words or _matches(c, words, texts)
            ][:CHOICES_MAX]
        except Exception:
            log.exception("ceremony autocomplete failed for %r", current)
            return []


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(AwardsCog(bot))
    bot.add_dynamic_items(AwardsPageButton, AwardsPickButton)
