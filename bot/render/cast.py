"""/cast cards: one profile, the whole cast (paged), or 'did you mean' suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import discord

from bot.datapack.models import AwardEntry, Character, Person, Text
from bot.domain.catalog import BILLING_ORDER, Catalog
from bot.domain.profiles import CastLine, CastProfile
from bot.i18n.catalogue import Catalogue, Lang
from bot.render.common import Colours, facts_footer, source_links
from bot.render.limits import FIELD_VALUE_MAX, truncate
from bot.render.pages import PageBuilder
from bot.render.text import bold, both_scripts, local, safe

MAX_SUGGESTIONS: Final = 5
QUERY_SHOWN_MAX: Final = 100  # a user's query is echoed back, but never at length


def render_profile(
    profile: CastProfile, lang: Lang, texts: Catalogue, catalog: Catalog
) -> discord.Embed:
    """The profile card: who plays whom, the role, billing, spellings, awards, sources."""
    person = profile.person
    leads_with_character = profile.subject == "character" and profile.characters
    if leads_with_character:
        character = profile.characters[0]
        title = both_scripts(character.name, lang)
        description = "\n".join(
            [
                local(character.description, lang),
                texts.t(lang, "cast.played_by", actor=bold(both_scripts(person.name, lang))),
            ]
        )
    else:
        title = both_scripts(person.name, lang)
        description = _person_summary(person, profile.characters, lang, texts)
    page = PageBuilder(
        title=title,
        colour=Colours.CAST,
        description=description,
        footer=facts_footer(catalog.facts_as_of, lang, texts),
        continued=lambda name: texts.t(lang, "common.continued", name=name),
    )
    if profile.characters:
        billing = [texts.t(lang, f"billing.{c.billing}") for c in profile.characters]
        page.add_field(
            texts.t(lang, "cast.billing"), " · ".join(dict.fromkeys(billing)), inline=True
        )
    if profile.characters and person.roles != ["actor"]:  # crew get their roles above
        roles = [texts.t(lang, f"role.{role}") for role in person.roles]
        page.add_field(texts.t(lang, "cast.roles"), " · ".join(roles), inline=True)
    if profile.variants_by_name:
        page.add_lines(
            texts.t(lang, "cast.variants"),
            [
                _variants_line(owner, spellings, lang, texts)
                for owner, spellings in profile.variants_by_name
            ],
        )
    for key, entries in (
        ("cast.awards_won", profile.awards_won),
        ("cast.awards_nominated", profile.awards_nominated),
    ):
        if entries:
            page.add_lines(
                texts.t(lang, key, count=len(entries)),
                [_award_line(entry, lang, texts, catalog) for entry in entries],
            )
    page.add_field(
        texts.t(lang, "common.sources"),
        source_links(catalog.sources(profile.source_ids), lang, texts, FIELD_VALUE_MAX),
    )
    return page.build_single()


def _variants_line(
    owner: Character | Person, spellings: Sequence[str], lang: Lang, texts: Catalogue
) -> str:
    """'Yang Jae-won (character): Dr. Yang, Yang Jaewon' — whose spellings they are."""
    if isinstance(owner, Character):
        kind = texts.t(lang, "cast.kind.character")
    elif "actor" in owner.roles:
        kind = texts.t(lang, "cast.kind.actor")
    else:
        kind = " · ".join(texts.t(lang, f"role.{role}") for role in owner.roles)
    return texts.t(
        lang,
        "cast.variants_line",
        name=bold(safe(owner.name.ko if lang == "ko" else owner.name.en)),
        kind=kind,
        spellings=", ".join(safe(v) for v in spellings),
    )


def _person_summary(
    person: Person, characters: Sequence[Character], lang: Lang, texts: Catalogue
) -> str:
    if not characters:
        roles = [texts.t(lang, f"role.{role}") for role in person.roles]
        return texts.t(lang, "cast.crew_summary", roles=" · ".join(roles))
    return "\n".join(
        texts.t(
            lang,
            "cast.plays",
            character=bold(both_scripts(c.name, lang)),
            description=local(c.description, lang),
        )
        for c in characters
    )


def _award_line(entry: AwardEntry, lang: Lang, texts: Catalogue, catalog: Catalog) -> str:
    ceremony = catalog.ceremony(entry.ceremony)
    return texts.t(
        lang,
        f"cast.award_line.{entry.result}",
        category=local(entry.category, lang),
        ceremony=texts.t(
            lang,
            "awards.ceremony_name",
            ordinal=texts.ordinal(lang, ceremony.edition),
            name=local(ceremony.name, lang),
        ),
        year=ceremony.date.year,
    )


def render_cast_list(
    lines: Sequence[CastLine], lang: Lang, texts: Catalogue, catalog: Catalog
) -> list[discord.Embed]:
    """The whole cast, main → supporting → cameo, over as many pages as it needs."""
    page = PageBuilder(
        title=texts.t(lang, "cast.list_title", show=both_scripts(catalog.show.title, lang)),
        colour=Colours.CAST,
        description=texts.plural(lang, "cast.list_count", len(lines)),
        footer=facts_footer(catalog.facts_as_of, lang, texts),
        page_label=lambda number, pages: texts.t(lang, "common.page", page=number, pages=pages),
        continued=lambda name: texts.t(lang, "common.continued", name=name),
    )
    for billing in BILLING_ORDER:
        group = [line for line in lines if line.character.billing == billing]
        if group:
            page.add_lines(
                texts.t(lang, f"billing.{billing}"),
                [
                    texts.t(
                        lang,
                        "cast.list_line",
                        character=bold(_credit_name(line.character.name, lang)),
                        actor=_credit_name(line.actor.name, lang),
                        description=local(line.character.description, lang),
                    )
                    for line in group
                ],
            )
    source_ids = [s for line in lines for s in (*line.character.sources, *line.actor.sources)]
    page.add_field(
        texts.t(lang, "common.sources"),
        source_links(catalog.sources(source_ids), lang, texts, FIELD_VALUE_MAX),
    )
    return page.build()


def render_suggestions(
    query: str,
    entity_ids: Sequence[str],
    lang: Lang,
    texts: Catalogue,
    catalog: Catalog,
    *,
    ambiguous: bool,
    hint_key: str | None = "cast.try_again",
) -> discord.Embed:
    """'Did you mean …?' (``ambiguous``) or 'no match, closest are …' with ≤ 5 options.

    ``hint_key`` is the closing line (how to try again); None leaves it out, for commands
    other than /cast whose options come as buttons."""
    shown = safe(truncate(query.strip(), QUERY_SHOWN_MAX))
    options = [_option_line(entity_id, lang, texts, catalog) for entity_id in entity_ids]
    options = options[:MAX_SUGGESTIONS]
    if ambiguous:
        title = texts.t(lang, "cast.did_you_mean", query=shown)
    else:
        title = texts.t(lang, "error.no_match", query=shown)
    lines = [f"• {option}" for option in options]
    if not ambiguous:
        lines.insert(0, texts.t(lang, "cast.closest" if options else "cast.no_suggestions"))
    if hint_key is not None:
        # "one of these names" only when there are names to pick from
        lines.append(texts.t(lang, hint_key if options else "cast.try_again_none"))
    page = PageBuilder(title=title, colour=Colours.NOTICE, description="\n".join(lines))
    return page.build_single()


def _credit_name(name: Text, lang: Lang) -> str:
    """Korean credits read '백강혁(주지훈 분)': Hangul alone, so no parentheses nest;
    English keeps the Hangul beside the romanisation."""
    return _one_script(name, lang) if lang == "ko" else both_scripts(name, lang)


def _one_script(name: Text, lang: Lang) -> str:
    return safe(name.ko if lang == "ko" else name.en)


def _option_line(entity_id: str, lang: Lang, texts: Catalogue, catalog: Catalog) -> str:
    """One suggestion, saying which name is the character's and which the actor's."""
    if catalog.is_character(entity_id):
        character = catalog.character(entity_id)
        actor = catalog.person(character.played_by)
        return texts.t(
            lang,
            "cast.option_character",
            name=bold(both_scripts(character.name, lang)),
            actor=_one_script(actor.name, lang),
        )
    person = catalog.person(entity_id)
    characters = catalog.characters_of(entity_id)
    if characters:
        return texts.t(
            lang,
            "cast.option_actor",
            name=bold(both_scripts(person.name, lang)),
            characters=", ".join(_one_script(c.name, lang) for c in characters),
        )
    return texts.t(
        lang,
        "cast.option_crew",
        name=bold(both_scripts(person.name, lang)),
        roles=" · ".join(texts.t(lang, f"role.{role}") for role in person.roles),
    )
