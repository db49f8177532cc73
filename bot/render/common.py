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


SOURCE_SEP: Final = " • "  # between source items; a label itself holds "Outlet, date"
# Kinds of source that are not news and say so in their label (see source_label).
_NAMED_KINDS: Final = frozenset({"aggregator", "repost", "forum"})


def outlet_name(source: Source, lang: Lang) -> str:
    """The outlet as the reader knows it: its Korean name for Korean readers when the pack
    has one (스포츠동아, not Sports Donga)."""
    outlet: object = source.outlet
    if hasattr(outlet, "ko") and hasattr(outlet, "en"):  # a two-language outlet name
        return str(outlet.ko if lang == "ko" else outlet.en)
    korean = getattr(source, "outlet_ko", None)
    if lang == "ko" and isinstance(korean, str) and korean:
        return korean
    return str(outlet)


def source_label(source: Source, lang: Lang, texts: Catalogue) -> str:
    """'Outlet, 24 January 2025', and what the page is when it is not news:
    'Soompi forum, 2 March 2025 (forum post)'. The one place a source becomes words."""
    label = outlet_name(source, lang)
    if source.date is not None:
        label = texts.t(
            lang, "common.source_dated", outlet=label, date=format_date(source.date, lang)
        )
    kind = getattr(source, "kind", None)
    if isinstance(kind, str) and kind in _NAMED_KINDS:
        label = texts.t(
            lang, "common.source_kind", source=label, kind=texts.t(lang, f"source_kind.{kind}")
        )
    return label


def source_link(source: Source, lang: Lang, texts: Catalogue) -> str:
    """``[Outlet, 24 January 2025](url)``; undated sources show the outlet alone."""
    return link(source_label(source, lang, texts), source.url)


def unique_sources(sources: Sequence[Source]) -> list[Source]:
    """Each page once: two ids for the same URL (or the same outlet and date and title)
    are one source to a reader."""
    seen: set[object] = set()
    kept: list[Source] = []
    for source in sources:
        keys = {source.url.rstrip("/"), (str(source.outlet), source.date, source.title)}
        if seen.isdisjoint(keys):
            kept.append(source)
        seen |= keys
    return kept


def source_links(
    sources: Sequence[Source],
    lang: Lang,
    texts: Catalogue,
    limit: int,
    sep: str = SOURCE_SEP,
) -> str:
    """As many whole source links as fit in ``limit``, then '+N more'; duplicates once."""
    return join_within(
        [source_link(source, lang, texts) for source in unique_sources(sources)],
        limit,
        sep=sep,
        more=lambda count: texts.t(lang, "common.more_sources", count=count),
    )


def facts_footer(as_of: dt.date | None, lang: Lang, texts: Catalogue) -> str:
    """'Golden Hour · facts as of 22 June 2026' (the newest source's date)."""
    if as_of is None:
        return texts.t(lang, "common.footer")
    return texts.t(lang, "common.footer_as_of", date=format_date(as_of, lang))
