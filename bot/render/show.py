"""/show: the overview card (titles, premiere, episodes, platform, source work, makers,
headline figures with their sources)."""

from __future__ import annotations

import discord

from bot.datapack.models import Figure
from bot.domain.catalog import Catalog
from bot.domain.show import ShowAnswer
from bot.i18n.catalogue import Catalogue, Lang
from bot.i18n.dates import format_date
from bot.render.common import (
    SOURCE_SEP,
    Colours,
    badge,
    facts_footer,
    source_link,
    source_links,
    unique_sources,
)
from bot.render.limits import FIELD_VALUE_MAX
from bot.render.pages import PageBuilder
from bot.render.text import bold, both_scripts, local, safe


def _figure_line(figure: Figure, lang: Lang, texts: Catalogue, catalog: Catalog) -> str:
    sources = SOURCE_SEP.join(
        source_link(source, lang, texts)
        for source in unique_sources(catalog.sources(figure.sources))
    )
    return texts.t(
        lang,
        "show.figure",
        label=bold(local(figure.label, lang)),
        value=local(figure.value, lang),
        badge=badge(figure.confidence, lang, texts),
        sources=sources,
    )


def render_show(
    answer: ShowAnswer, lang: Lang, texts: Catalogue, catalog: Catalog
) -> discord.Embed:
    show = answer.show
    # Every line says what it is: the setting, then the release note.
    description = []
    if show.setting:
        description.append(texts.t(lang, "show.setting", setting=local(show.setting, lang)))
    if show.network_note:
        description.append(texts.t(lang, "show.release", note=local(show.network_note, lang)))
    page = PageBuilder(
        title=both_scripts(show.title, lang),
        colour=Colours.SHOW,
        description="\n".join(description),
        footer=facts_footer(catalog.facts_as_of, lang, texts),
        continued=lambda name: texts.t(lang, "common.continued", name=name),
    )
    titles = [
        texts.t(lang, "show.title_en", title=safe(show.title.en)),
        texts.t(lang, "show.title_ko", title=safe(show.title.ko)),
    ]
    if show.other_titles:
        titles.append(
            texts.t(lang, "show.title_other", titles=", ".join(safe(t) for t in show.other_titles))
        )
    page.add_field(texts.t(lang, "show.titles"), "\n".join(titles))
    page.add_field(texts.t(lang, "show.premiere"), format_date(show.premiere, lang), inline=True)
    page.add_field(
        texts.t(lang, "show.episodes"),
        texts.plural(lang, "show.episode_count", show.episodes),
        inline=True,
    )
    platform_key = f"platform.{show.platform.casefold()}"
    platform = texts.t(lang, platform_key) if texts.has(platform_key) else safe(show.platform)
    if show.countries:
        platform = texts.t(
            lang, "show.platform_countries", platform=platform, countries=show.countries
        )
    page.add_field(texts.t(lang, "show.platform"), platform, inline=True)
    work = show.source_work
    credit = [texts.t(lang, "show.work_author", author=both_scripts(answer.author.name, lang))]
    if answer.artist is not None:
        credit.append(
            texts.t(lang, "show.work_artist", artist=both_scripts(answer.artist.name, lang))
        )
    page.add_field(
        texts.t(lang, "show.source_work"),
        "\n".join(
            [
                texts.t(
                    lang,
                    "show.work_title",
                    title=bold(local(work.title, lang)),
                    platform=local(work.platform, lang),
                ),
                *credit,
            ]
        ),
    )
    page.add_field(
        texts.t(lang, "show.director"), both_scripts(answer.director.name, lang), inline=True
    )
    page.add_field(
        texts.t(lang, "show.writer"), both_scripts(answer.writer.name, lang), inline=True
    )
    page.add_field(
        texts.t(lang, "show.companies"),
        " · ".join(local(company, lang) for company in show.production_companies),
        inline=True,
    )
    if answer.figures:
        page.add_lines(
            texts.t(lang, "show.figures"),
            [_figure_line(figure, lang, texts, catalog) for figure in answer.figures],
        )
    page.add_field(
        texts.t(lang, "common.sources"),
        source_links(catalog.sources(answer.source_ids), lang, texts, FIELD_VALUE_MAX),
    )
    return page.build_single()
