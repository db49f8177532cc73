"""/awards card: a computed tally, then each ceremony (oldest first) with its entries and
sources. Long answers continue on further pages."""

from __future__ import annotations

import discord

from bot.datapack.models import Ceremony, Text
from bot.domain.awards import AwardItem, AwardsAnswer, CeremonyGroup, Tally
from bot.domain.catalog import Catalog
from bot.i18n.catalogue import Catalogue, Lang
from bot.i18n.dates import format_date
from bot.render.common import Colours, facts_footer, source_links
from bot.render.limits import FIELD_VALUE_MAX
from bot.render.pages import PageBuilder
from bot.render.text import bold, both_scripts, local, safe


def tally_text(tally: Tally, lang: Lang, texts: Catalogue) -> str:
    """'12 nominations, 6 won' (or '2 nominations, no wins'): every entry is a nomination."""
    won = (
        texts.t(lang, "awards.tally.won", count=tally.wins)
        if tally.wins
        else texts.t(lang, "awards.tally.no_wins")
    )
    return texts.t(
        lang,
        "awards.tally.pair",
        nominations=texts.plural(lang, "awards.tally.nominations", tally.nominations),
        won=won,
    )


def summary_text(tally: Tally, lang: Lang, texts: Catalogue) -> str:
    """The card's first line: '12 nominations, 6 won · 3 ceremonies'."""
    return texts.t(
        lang,
        "awards.tally.line",
        tally=tally_text(tally, lang, texts),
        ceremonies=texts.plural(lang, "awards.tally.ceremonies", tally.ceremonies),
    )


def ceremony_name(ceremony: Ceremony, lang: Lang, texts: Catalogue) -> str:
    """'61st Baeksang Arts Awards' / '제61회 백상예술대상' (plain text)."""
    return texts.t(
        lang,
        "awards.ceremony_name",
        ordinal=texts.ordinal(lang, ceremony.edition),
        name=ceremony.name.ko if lang == "ko" else ceremony.name.en,
    )


def ceremony_heading(group: CeremonyGroup, lang: Lang, texts: Catalogue) -> str:
    """'61st Baeksang Arts Awards · 5 May 2025 · 5 nominations, 1 won'."""
    ceremony = group.ceremony
    heading = texts.t(
        lang,
        "awards.ceremony_heading",
        name=safe(ceremony_name(ceremony, lang, texts)),
        date=format_date(ceremony.date, lang),
    )
    return texts.t(
        lang, "awards.group_heading", heading=heading, tally=tally_text(group.tally, lang, texts)
    )


def _one_script(name: Text, lang: Lang) -> str:
    return safe(name.ko if lang == "ko" else name.en)


def _person(name: Text, lang: Lang) -> str:
    """Inside a line, Korean readers get the Korean name alone ('주지훈(백강혁 역)' is how
    the Korean press credits it); English readers get the Hangul too, once."""
    return _one_script(name, lang) if lang == "ko" else both_scripts(name, lang)


def entry_line(
    item: AwardItem, lang: Lang, texts: Catalogue, catalog: Catalog, *, with_result: bool = True
) -> str:
    """'🏆 **Best Actor (TV)**: Ju Ji-hoon (주지훈) as Baek Kang-hyuk · won'.

    ``with_result`` False leaves the result word out (the card shows one result only)."""
    entry = item.entry
    show = _one_script(catalog.show.title, lang)
    if entry.show:
        nominee = (
            texts.t(
                lang, "awards.show_with_person", show=show, person=_person(item.person.name, lang)
            )
            if item.person
            else show
        )
    elif item.person is not None:
        nominee = _person(item.person.name, lang)
    else:  # the model requires a person or the show; keep the line readable regardless
        nominee = show
    if item.character is not None:
        nominee = texts.t(
            lang,
            "awards.as_character",
            nominee=nominee,
            character=_one_script(item.character.name, lang),
        )
    line = texts.t(
        lang,
        f"awards.entry.{entry.result}",
        category=bold(local(entry.category, lang)),
        nominee=nominee,
    )
    if with_result:
        line += texts.t(lang, f"awards.result.{entry.result}")
    if entry.note is not None:
        line += texts.t(lang, "awards.note", note=local(entry.note, lang))
    return line


def subject_name(answer: AwardsAnswer, lang: Lang, catalog: Catalog) -> str:
    """Who the answer is about, in the reader's script: the person, or the show."""
    if answer.asked.person is not None:
        return _one_script(answer.asked.person.name, lang)
    return _one_script(catalog.show.title, lang)


def empty_text(answer: AwardsAnswer, lang: Lang, texts: Catalogue, catalog: Catalog) -> str:
    """The private answer when nothing matches: what *would* match instead."""
    who = subject_name(answer, lang, catalog)
    ceremony = answer.asked.ceremony
    if ceremony is not None and answer.tally.nominations == 0:
        return texts.t(
            lang,
            "awards.empty.ceremony",
            who=who,
            ceremony=safe(ceremony_name(ceremony, lang, texts)),
            tally=tally_text(answer.everywhere, lang, texts),
        )
    return texts.t(
        lang, "awards.empty.result", who=who, tally=tally_text(answer.tally, lang, texts)
    )


def _title(answer: AwardsAnswer, lang: Lang, texts: Catalogue, catalog: Catalog) -> str:
    asked = answer.asked
    if asked.person is None:
        return texts.t(lang, "awards.title", show=both_scripts(catalog.show.title, lang))
    who = both_scripts(asked.person.name, lang)
    if asked.character is not None:
        who = texts.t(
            lang,
            "awards.as_character",
            nominee=_person(asked.person.name, lang),
            character=_one_script(asked.character.name, lang),
        )
    return texts.t(lang, "awards.title_for", who=who)


def render_awards(
    answer: AwardsAnswer, lang: Lang, texts: Catalogue, catalog: Catalog
) -> list[discord.Embed]:
    """Pages of the awards answer (usually one)."""
    lines = [summary_text(answer.tally, lang, texts)]
    if answer.asked.result != "all":
        lines.append(texts.t(lang, f"awards.showing.{answer.asked.result}"))
    if not answer.groups:  # the cog answers privately instead; kept for other callers
        lines.append(empty_text(answer, lang, texts, catalog))
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
        with_result = answer.asked.result == "all"
        page.add_lines(
            heading,
            [
                entry_line(item, lang, texts, catalog, with_result=with_result)
                for item in group.items
            ],
        )
        ids = list(group.ceremony.sources) + [s for item in group.items for s in item.entry.sources]
        page.add_field(
            texts.t(lang, "awards.sources_for", name=local(group.ceremony.name, lang)),
            source_links(catalog.sources(ids), lang, texts, FIELD_VALUE_MAX),
        )
    return page.build()
