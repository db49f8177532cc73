"""Building embeds that always fit: fields are cut to size and spill onto further pages.

Each page is a complete embed that can be sent alone (≤ 6000 characters, ≤ 25 fields).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import discord

from bot.render.limits import (
    DESCRIPTION_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    TITLE_MAX,
    TOTAL_MAX,
    join_within,
    text_length,
    truncate,
)

log = logging.getLogger(__name__)

PageLabel = Callable[[int, int], str]  # (page, pages) -> 'Page 1/3'


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    value: str
    inline: bool

    @property
    def size(self) -> int:
        return text_length(self.name) + text_length(self.value)


class PageBuilder:
    """Collects a card's fields, then lays them out over as few pages as fit."""

    def __init__(
        self,
        *,
        title: str,
        colour: discord.Colour,
        description: str = "",
        footer: str = "",
        page_label: PageLabel | None = None,
        continued: Callable[[str], str] | None = None,
    ) -> None:
        self._title = truncate(title, TITLE_MAX)
        self._colour = colour
        self._description = truncate(description, DESCRIPTION_MAX)
        self._page_label = page_label
        self._continued = continued or (lambda name: name)
        reserve = text_length(" · " + page_label(99, 99)) if page_label else 0
        self._footer = truncate(footer, FOOTER_MAX - reserve)
        self._footer_reserve = text_length(self._footer) + reserve
        self._fields: list[_Field] = []

    def add_field(self, name: str, value: str, *, inline: bool = False) -> None:
        """One field; a value over Discord's limit is cut (whole links/lines are kept)."""
        if not value.strip():
            return
        self._fields.append(
            _Field(truncate(name, FIELD_NAME_MAX), truncate(value, FIELD_VALUE_MAX), inline)
        )

    def add_lines(self, name: str, lines: Sequence[str], *, inline: bool = False) -> None:
        """Lines under one heading, continued in further fields when they do not fit one."""
        chunk: list[str] = []
        heading = name
        for line in lines:
            line = truncate(line, FIELD_VALUE_MAX)
            if chunk and text_length("\n".join([*chunk, line])) > FIELD_VALUE_MAX:
                self.add_field(heading, "\n".join(chunk), inline=inline)
                heading, chunk = self._continued(name), []
            chunk.append(line)
        if chunk:
            self.add_field(heading, "\n".join(chunk), inline=inline)

    def add_joined(
        self, name: str, items: Sequence[str], *, more: Callable[[int], str], sep: str = "\n"
    ) -> None:
        """Items in one field; those that do not fit are counted as '+N more'."""
        self.add_field(name, join_within(items, FIELD_VALUE_MAX, sep=sep, more=more))

    def build(self) -> list[discord.Embed]:
        pages: list[list[_Field]] = [[]]
        used = self._fixed_size(first=True)
        for field in self._fields:
            page = pages[-1]
            if page and (len(page) >= FIELDS_MAX or used + field.size > TOTAL_MAX):
                pages.append([])
                used = self._fixed_size(first=False)
            pages[-1].append(field)
            used += field.size
        return [self._embed(index, len(pages), fields) for index, fields in enumerate(pages)]

    def build_single(self) -> discord.Embed:
        """One embed. The description is shortened first so the fields fit; fields that
        still need a second page are left out (and logged)."""
        if len(self._fields) <= FIELDS_MAX and not self._fits_one_page():
            fields_size = sum(field.size for field in self._fields)
            room = TOTAL_MAX - self._fixed_size(first=False) - fields_size
            self._description = truncate(self._description, max(room, 0))
        pages = self.build()
        if len(pages) > 1:
            dropped = sum(len(page.fields) for page in pages[1:])
            log.warning("card %r: %d field(s) did not fit one embed", self._title, dropped)
            if self._footer:
                pages[0].set_footer(text=self._footer)  # no 'page 1/2' on a one-page card
        return pages[0]

    def _fits_one_page(self) -> bool:
        total = self._fixed_size(first=True) + sum(field.size for field in self._fields)
        return total <= TOTAL_MAX

    def _fixed_size(self, *, first: bool) -> int:
        size = text_length(self._title) + self._footer_reserve
        return size + (text_length(self._description) if first else 0)

    def _embed(self, index: int, pages: int, fields: list[_Field]) -> discord.Embed:
        embed = discord.Embed(
            title=self._title or None,
            description=(self._description or None) if index == 0 else None,
            colour=self._colour,
        )
        for field in fields:
            embed.add_field(name=field.name, value=field.value, inline=field.inline)
        footer = self._footer
        if pages > 1 and self._page_label is not None:
            label = self._page_label(index + 1, pages)
            footer = f"{footer} · {label}" if footer else label
        if footer:
            embed.set_footer(text=footer)
        return embed
