"""Pieces every fan card shares: colours, confidence badges, source links, the footer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import discord

from bot.datapack.models import Confidence, Source
from bot.i18n.catalogue import Catalogue, Lang
from bot.i18n.dates import Precision, format_date
from bot.render.limits import join_within
from bot.render.text import link


class Colours:
    """One colour per kind of card, so fans can tell them apart at a glance."""

    CAST: Final = discord.Colour(0x2E86DE)
    AWARDS: Final = discord.Colour(0xD4A017)
    RENEWAL: Final = discord.Colour(0xC0392B)
    SHOW: Final = discord.Colour(0x6C3483)
    HELP: Final = discord.Colour(0x7F8C8D)
    NOTICE: Final = discord.Colour(0xE67E22)  # did-you-mean and no-match answers


def badge(confidence: Confidence, lang: Lang, texts: Catalogue) -> str:
    """'✅ Official', '📰 Reported' or '❔ Unconfirmed' in the reader's language."""
    return texts.t(lang, f"confidence.{confidence}")


def date_text(d: dt.date, lang: Lang, precision: Precision = "day") -> str:
    return format_date(d, lang, precision)


def source_link(source: Source, lang: Lang) -> str:
    """``[Outlet · 24 Jan 2025](url)``; undated sources show the outlet alone."""
    label = source.outlet_in(lang)
    if source.date is not None:
        label = f"{label} · {format_date(source.date, lang, short=True)}"
    return link(label, source.url)


def source_links(
    sources: Sequence[Source], lang: Lang, texts: Catalogue, limit: int, sep: str = "\n"
) -> str:
    """As many whole source links as fit in ``limit``, then '+N more'."""
    return join_within(
        [source_link(source, lang) for source in sources],
        limit,
        sep=sep,
        more=lambda count: texts.t(lang, "common.more_sources", count=count),
    )


def facts_footer(as_of: dt.date | None, lang: Lang, texts: Catalogue) -> str:
    """'Golden Hour · facts as of 22 June 2026' (the newest source's date)."""
    if as_of is None:
        return texts.t(lang, "common.footer")
    return texts.t(lang, "common.footer_as_of", date=format_date(as_of, lang))
