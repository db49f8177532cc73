"""/awards card: a computed tally, then each ceremony (oldest first) with its entries and
sources. Long answers continue on further pages."""

from __future__ import annotations

import discord

from bot.domain.awards import AwardItem, AwardsAnswer, CeremonyGroup, Tally
from bot.domain.catalog import Catalog
from bot.i18n.catalogue import Catalogue, Lang
from bot.i18n.dates import format_date
from bot.render.common import Colours, facts_footer, source_links
from bot.render.limits import FIELD_VALUE_MAX
from bot.render.pages import PageBuilder
from bot.render.text import bold, both_scripts, local


def tally_text(tally: Tally, lang: Lang, texts: Catalogue, result: str = "all") -> str:
    """'3 ceremonies · 6 wins · 6 nominations', counted from the entries; a filtered
    answer counts only what it shows (no '0 nominations' under 'wins only')."""
    parts = [texts.plural(lang, "awards.tally.ceremonies", tally.ceremonies)]
    if result in ("all", "won"):
        parts.append(texts.plural(lang, "awards.tally.wins", tally.wins))
    if result in ("all", "nominated"):
        parts.append(texts.plural(lang, "awards.tally.nominations", tally.nominations))
    return " · ".join(parts)


def ceremony_heading(group: CeremonyGroup, lang: Lang, texts: Catalogue) -> str:
    ceremony = group.ceremony
    return texts.t(
        lang,
        "awards.ceremony_heading",
        name=texts.t(
            lang,
            "awards.ceremony_name",
            ordinal=texts.ordinal(lang, ceremony.edition),
            name=local(ceremony.name, lang),
        ),
        date=format_date(ceremony.date, lang),
    )


def entry_line(item: AwardItem, lang: Lang, texts: Catalogue, catalog: Catalog) -> str:
    entry = item.entry
    if entry.show:
        show = both_scripts(catalog.show.title, lang)
        nominee = (
            texts.t(
                lang,
                "awards.show_with_person",
                show=show,
                person=both_scripts(item.person.name, lang),
            )
            if item.person
            else show
        )
    elif item.person is not None:
        nominee = both_scripts(item.person.name, lang)
    else:  # the model requires a person or the show; keep the line readable regardless
        nominee = both_scripts(catalog.show.title, lang)
    if item.character is not None:
        nominee = texts.t(
            lang,
            "awards.as_character",
            nominee=nominee,
            character=both_scripts(item.character.name, lang),
        )
    line = texts.t(
        lang,
        f"awards.entry.{entry.result}",
        category=bold(local(entry.category, lang)),
        nominee=nominee,
    )
    if entry.note is not None:
        line += " " + texts.t(lang, "awards.note", note=local(entry.note, lang))
    return line


def _title(answer: AwardsAnswer, lang: Lang, texts: Catalogue, catalog: Catalog) -> str:
    asked = answer.asked
    if asked.person is None:
        return texts.t(lang, "awards.title", show=both_scripts(catalog.show.title, lang))
    who = both_scripts(asked.person.name, lang)
    if asked.character is not None:
        who = texts.t(
            lang,
            "awards.as_character",
            nominee=who,
            character=both_scripts(asked.character.name, lang),
        )
    return texts.t(lang, "awards.title_for", who=who)


def render_awards(
    answer: AwardsAnswer, lang: Lang, texts: Catalogue, catalog: Catalog
) -> list[discord.Embed]:
    """Pages of the awards answer (usually one)."""
    lines = [tally_text(answer.tally, lang, texts, answer.asked.result)]
    if answer.asked.result != "all":
        lines.append(texts.t(lang, f"awards.showing.{answer.asked.result}"))
    if not answer.groups:
        lines.append(texts.t(lang, "awards.none"))
    page = PageBuilder(
        title=_title(answer, lang, texts, catalog),
        colour=Colours.AWARDS,
        description="\n".join(lines),
        footer=facts_footer(catalog.facts_as_of, lang, texts),
        page_label=lambda number, pages: texts.t(lang, "common.page", page=number, pages=pages),
        continued=lambda name: texts.t(lang, "common.continued", name=name),
    )
    for group in answer.groups:
        heading = ceremony_heading(group, lang, texts)
        page.add_lines(heading, [entry_line(item, lang, texts, catalog) for item in group.items])
        ids = list(group.ceremony.sources) + [s for item in group.items for s in item.entry.sources]
        page.add_field(
            texts.t(lang, "awards.sources_for", name=local(group.ceremony.name, lang)),
            source_links(catalog.sources(ids), lang, texts, FIELD_VALUE_MAX, sep=" · "),
        )
    return page.build()
