"""/awards [who] [ceremony] [result]: wins and nominations for the show, by ceremony.

``who`` is resolved like /cast (a key from autocomplete, or typed text through the resolver);
``ceremony`` is an id from autocomplete, or typed text: naming one ceremony it is used as
is; matching several (``2025``) or none, the fan is offered the ceremonies as buttons.
An answer with no entries is private and says what would match instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.datapack.models import Ceremony
from bot.domain.awards import ResultFilter, awards_answer, people_with_entries
from bot.domain.catalog import Catalog, UnknownIdError
from bot.errors import UserFacingError
from bot.i18n.catalogue import Catalogue, Lang, lang_for
from bot.i18n.dates import format_date
from bot.i18n.translator import command_text
from bot.render.awards import ceremony_name, empty_text, render_awards
from bot.render.cast import MAX_SUGGESTIONS, QUERY_SHOWN_MAX
from bot.render.common import Colours
from bot.render.limits import TITLE_MAX, truncate
from bot.render.text import safe
from bot.replies import NO_MENTIONS
from bot.services import Services
from bot.ui.base import services_of
from bot.ui.names import CHOICE_NAME_MAX, CHOICES_MAX, entity_id, lookup_name, name_choices
from bot.ui.pagination import PageButton, Params, send_pages
from bot.ui.pick import (
    BUTTON_LABEL_MAX,
    PickButton,
    clicker_lang,
    dismiss_prompt,
    post_answer,
    send_did_you_mean,
)

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


class NothingMatches(Exception):
    """The filters select no entry: the fan gets ``text`` privately instead of a card."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def awards_pages(
    services: Services, lang: Lang, who_key: str | None, ceremony: str | None, result: str
) -> list[discord.Embed]:
    """The card's pages; :class:`NothingMatches` when there is nothing to show."""
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
    if not answer.groups:
        raise NothingMatches(empty_text(answer, lang, services.texts, catalog))
    return services.memo.pages(
        ("awards", who_key, ceremony, result, lang, id(services.facts)),
        lambda: render_awards(answer, lang, services.texts, catalog),
    )


async def send_awards(
    interaction: discord.Interaction[Any],
    lang: Lang,
    who_key: str | None,
    ceremony: str | None,
    result: str,
    *,
    after_prompt: bool = False,
) -> None:
    """The public card, or the private 'nothing matches, but…' line.

    ``after_prompt``: answering a click on a private prompt (the prompt loses its buttons)."""
    services = services_of(interaction)
    try:
        pages = awards_pages(services, lang, who_key, ceremony, result)
    except NothingMatches as empty:
        if after_prompt:
            await dismiss_prompt(interaction)
            await interaction.followup.send(
                empty.text, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.response.send_message(
                empty.text, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        return
    params = (who_key or UNSET, ceremony or UNSET, result)
    if after_prompt:
        view = AwardsPageButton.pager_view(1, len(pages), lang, params)
        await dismiss_prompt(interaction)
        await post_answer(interaction, pages[0], view)
    else:
        await send_pages(interaction, pages, AwardsPageButton, lang, params)


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
        try:
            return awards_pages(
                services, lang, _unset_to_none(who), _unset_to_none(ceremony), result
            )
        except NothingMatches:  # the data changed under an old pager: its filters are stale
            raise UserFacingError("error.bad_input") from None


class AwardsPickButton(
    PickButton,
    template=rf"gh:awards:pick:(?P<key>{_KEY}):(?P<ceremony>{_CEREMONY}):(?P<result>{_RESULT})",
):
    id_prefix = "gh:awards:pick"

    async def open(self, interaction: discord.Interaction[Any]) -> None:
        ceremony, result = self.params
        lang = clicker_lang(interaction)
        await send_awards(
            interaction, lang, self.key, _unset_to_none(ceremony), result, after_prompt=True
        )


class CeremonyPickButton(
    PickButton,
    template=rf"gh:awards:cer:(?P<key>[a-z0-9-]+):(?P<who>-|{_KEY}):(?P<result>{_RESULT})",
):
    """One button per ceremony, for typed ceremony text that named several or none."""

    id_prefix = "gh:awards:cer"

    async def open(self, interaction: discord.Interaction[Any]) -> None:
        who, result = self.params
        lang = clicker_lang(interaction)
        await send_awards(
            interaction, lang, _unset_to_none(who), self.key, result, after_prompt=True
        )


def ceremony_label(ceremony: Ceremony, lang: Lang, texts: Catalogue) -> str:
    """Plain text, e.g. '61st Baeksang Arts Awards · 7 May 2025' (en)."""
    label = texts.t(
        lang,
        "awards.ceremony_heading",
        name=ceremony_name(ceremony, lang, texts),
        date=format_date(ceremony.date, lang),
    )
    return truncate(label, CHOICE_NAME_MAX)


def _matches(ceremony: Ceremony, words: list[str], texts: Catalogue) -> bool:
    haystack = " ".join(
        [ceremony.id, ceremony.name.en, ceremony.name.ko, str(ceremony.edition)]
        + [ceremony_label(ceremony, lang, texts) for lang in ("en", "ko")]
    ).casefold()
    return all(word in haystack for word in words)


def find_ceremonies(catalog: Catalog, texts: Catalogue, submitted: str) -> list[Ceremony]:
    """The ceremonies a submitted value names: its id, or every one the text matches."""
    text = submitted.strip()
    exact = [c for c in catalog.ceremonies if c.id == text]
    if exact:
        return exact
    words = text.casefold().split()
    return [c for c in catalog.ceremonies if words and _matches(c, words, texts)]


async def ask_ceremony(
    interaction: discord.Interaction[Any],
    query: str,
    found: list[Ceremony],
    params: tuple[str, str],
) -> None:
    """Private prompt: the ceremonies the text matched (or, matching none, every ceremony)."""
    services = services_of(interaction)
    texts, lang = services.texts, lang_for(str(interaction.locale))
    offered = found or list(services.facts.catalog.ceremonies)
    shown = safe(truncate(query.strip(), QUERY_SHOWN_MAX))
    title = texts.t(lang, "awards.pick_ceremony" if found else "awards.no_ceremony", query=shown)
    labels = [(c.id, ceremony_label(c, lang, texts)) for c in offered[:MAX_SUGGESTIONS]]
    lines = [f"• {safe(label)}" for _, label in labels]
    lines.append(texts.t(lang, "awards.pick_hint"))
    embed = discord.Embed(
        title=truncate(title, TITLE_MAX), description="\n".join(lines), colour=Colours.NOTICE
    )
    view = CeremonyPickButton.prompt_view(
        [(key, truncate(label, BUTTON_LABEL_MAX)) for key, label in labels], params
    )
    await interaction.response.send_message(
        embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
    )


def with_entries_first(
    catalog: Catalog, choices: list[app_commands.Choice[str]]
) -> list[app_commands.Choice[str]]:
    """People (or characters whose actor) with award entries first, in the order given;
    with nothing typed, the people themselves, so the list starts with who has awards."""
    named = people_with_entries(catalog)

    def has_entries(value: str) -> bool:
        ident = entity_id(value)
        if value.startswith("character:") and catalog.is_character(ident):
            return catalog.character(ident).played_by in named
        return ident in named

    return sorted(choices, key=lambda choice: not has_entries(choice.value))


class AwardsCog(commands.Cog, name="Awards"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AwardsPageButton, AwardsPickButton, CeremonyPickButton)

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
        who_key: str | None = None
        lookup = lookup_name(services.facts, who) if who is not None and who.strip() else None
        if lookup is not None:
            who_key = lookup.key
        ceremony_id: str | None = None
        if ceremony is not None:
            found = find_ceremonies(services.facts.catalog, services.texts, ceremony)
            if len(found) != 1:
                # A who that is not settled yet is dropped from the buttons: the card says
                # whom it is about, and the fan can narrow it again.
                await ask_ceremony(interaction, ceremony, found, (who_key or UNSET, result_value))
                return
            ceremony_id = found[0].id
        if lookup is not None and who_key is None:
            if not lookup.keys:
                shown = safe(truncate(lookup.query, QUERY_SHOWN_MAX))
                raise UserFacingError("error.unknown_person", query=shown)
            pick_params = (ceremony_id or UNSET, result_value)
            await send_did_you_mean(
                interaction, lookup, AwardsPickButton, pick_params, hint_key=None
            )
            return
        await send_awards(interaction, lang, who_key, ceremony_id, result_value)

    @awards.autocomplete("who")
    async def awards_who_autocomplete(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[str]]:
        services = self.bot.services
        choices = name_choices(
            services.facts, services.texts, lang_for(str(interaction.locale)), current
        )
        return with_entries_first(services.facts.catalog, choices)

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
    bot.add_dynamic_items(AwardsPageButton, AwardsPickButton, CeremonyPickButton)
