"""Every fan card, for every person, character, ceremony and season, in both languages,
serialised as Discord would receive it and checked against Discord's limits; plus name
order, escaping of data text, and cards built from oversized data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
import yaml

from bot.datapack.models import AwardEntry, Pack, SeasonEvent, Text
from bot.domain.awards import ResultFilter, awards_answer
from bot.domain.catalog import Catalog
from bot.domain.profiles import profile_for, whole_cast
from bot.domain.renewal import renewal_answer
from bot.domain.show import show_answer
from bot.i18n.catalogue import LANGS, Catalogue, Lang
from bot.render.awards import render_awards
from bot.render.cast import render_cast_list, render_profile, render_suggestions
from bot.render.help import render_help
from bot.render.limits import (
    FIELD_VALUE_MAX,
    TITLE_MAX,
    check_embeds,
    check_payload,
    embed_length,
    join_within,
    truncate,
)
from bot.render.renewal import CARD_TARGET, render_card, render_renewal
from bot.render.show import render_show

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAYS = (dt.date(2026, 7, 1), dt.date(2026, 11, 28))
RESULTS: tuple[ResultFilter, ...] = ("all", "won", "nominated")


@pytest.fixture(scope="module")
def pack() -> Pack:
    from bot.datapack.loader import load_pack

    return load_pack(SEEDS)


@pytest.fixture(scope="module")
def catalog(pack: Pack) -> Catalog:
    return Catalog(pack)


@pytest.fixture(scope="module")
def texts() -> Catalogue:
    return Catalogue.load()


Card = tuple[str, list[discord.Embed]]  # a name for the failure message, and its pages


def all_cards(catalog: Catalog, texts: Catalogue, lang: Lang) -> Iterator[Card]:
    """Every answer the fan commands can give for this pack."""
    for entity_id in [c.id for c in catalog.pack.characters] + [p.id for p in catalog.people]:
        profile = profile_for(catalog, entity_id)
        yield f"cast {entity_id}", [render_profile(profile, lang, texts, catalog)]
    yield "cast (all)", render_cast_list(whole_cast(catalog), lang, texts, catalog)
    who_options: list[str | None] = [None, *(p.id for p in catalog.people)]
    who_options += [c.id for c in catalog.pack.characters]
    ceremony_options: list[str | None] = [None, *(c.id for c in catalog.ceremonies)]
    for who in who_options:
        for ceremony in ceremony_options:
            for result in RESULTS:
                answer = awards_answer(catalog, who=who, ceremony=ceremony, result=result)
                pages = render_awards(answer, lang, texts, catalog)
                yield f"awards {who} {ceremony} {result}", pages
    for today in TODAYS:
        yield (
            f"renewal all {today}",
            render_renewal(renewal_answer(catalog, today), lang, texts, catalog),
        )
        every_season = renewal_answer(catalog, today)
        for season in catalog.seasons:
            one_season = renewal_answer(catalog, today, season=season.number)
            yield (
                f"renewal {season.number} {today}",
                render_renewal(one_season, lang, texts, catalog),
            )
            yield (
                f"renewal card {season.number} {today}",
                [render_card(every_season, season.number, lang, texts, catalog)],
            )
    yield "show", [render_show(show_answer(catalog), lang, texts, catalog)]
    yield "help", [render_help(lang, texts, catalog)]
    yield "help (fans)", [render_help(lang, texts, catalog, include_maintainers=False)]
    some_ids = [*(c.id for c in catalog.cast[:7]), "lee-do-yoon"]
    for ambiguous in (True, False):
        yield (
            f"suggest {ambiguous}",
            [render_suggestions("백", some_ids, lang, texts, catalog, ambiguous=ambiguous)],
        )
    yield "suggest none", [render_suggestions("x" * 500, [], lang, texts, catalog, ambiguous=False)]


def card_text(pages: list[discord.Embed]) -> str:
    parts: list[str] = []
    for page in pages:
        data: dict[str, Any] = dict(page.to_dict())
        parts += [data.get("title") or "", data.get("description") or ""]
        parts.append((data.get("footer") or {}).get("text") or "")
        for field in data.get("fields") or []:
            parts += [field["name"], field["value"]]
    return "\n".join(parts)


# --- every card fits ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_card_fits_discord_limits(catalog: Catalog, texts: Catalogue, lang: Lang) -> None:
    checked = 0
    for name, pages in all_cards(catalog, texts, lang):
        assert pages, name
        for number, page in enumerate(pages, start=1):
            assert check_embeds([page]) == [], f"{lang} {name} page {number}"
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("lang", LANGS)
def test_cards_with_facts_link_their_sources(
    catalog: Catalog, texts: Catalogue, lang: Lang
) -> None:
    for name, pages in all_cards(catalog, texts, lang):
        if name.startswith(("help", "suggest")):
            continue
        text = card_text(pages)
        if name.startswith("awards") and "🏆" not in text and "▫️" not in text:
            continue  # no entries: /awards answers that privately, without sources
        assert "](http" in text, f"{lang} {name} shows no source link"


# Every day from the premiere to a year past the newest plan: the bare /renewal card.
CARD_DAYS = [dt.date(2025, 1, 24) + dt.timedelta(days=n) for n in range(1073)]


@pytest.mark.parametrize("lang", LANGS)
def test_a_bare_renewal_card_is_short_on_every_day(
    catalog: Catalog, texts: Catalogue, lang: Lang
) -> None:
    """The answer to 'is season 2 coming?' stays ≤ 1,500 characters in both languages."""
    longest = (0, CARD_DAYS[0])
    for today in CARD_DAYS:
        answer = renewal_answer(catalog, today)
        assert answer.next_season() == 2, today  # nothing in the pack releases season 2
        card = render_card(answer, answer.next_season(), lang, texts, catalog)
        size = embed_length(card.to_dict())
        assert check_embeds([card]) == [], today
        longest = max(longest, (size, today))
    assert longest[0] <= CARD_TARGET == 1500, f"{lang}: {longest[0]} characters on {longest[1]}"


# --- names in both scripts, the reader's first ------------------------------------------------


def _names(catalog: Catalog) -> list[Text]:
    return [p.name for p in catalog.people] + [c.name for c in catalog.pack.characters]


def test_korean_replies_put_hangul_first(catalog: Catalog, texts: Catalogue) -> None:
    names = _names(catalog)
    for name, pages in all_cards(catalog, texts, "ko"):
        text = card_text(pages)
        for person in names:
            assert f"{person.en} ({person.ko})" not in text, f"{name}: {person.en} before Hangul"


def test_english_replies_put_romanisation_first(catalog: Catalog, texts: Catalogue) -> None:
    names = _names(catalog)
    for name, pages in all_cards(catalog, texts, "en"):
        text = card_text(pages)
        for person in names:
            assert f"{person.ko} ({person.en})" not in text, f"{name}: Hangul before {person.en}"


@pytest.mark.parametrize("lang", LANGS)
def test_profiles_show_both_scripts(catalog: Catalog, texts: Catalogue, lang: Lang) -> None:
    for character in catalog.cast:
        actor = catalog.person(character.played_by)
        text = card_text([render_profile(profile_for(catalog, character.id), lang, texts, catalog)])
        for name in (character.name, actor.name):
            first, second = (name.ko, name.en) if lang == "ko" else (name.en, name.ko)
            assert f"{first} ({second})" in text


# --- data text is escaped ---------------------------------------------------------------------

MISCHIEF = "*bold* __under__ @everyone <@&123456789012345678> <#123456789012345678> `tick`"


def _mischievous_pack(pack: Pack) -> Pack:
    characters = [
        c.model_copy(update={"description": Text(en=MISCHIEF, ko=MISCHIEF)})
        if c.id == "han-yu-rim"
        else c
        for c in pack.characters
    ]
    people = [
        p.model_copy(update={"variants": [*p.variants, "@here *Yoon*"]})
        if p.id == "yoon-kyung-ho"
        else p
        for p in pack.people
    ]
    return pack.model_copy(update={"characters": characters, "people": people})


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_and_mentions_in_data_are_neutralised(
    pack: Pack, texts: Catalogue, lang: Lang
) -> None:
    catalog = Catalog(_mischievous_pack(pack))
    cards = [
        [render_profile(profile_for(catalog, "han-yu-rim"), lang, texts, catalog)],
        [render_profile(profile_for(catalog, "yoon-kyung-ho"), lang, texts, catalog)],
        render_cast_list(whole_cast(catalog), lang, texts, catalog),
    ]
    for pages in cards:
        text = card_text(pages)
        assert "\\*bold\\*" in text or "\\*Yoon\\*" in text
        assert "*bold*" not in text.replace("\\*bold\\*", "")
        assert re.search(r"@(everyone|here)", text) is None
        assert "<@&123456789012345678>" not in text
        assert "<#123456789012345678>" not in text


def test_user_query_is_escaped(catalog: Catalog, texts: Catalogue) -> None:
    embed = render_suggestions("**x** @everyone", [], "en", texts, catalog, ambiguous=False)
    text = card_text([embed])
    assert "\\*\\*x\\*\\*" in text
    assert "@everyone" not in text


# --- oversized data still fits, and nothing is silently lost from paged cards -----------------


def test_oversized_profile_is_cut_to_fit(pack: Pack, texts: Catalogue) -> None:
    long_text = Text(en="Long words. " * 600, ko="긴 설명. " * 800)
    characters = [
        c.model_copy(
            update={"description": long_text, "variants": [f"Spelling {n}" for n in range(300)]}
        )
        if c.id == "baek-kang-hyuk"
        else c
        for c in pack.characters
    ]
    catalog = Catalog(pack.model_copy(update={"characters": characters}))
    for lang in LANGS:
        profile = render_profile(profile_for(catalog, "baek-kang-hyuk"), lang, texts, catalog)
        assert check_embeds([profile]) == []
        # The long description gives way; the sources are kept.
        assert profile.fields[-1].name == texts.t(lang, "common.sources")
        assert "](http" in (profile.fields[-1].value or "")
        for page in render_cast_list(whole_cast(catalog), lang, texts, catalog):
            assert check_embeds([page]) == []


def test_many_award_entries_spill_onto_pages_without_loss(pack: Pack, texts: Catalogue) -> None:
    template = pack.awards[2]
    extra = [
        AwardEntry.model_validate(
            {
                **template.model_dump(),
                "id": f"extra-{n}",
                "category": Text(en=f"Category number {n} " * 4, ko=f"부문 {n} " * 4),
            }
        )
        for n in range(80)
    ]
    catalog = Catalog(pack.model_copy(update={"awards": [*pack.awards, *extra]}))
    for lang in LANGS:
        pages = render_awards(awards_answer(catalog), lang, texts, catalog)
        assert len(pages) > 1
        for page in pages:
            assert check_embeds([page]) == []
        text = card_text(pages)
        assert all(f"{n} " in text for n in range(80))
        assert text.count("🏆") + text.count("▫️") == len(catalog.pack.awards)


def test_a_long_timeline_spills_onto_pages_without_loss(catalog: Catalog, texts: Catalogue) -> None:
    source = catalog.pack.seasons[1].events[0].sources[0]
    extra = [
        SeasonEvent.model_validate(
            {
                "id": f"s2-extra-{n}",
                "date": dt.date(2026, 7, 1) + dt.timedelta(days=n),
                "summary": Text(en=f"Extra event {n}. " * 40, ko=f"추가 소식 {n}. " * 40),
                "status": "in_talks",
                "confidence": "reported",
                "sources": [source],
            }
        )
        for n in range(40)
    ]
    answer = renewal_answer(catalog, dt.date(2026, 11, 28), season=2, added_events={2: extra})
    for lang in LANGS:
        pages = render_renewal(answer, lang, texts, catalog)
        assert len(pages) > 1
        for page in pages:
            assert check_embeds([page]) == []
        fields = sum(len(page.fields) for page in pages)
        assert fields == len(answer.seasons[0].timeline)


# --- the checker and the truncation helpers -----------------------------------------------------


def test_checker_reports_every_kind_of_violation() -> None:
    too_many = discord.Embed(title="x" * (TITLE_MAX + 1))
    for n in range(26):
        too_many.add_field(name=f"f{n}", value="v" * FIELD_VALUE_MAX)
    problems = check_embeds([too_many])
    assert any("title" in p for p in problems)
    assert any("fields: 26" in p for p in problems)
    assert any("total" in p for p in problems)
    assert check_payload([{"title": "ok"}] * 11) == ["embeds: 11 > 10"]
    assert check_payload([{"fields": [{"name": " ", "value": "v"}]}]) != []
    # Emoji outside the BMP count twice, as in Discord's worst case.
    assert check_payload([{"title": "🏆" * 129}]) != []
    assert check_payload([{"title": "🏆" * 128}]) == []


def test_truncate_never_leaves_half_a_link_or_escape() -> None:
    text = "Sources: [Outlet · 24 Jan 2025](https://example.org/a-very-long-path) and more"
    for limit in range(5, len(text)):
        cut = truncate(text, limit)
        assert len(cut) <= limit
        opened = cut.count("[")
        assert opened == 0 or "](https://example.org/a-very-long-path)" in cut, cut
    assert not truncate("ab\\*cd", 4).rstrip("…").endswith("\\")


def test_join_within_counts_what_it_leaves_out() -> None:
    items = [f"item {n:02d}" for n in range(10)]
    joined = join_within(items, 40, more=lambda n: f"+{n} more")
    assert len(joined) <= 40
    kept = joined.count("item")
    assert joined.endswith(f"+{10 - kept} more")
    assert join_within(items[:2], 100, more=lambda n: f"+{n}") == "item 00\nitem 01"


# --- nothing wrong is ever said -----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_no_card_or_message_repeats_a_known_wrong_claim(
    catalog: Catalog, texts: Catalogue, lang: Lang
) -> None:
    """FACTS.md §8: the wrong claims found elsewhere never reach a fan, whatever they ask."""
    forbidden_file = Path(__file__).resolve().parents[1] / "data" / "forbidden_claims.yaml"
    claims = [c["text"].casefold() for c in yaml.safe_load(forbidden_file.read_text())["claims"]]
    said = [card_text(pages) for _, pages in all_cards(catalog, texts, lang)]
    said += [texts.raw(lang, key) for key in texts.message_keys()]
    everything = "\n".join(said).casefold()
    assert [claim for claim in claims if claim in everything] == []


# --- Korean that reads native ----------------------------------------------------------------

_FALLBACK_PARTICLES = re.compile(r"\((이|으|을|은|와|과)\)|(이|을|은|과|와)\((가|를|는|와|과)\)")


def test_korean_cards_show_no_two_form_particles(catalog: Catalog, texts: Catalogue) -> None:
    for name, pages in all_cards(catalog, texts, "ko"):
        found = _FALLBACK_PARTICLES.search(card_text(pages))
        assert found is None, f"{name}: {found.group(0) if found else ''}"


def test_korean_cards_write_dates_one_way(catalog: Catalog, texts: Catalogue) -> None:
    for name, pages in all_cards(catalog, texts, "ko"):
        text = card_text(pages)
        assert not re.search(r"\d{4}\. \d{1,2}\. \d{1,2}\.", text), name  # only 2025년 1월 24일
