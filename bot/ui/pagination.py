"""◀ 2/3 ▶ buttons for answers longer than one message.

A page button's ``custom_id`` holds everything needed to draw any page again —
``<prefix>:<page>:<lang>[:<param>…]``, e.g. ``gh:cast:page:2:ko`` or
``gh:renewal:page:3:en:all`` — so the buttons work for anyone, at any time, after restarts.
Pages are rebuilt from the current facts on every click (a click after a data update shows
the updated answer; a page number past the end shows the last page). The message keeps the
language of the person who asked, whoever turns the page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, ClassVar, Final

import discord

from bot.i18n.catalogue import Lang
from bot.replies import NO_MENTIONS
from bot.ui.base import NEVER_MATCHES, checked_custom_id, guarded

log = logging.getLogger(__name__)

PREVIOUS_LABEL: Final = "◀"
NEXT_LABEL: Final = "▶"

Params = tuple[str, ...]


def lang_of(code: str) -> Lang:
    return "ko" if code == "ko" else "en"


def clamp_page(page: int, pages: int) -> int:
    """A 1-based page number within 1..pages."""
    return min(max(page, 1), max(pages, 1))


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=NEVER_MATCHES
):
    """Base of every page button. A subclass gives its ``template`` (named groups ``page``,
    ``lang``, then its own parameters, in the order they appear in the custom_id), its
    ``id_prefix``, and :meth:`render` (all pages, in the given language)."""

    id_prefix: ClassVar[str]

    def __init__(
        self, page: int, lang: Lang, params: Params, *, label: str = NEXT_LABEL, disabled: bool
    ) -> None:
        custom_id = self.custom_id_for(page, lang, params)
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
                disabled=disabled,
            )
        )
        self.page = page
        self.lang: Lang = lang
        self.params = params

    @classmethod
    def custom_id_for(cls, page: int, lang: Lang, params: Params) -> str:
        return ":".join([cls.id_prefix, str(page), lang, *params])

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        groups = match.groupdict()
        params = tuple(value for name, value in groups.items() if name not in ("page", "lang"))
        return cls(int(groups["page"]), lang_of(groups["lang"]), params, disabled=False)

    @classmethod
    async def render(
        cls, interaction: discord.Interaction[Any], lang: Lang, params: Params
    ) -> list[discord.Embed]:
        raise NotImplementedError

    @classmethod
    def pager_view(
        cls, page: int, pages: int, lang: Lang, params: Params
    ) -> discord.ui.View | None:
        """◀ n/N ▶ for ``page`` of ``pages``; None for one page (or ids Discord would refuse)."""
        if pages <= 1:
            return None
        template = cls.__discord_ui_compiled_template__
        for target in (page - 1, page + 1):
            if checked_custom_id(template, cls.custom_id_for(target, lang, params)) is None:
                # Over 100 characters, or a parameter the template cannot hold: page 1 only.
                log.warning("page buttons dropped: bad custom_id for %s %s", cls.id_prefix, params)
                return None
        view = discord.ui.View(timeout=None)
        view.add_item(cls(page - 1, lang, params, label=PREVIOUS_LABEL, disabled=page <= 1))
        # Where you are, in any language; not a link anywhere (disabled), but a page button
        # all the same so the message stays fully dynamic (nothing stored per message).
        view.add_item(cls(page, lang, params, label=f"{page}/{pages}", disabled=True))
        view.add_item(cls(page + 1, lang, params, label=NEXT_LABEL, disabled=page >= pages))
        return view

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, self._turn)

    async def _turn(self, interaction: discord.Interaction[Any]) -> None:
        pages = await self.render(interaction, self.lang, self.params)
        page = clamp_page(self.page, len(pages))
        await interaction.response.edit_message(
            embed=pages[page - 1],
            view=self.pager_view(page, len(pages), self.lang, self.params),
            allowed_mentions=NO_MENTIONS,
        )


async def send_pages(
    interaction: discord.Interaction[Any],
    pages: Sequence[discord.Embed],
    button: type[PageButton],
    lang: Lang,
    params: Params = (),
    *,
    ephemeral: bool = False,
) -> None:
    """Answer with page 1 (and ◀ ▶ when there are more); a follow-up if already answered."""
    view = button.pager_view(1, len(pages), lang, params)
    if interaction.response.is_done():
        if view is None:
            await interaction.followup.send(
                embed=pages[0], ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.followup.send(
                embed=pages[0], view=view, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )
    elif view is None:
        await interaction.response.send_message(
            embed=pages[0], ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            embed=pages[0], view=view, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
