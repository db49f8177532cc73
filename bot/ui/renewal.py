"""/renewal's answers and components: the short card, the season menu, the timeline pages.

Everything is stateless like the page buttons: each ``custom_id`` holds the language and the
season (``gh:renewal:season:ko``, ``gh:renewal:page:2:en:3``, ``gh:renewal:card:en:2``), so
the menu and the buttons work for anyone, after restarts, and always show the current facts.
The message keeps the language of the person who asked, whoever uses it.

- the card: menu (row 1) and a "Full timeline" button (row 2);
- the timeline: menu (row 1), ◀ n/N ▶ when there are several pages, and "Back to the summary".
"""

from __future__ import annotations

import re
from typing import Any, Final

import discord

from bot.domain.catalog import UnknownIdError
from bot.domain.renewal import RenewalAnswer, renewal_answer
from bot.errors import UserFacingError
from bot.i18n.catalogue import Catalogue, Lang
from bot.production.timeline import TimelineAdditions
from bot.render.limits import truncate
from bot.render.renewal import render_card, render_renewal, render_timeline, status_text
from bot.replies import NO_MENTIONS
from bot.services import Services
from bot.ui.base import guarded, services_of
from bot.ui.pagination import PageButton, Params, clamp_page, lang_of

ALL_SEASONS: Final = "all"  # page buttons of answers sent before the card existed
SELECT_TEXT_MAX: Final = 100  # Discord's limit for an option's label and description
BUTTON_LABEL_MAX: Final = 80

View = discord.ui.View


def answer_with(services: Services, added: TimelineAdditions) -> RenewalAnswer:
    """Every season as of the services' today, pack events merged with maintainers' updates."""
    return renewal_answer(
        services.facts.catalog,
        services.today(),
        added_events=added.events,
        added_sources=added.sources,
    )


async def current_renewal(services: Services) -> RenewalAnswer:
    """The one place the /renewal answer is assembled (command, menu and buttons alike)."""
    # Runtime events are held in memory (no disk on the hot path).
    return answer_with(services, await services.timeline.get())


def _memo_key(services: Services, *parts: object) -> tuple[object, ...]:
    # The runtime events' version and the fact index name what the answer depends on.
    return (*parts, services.today(), id(services.facts), services.timeline.version)


def season_or_error(answer: RenewalAnswer, season: int | None) -> int:
    """``season`` if the data knows it (else a private 'no such season'); None: the next."""
    if season is None:
        return answer.next_season()
    try:
        return answer.season(season).number
    except UnknownIdError:
        raise UserFacingError("error.unknown_season", season=season) from None


async def card(services: Services, lang: Lang, season: int | None) -> tuple[discord.Embed, View]:
    """The short card for ``season`` (None: the next season) and its menu and button."""
    answer = await current_renewal(services)
    number = season_or_error(answer, season)
    embed = services.memo.one(
        _memo_key(services, "renewal-card", number, lang),
        lambda: render_card(answer, number, lang, services.texts, services.facts.catalog),
    )
    return embed, card_view(answer, number, lang, services.texts)


async def timeline_pages(
    services: Services, lang: Lang, season: int | None
) -> tuple[RenewalAnswer, list[discord.Embed]]:
    """One season's timeline pages (None: every season's, for old page buttons)."""
    answer = await current_renewal(services)
    catalog, texts = services.facts.catalog, services.texts
    if season is None:
        pages = services.memo.pages(
            _memo_key(services, "renewal-all", lang),
            lambda: render_renewal(answer, lang, texts, catalog),
        )
        return answer, pages
    number = season_or_error(answer, season)
    pages = services.memo.pages(
        _memo_key(services, "renewal-timeline", number, lang),
        lambda: render_timeline(answer.season(number), lang, texts, catalog),
    )
    return answer, pages


def _season_menu(answer: RenewalAnswer, shown: int, lang: Lang, texts: Catalogue) -> SeasonMenu:
    options = [
        discord.SelectOption(
            label=truncate(
                texts.t(lang, "renewal.season_option", number=s.number), SELECT_TEXT_MAX
            ),
            value=str(s.number),
            description=truncate(status_text(s.headline.event, lang, texts), SELECT_TEXT_MAX),
            default=s.number == shown,
        )
        for s in answer.seasons[:25]  # Discord's limit of options per menu
    ]
    return SeasonMenu(lang, options, placeholder=texts.t(lang, "renewal.season_picker"))


def card_view(answer: RenewalAnswer, number: int, lang: Lang, texts: Catalogue) -> View:
    view = View(timeout=None)
    view.add_item(_season_menu(answer, number, lang, texts))
    label = truncate(texts.t(lang, "renewal.timeline_button"), BUTTON_LABEL_MAX)
    view.add_item(RenewalPageButton(1, lang, (str(number),), label=label, disabled=False, row=1))
    return view


def timeline_view(
    answer: RenewalAnswer, number: int, page: int, pages: int, lang: Lang, texts: Catalogue
) -> View:
    view = View(timeout=None)
    view.add_item(_season_menu(answer, number, lang, texts))
    params: Params = (str(number),)
    if pages > 1:
        for item in RenewalPageButton.pager_items(page, pages, lang, params):
            view.add_item(item)
    label = truncate(texts.t(lang, "renewal.summary_button"), BUTTON_LABEL_MAX)
    view.add_item(SummaryButton(lang, number, label=label))
    return view


async def _show(interaction: discord.Interaction[Any], embed: discord.Embed, view: View) -> None:
    await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


class SeasonMenu(
    discord.ui.DynamicItem[discord.ui.Select[View]],
    template=r"gh:renewal:season:(?P<lang>en|ko)",
):
    """Pick a season: the message shows that season's card."""

    def __init__(
        self,
        lang: Lang,
        options: list[discord.SelectOption] | None = None,
        *,
        placeholder: str | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"gh:renewal:season:{lang}",
                options=options or [],
                placeholder=placeholder,
            ),
            row=0,
        )
        self.lang: Lang = lang

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SeasonMenu:
        return cls(lang_of(match["lang"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, self._pick)

    async def _pick(self, interaction: discord.Interaction[Any]) -> None:
        values = self.item.values  # filled in by discord.py from the interaction
        season = int(values[0]) if values and values[0].isdigit() else None
        embed, view = await card(services_of(interaction), self.lang, season)
        await _show(interaction, embed, view)


class SummaryButton(
    discord.ui.DynamicItem[discord.ui.Button[View]],
    template=r"gh:renewal:card:(?P<lang>en|ko):(?P<season>\d{1,3})",
):
    """From the timeline back to the season's card."""

    def __init__(self, lang: Lang, season: int, *, label: str = "…") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"gh:renewal:card:{lang}:{season}",
            ),
            row=1,
        )
        self.lang: Lang = lang
        self.season = season

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SummaryButton:
        return cls(lang_of(match["lang"]), int(match["season"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, self._back)

    async def _back(self, interaction: discord.Interaction[Any]) -> None:
        embed, view = await card(services_of(interaction), self.lang, self.season)
        await _show(interaction, embed, view)


class RenewalPageButton(
    PageButton, template=r"gh:renewal:page:(?P<page>\d+):(?P<lang>en|ko):(?P<season>all|\d{1,3})"
):
    """A page of the timeline. ``all`` (every season) is kept for messages sent before the
    card existed; a season number draws that season's timeline with its menu."""

    id_prefix = "gh:renewal:page"

    def __init__(
        self,
        page: int,
        lang: Lang,
        params: Params,
        *,
        label: str = "▶",
        disabled: bool,
        row: int | None = None,
    ) -> None:
        super().__init__(page, lang, params, label=label, disabled=disabled)
        if row is not None:
            self.row = row

    @classmethod
    async def render(
        cls, interaction: discord.Interaction[Any], lang: Lang, params: Params
    ) -> list[discord.Embed]:
        (season,) = params
        number = None if season == ALL_SEASONS else int(season)
        _, pages = await timeline_pages(services_of(interaction), lang, number)
        return pages

    @classmethod
    def pager_items(cls, page: int, pages: int, lang: Lang, params: Params) -> list[PageButton]:
        """◀ n/N ▶ on the second row (under the season menu)."""
        view = cls.pager_view(page, pages, lang, params)
        items = [] if view is None else [i for i in view.children if isinstance(i, PageButton)]
        for item in items:
            item.row = 1
        return items

    async def _turn(self, interaction: discord.Interaction[Any]) -> None:
        (season,) = self.params
        if season == ALL_SEASONS:
            await super()._turn(interaction)
            return
        services = services_of(interaction)
        answer, pages = await timeline_pages(services, self.lang, int(season))
        page = clamp_page(self.page, len(pages))
        view = timeline_view(answer, int(season), page, len(pages), self.lang, services.texts)
        await _show(interaction, pages[page - 1], view)
