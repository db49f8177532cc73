"""/renewal cards: per season, the status with its confidence badge, Netflix's on-record
position beside the press position, stale plans called stale, and the sourced timeline
(newest first). One season per page; a long timeline continues on the next page."""

from __future__ import annotations

import discord

from bot.domain.catalog import Catalog
from bot.domain.renewal import PlanCheck, RenewalAnswer, SeasonRenewal, TimelineEntry
from bot.i18n.catalogue import Catalogue, Lang
from bot.i18n.dates import format_date
from bot.render.common import Colours, badge, source_links
from bot.render.limits import FIELD_VALUE_MAX, text_length
from bot.render.pages import PageBuilder
from bot.render.text import bold, both_scripts, local, safe


def _when(entry: TimelineEntry, lang: Lang) -> str:
    return format_date(entry.event.date, lang, entry.event.precision)


def _outlet(entry: TimelineEntry) -> str:
    return safe(entry.sources[0].outlet) if entry.sources else ""


def _position_line(key: str, entry: TimelineEntry, lang: Lang, texts: Catalogue) -> str:
    return texts.t(
        lang,
        key,
        badge=badge(entry.confidence, lang, texts),
        status=bold(texts.t(lang, f"status.{entry.event.status}")),
        date=_when(entry, lang),
        outlet=_outlet(entry),
        summary=local(entry.event.summary, lang),
    )


def _plan_line(check: PlanCheck, lang: Lang, texts: Catalogue, *, stale: bool) -> str:
    params = {
        "what": local(check.plan.what, lang),
        "by": format_date(check.plan.by, lang),
        "date": _when(check.entry, lang),
        "outlet": _outlet(check.entry),
        "badge": badge(check.entry.confidence, lang, texts),
    }
    if not stale:
        return texts.t(lang, "renewal.plan_pending", **params)
    if check.superseded_by is not None:
        return texts.t(
            lang, "renewal.plan_stale_replanned", later=_when(check.superseded_by, lang), **params
        )
    return texts.t(lang, "renewal.plan_stale", **params)


def season_summary(season: SeasonRenewal, lang: Lang, texts: Catalogue) -> str:
    """The headline block: status, official and press positions, plans, last update."""
    lines = [
        texts.t(
            lang,
            "renewal.status_line",
            status=bold(texts.t(lang, f"status.{season.status}")),
            badge=badge(season.confidence, lang, texts),
        )
    ]
    if season.official is not None:
        lines.append(_position_line("renewal.official_line", season.official, lang, texts))
    else:
        lines.append(texts.t(lang, "renewal.no_official"))
    if season.press is not None:
        lines.append(_position_line("renewal.press_line", season.press, lang, texts))
    if season.unconfirmed and season.headline.confidence != "unconfirmed":
        lines.append(texts.plural(lang, "renewal.unconfirmed_count", len(season.unconfirmed)))
    lines += [_plan_line(check, lang, texts, stale=True) for check in season.stale_plans]
    lines += [_plan_line(check, lang, texts, stale=False) for check in season.pending_plans]
    if season.episodes is not None:
        lines.append(texts.plural(lang, "renewal.episodes", season.episodes))
    lines.append(
        texts.t(
            lang,
            "renewal.last_updated",
            date=format_date(season.last_updated.date, lang, season.last_updated.precision),
        )
    )
    return "\n".join(lines)


def _event_field(
    entry: TimelineEntry, stale_ids: frozenset[str], lang: Lang, texts: Catalogue
) -> tuple[str, str]:
    name = texts.t(
        lang,
        "renewal.event_heading",
        date=_when(entry, lang),
        badge=badge(entry.confidence, lang, texts),
        status=texts.t(lang, f"status.{entry.event.status}"),
    )
    head = local(entry.event.summary, lang)
    if entry.event.id in stale_ids:
        head += "\n" + texts.t(lang, "renewal.event_plan_passed")
    links = source_links(
        entry.sources, lang, texts, FIELD_VALUE_MAX - text_length(head) - 1, sep=" · "
    )
    return name, f"{head}\n{links}" if links else head


def render_season(
    season: SeasonRenewal, lang: Lang, texts: Catalogue, catalog: Catalog
) -> list[discord.Embed]:
    page = PageBuilder(
        title=texts.t(
            lang,
            "renewal.title",
            show=both_scripts(catalog.show.title, lang),
            number=season.number,
        ),
        colour=Colours.RENEWAL,
        description=season_summary(season, lang, texts),
        footer=texts.t(lang, "renewal.legend"),
        page_label=lambda number, pages: texts.t(lang, "common.page", page=number, pages=pages),
        continued=lambda name: texts.t(lang, "common.continued", name=name),
    )
    stale_ids = frozenset(check.entry.event.id for check in season.stale_plans)
    for entry in season.timeline:
        name, value = _event_field(entry, stale_ids, lang, texts)
        page.add_field(name, value)
    return page.build()


def render_renewal(
    answer: RenewalAnswer, lang: Lang, texts: Catalogue, catalog: Catalog
) -> list[discord.Embed]:
    """Every season's pages in season order; each page fits one message on its own."""
    return [
        embed for season in answer.seasons for embed in render_season(season, lang, texts, catalog)
    ]
