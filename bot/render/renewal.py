"""/renewal answers: a short card per season, and the full sourced timeline behind it.

The card (one embed, aimed at ≤ 1,500 characters) says where the season stands: the status
with its confidence label, Netflix's own word (verbatim in the reader's language, marked as
our translation where it is one), the newest report with its outlet, date and label, plans
whose date has passed (and the later report that moved them), seasons reported together,
and how old the latest news is. The timeline pages list every event, newest first, with its
sources. A claim Netflix has not confirmed always reads as a claim (``status_claim.*``).
"""

from __future__ import annotations

import datetime as dt

import discord

from bot.datapack.models import SeasonEvent
from bot.domain.catalog import Catalog
from bot.domain.renewal import PlanCheck, RenewalAnswer, SeasonRenewal, TimelineEntry, is_claim
from bot.i18n.catalogue import Catalogue, Lang
from bot.i18n.dates import format_date
from bot.i18n.relative import time_ago, unix_day
from bot.render.common import Colours, badge, source_links
from bot.render.limits import FIELD_VALUE_MAX, text_length
from bot.render.pages import PageBuilder
from bot.render.text import bold, both_scripts, link, local

CARD_TARGET = 1500  # characters of the whole card (title, description, footer)


def status_text(event: SeasonEvent, lang: Lang, texts: Catalogue) -> str:
    """'Under review', or 'reported: renewed (not confirmed by Netflix)' for a claim."""
    key = f"status_claim.{event.status}" if is_claim(event) else f"status.{event.status}"
    return texts.t(lang, key)


def _when(entry: TimelineEntry, lang: Lang) -> str:
    return format_date(entry.event.date, lang, entry.event.precision)


def _outlet(entry: TimelineEntry, lang: Lang) -> str:
    """The first source's outlet, linked to its page (sources read as sources)."""
    if not entry.sources:
        return ""
    source = entry.sources[0]
    return link(source.outlet_in(lang), source.url)


def _quote(entry: TimelineEntry, lang: Lang, texts: Catalogue) -> str | None:
    quote = entry.event.quote
    if quote is None:
        return None
    text = local(quote.text, lang)
    if quote.original == lang:
        return texts.t(lang, "renewal.quote_verbatim", text=text)
    return texts.t(lang, f"renewal.quote_translated.{quote.original}", text=text)


def _netflix_line(season: SeasonRenewal, lang: Lang, texts: Catalogue) -> str | None:
    official = season.official
    if official is None:
        return None if season.status == "released" else texts.t(lang, "renewal.no_official")
    params = {"date": _when(official, lang), "outlet": _outlet(official, lang)}
    quote = _quote(official, lang, texts)
    if quote is not None:
        return texts.t(lang, "renewal.official_quote", quote=quote, **params)
    return texts.t(
        lang,
        "renewal.official_line",
        badge=badge(official.confidence, lang, texts),
        status=bold(status_text(official.event, lang, texts)),
        summary=local(official.event.summary, lang),
        **params,
    )


def _report_line(entry: TimelineEntry, lang: Lang, texts: Catalogue) -> str:
    return texts.t(
        lang,
        "renewal.newest_report",
        outlet=_outlet(entry, lang),
        date=_when(entry, lang),
        status=status_text(entry.event, lang, texts),
        badge=badge(entry.confidence, lang, texts),
    )


def _plan_line(check: PlanCheck, lang: Lang, texts: Catalogue, *, stale: bool) -> str:
    params = {
        "what": local(check.plan.what, lang),
        "by": format_date(check.plan.by, lang),
        "date": _when(check.entry, lang),
        "outlet": _outlet(check.entry, lang),
        "badge": badge(check.entry.confidence, lang, texts),
    }
    if not stale:
        return texts.t(lang, "renewal.plan_pending", **params)
    moved = check.moved_by
    if moved is None:
        return texts.t(lang, "renewal.plan_stale", **params)
    return texts.t(
        lang,
        "renewal.plan_stale_moved",
        later_outlet=_outlet(moved, lang),
        later_date=_when(moved, lang),
        later_badge=badge(moved.confidence, lang, texts),
        **params,
    )


def _status_line(season: SeasonRenewal, lang: Lang, texts: Catalogue) -> str:
    return texts.t(
        lang,
        "renewal.status_line",
        status=bold(status_text(season.headline.event, lang, texts)),
        badge=badge(season.confidence, lang, texts),
    )


def _latest_news_line(season: SeasonRenewal, lang: Lang, texts: Catalogue) -> str:
    latest = season.last_updated
    return texts.t(
        lang,
        "renewal.latest_news",
        date=format_date(latest.date, lang, latest.precision),
        relative=f"<t:{unix_day(latest.date)}:R>",
    )


def news_age(season: SeasonRenewal, today: dt.date, lang: Lang, texts: Catalogue) -> str:
    """'Latest news 5 months ago, as of 28 November 2026' (words, for where <t:…> is not
    rendered: the footer, select menus)."""
    ago = time_ago(season.last_updated.date, today, lang)
    as_of = format_date(today, lang)
    if ago is None:
        return texts.t(lang, "renewal.news_age_today", today=as_of)
    return texts.t(lang, "renewal.news_age", ago=ago, today=as_of)


def _title(key: str, number: int, lang: Lang, texts: Catalogue, catalog: Catalog) -> str:
    return texts.t(lang, key, show=both_scripts(catalog.show.title, lang), number=number)


def render_card(
    answer: RenewalAnswer, number: int, lang: Lang, texts: Catalogue, catalog: Catalog
) -> discord.Embed:
    """The short card for season ``number``: where it stands, and why we say so."""
    season = answer.season(number)
    lines = [_status_line(season, lang, texts)]
    netflix = _netflix_line(season, lang, texts)
    if netflix is not None:
        lines.append(netflix)
    report = season.newest_report
    if report is not None:
        lines.append(_report_line(report, lang, texts))
    # Oldest plan first: "moved by a later report" then reads in the order things happened.
    lines += [_plan_line(c, lang, texts, stale=True) for c in reversed(season.stale_plans)]
    lines += [_plan_line(c, lang, texts, stale=False) for c in reversed(season.pending_plans)]
    for other in answer.beside(number):
        lines.append(
            texts.t(
                lang,
                "renewal.beside",
                number=other.number,
                status=status_text(other.headline.event, lang, texts),
                badge=badge(other.confidence, lang, texts),
            )
        )
    if season.episodes is not None:
        lines.append(texts.plural(lang, "renewal.episodes", season.episodes))
    lines.append(_latest_news_line(season, lang, texts))
    page = PageBuilder(
        title=_title("renewal.title", number, lang, texts, catalog),
        colour=Colours.RENEWAL,
        description="\n".join(lines),
        footer=news_age(season, answer.today, lang, texts),
    )
    return page.build_single()


def _event_field(
    entry: TimelineEntry, stale_ids: frozenset[str], lang: Lang, texts: Catalogue
) -> tuple[str, str]:
    name = texts.t(
        lang,
        "renewal.event_heading",
        date=_when(entry, lang),
        badge=badge(entry.confidence, lang, texts),
        status=status_text(entry.event, lang, texts),
    )
    head = local(entry.event.summary, lang)
    quote = _quote(entry, lang, texts)
    if quote is not None:
        head += "\n" + quote
    if entry.event.id in stale_ids:
        head += "\n" + texts.t(lang, "renewal.event_plan_passed")
    links = source_links(entry.sources, lang, texts, FIELD_VALUE_MAX - text_length(head) - 1)
    return name, f"{head}\n{links}" if links else head


def render_timeline(
    season: SeasonRenewal, lang: Lang, texts: Catalogue, catalog: Catalog
) -> list[discord.Embed]:
    """Every event of one season, newest first, with its sources; as many pages as needed."""
    page = PageBuilder(
        title=_title("renewal.timeline_title", season.number, lang, texts, catalog),
        colour=Colours.RENEWAL,
        description="\n".join(
            [_status_line(season, lang, texts), _latest_news_line(season, lang, texts)]
        ),
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
    """Every season's timeline pages in season order; each page fits one message alone."""
    return [
        embed
        for season in answer.seasons
        for embed in render_timeline(season, lang, texts, catalog)
    ]
