"""/awards end to end: the tally, filters by person (or character), ceremony and result,
typed values, 'did you mean' and unknown input — in English and Korean."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.i18n.catalogue import lang_for
from bot.i18n.dates import format_date
from tests.e2e.fan_helpers import all_text, buttons, custom_ids, shown

if TYPE_CHECKING:
    from tests.e2e.golden import Golden


LOCALES = ["en-US", "ko"]


@pytest.mark.parametrize("locale", LOCALES)
async def test_all_awards_are_tallied_from_the_entries_and_grouped_by_date(
    golden: Golden, locale: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    catalog = golden.services.facts.catalog
    awards = catalog.pack.awards
    result = await golden.invoke("awards", {}, locale=locale)
    assert not result.ephemeral
    (embed,) = result.embeds
    tally = " · ".join(
        [
            texts.plural(lang, "awards.tally.ceremonies", len({a.ceremony for a in awards})),
            texts.plural(lang, "awards.tally.wins", sum(a.result == "won" for a in awards)),
            texts.plural(
                lang, "awards.tally.nominations", sum(a.result == "nominated" for a in awards)
            ),
        ]
    )
    assert embed["description"].splitlines()[0] == tally
    dates = [format_date(c.date, lang) for c in catalog.ceremonies]
    headings = [f["name"] for f in embed["fields"] if any(d in f["name"] for d in dates)]
    assert [next(d for d in dates if d in h) for h in headings] == dates


@pytest.mark.parametrize(
    ("locale", "category", "won"),
    [("en-US", "Best Actor (TV)", "(won)"), ("ko", "방송 부문 남자 최우수 연기상", "(수상)")],
)
async def test_ju_ji_hoons_baeksang_best_actor_is_a_win(
    golden: Golden, locale: str, category: str, won: str
) -> None:
    result = await golden.invoke(
        "awards",
        {"who": "person:ju-ji-hoon", "ceremony": "baeksang-61", "result": "won"},
        locale=locale,
    )
    text = all_text(result.embeds)
    lines = [line for line in text.splitlines() if category in line]
    assert lines and all(line.startswith("🏆") and won in line for line in lines)


@pytest.mark.parametrize(
    ("locale", "award", "baeksang"),
    [("en-US", "Best New Actor", "Baeksang"), ("ko", "신인남우상", "백상")],
)
async def test_choo_young_woos_baeksang_award_for_another_show_never_appears(
    golden: Golden, locale: str, award: str, baeksang: str
) -> None:
    result = await golden.invoke("awards", {"who": "Choo Young-woo"}, locale=locale)
    text = all_text(result.embeds)
    assert award in text  # his Blue Dragon Series new-actor win is this show's
    assert baeksang not in text


@pytest.mark.parametrize(
    ("locale", "title"),
    [
        ("en-US", "Awards: Ju Ji-hoon (주지훈) as Baek Kang-hyuk (백강혁)"),
        ("ko", "주지훈 (Ju Ji-hoon), 백강혁 (Baek Kang-hyuk) 역 수상 내역"),
    ],
)
async def test_a_typed_character_stands_for_its_actor(
    golden: Golden, locale: str, title: str
) -> None:
    typed = await golden.invoke("awards", {"who": "Dr. Baek"}, locale=locale)
    picked = await golden.invoke("awards", {"who": "character:baek-kang-hyuk"}, locale=locale)
    (embed,) = typed.embeds
    assert embed["title"] == title
    assert typed.embeds == picked.embeds


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_ambiguous_who_asks_and_keeps_the_other_filters(
    golden: Golden, locale: str
) -> None:
    prompt = await golden.invoke(
        "awards",
        {"who": "Jae-won", "ceremony": "blue-dragon-series-4", "result": "won"},
        locale=locale,
    )
    assert prompt.ephemeral
    wanted = "gh:awards:pick:character:yang-jae-won:blue-dragon-series-4:won"
    assert wanted in custom_ids(prompt.message)
    assert "gh:awards:pick:person:kim-jae-won:blue-dragon-series-4:won" in custom_ids(
        prompt.message
    )
    # No '/cast' hint on an /awards prompt: the buttons are the way on.
    assert "/cast" not in all_text(prompt.embeds)

    click = await golden.double.click(shown(prompt), wanted, locale=locale)
    (answer,) = await click.wait_for_followups(1)
    assert buttons(click.message) == []
    assert not answer.ephemeral
    direct = await golden.invoke(
        "awards",
        {"who": "character:yang-jae-won", "ceremony": "blue-dragon-series-4", "result": "won"},
        locale=locale,
    )
    assert answer.embeds == direct.embeds


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_unknown_person_gets_a_private_no(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("awards", {"who": "Squid Game"}, locale=locale)
    assert result.ephemeral
    assert result.content == texts.t(lang, "error.unknown_person", query="Squid Game")


@pytest.mark.parametrize(
    ("locale", "label"),
    [
        ("en-US", "4th Blue Dragon Series Awards · 18 July 2025"),
        ("ko", "제4회 청룡시리즈어워즈 · 2025년 7월 18일"),
    ],
)
async def test_ceremony_autocomplete_is_localised_and_in_date_order(
    golden: Golden, locale: str, label: str
) -> None:
    catalog = golden.services.facts.catalog
    every = await golden.autocomplete("awards", {"ceremony": ""}, focused="ceremony", locale=locale)
    assert [c["value"] for c in every] == [c.id for c in catalog.ceremonies]
    assert {"name": label, "value": "blue-dragon-series-4"} in every
    typed = "청룡" if locale == "ko" else "blue"
    narrowed = await golden.autocomplete(
        "awards", {"ceremony": typed}, focused="ceremony", locale=locale
    )
    assert narrowed == [{"name": label, "value": "blue-dragon-series-4"}]


@pytest.mark.parametrize("locale", LOCALES)
async def test_who_autocomplete_works_like_casts(golden: Golden, locale: str) -> None:
    for typed in ("", "choo", "김", "Dr. Baek"):
        who = await golden.autocomplete("awards", {"who": typed}, focused="who", locale=locale)
        name = await golden.autocomplete("cast", {"name": typed}, focused="name", locale=locale)
        assert who == name and who, typed
    choo = await golden.autocomplete("awards", {"who": "choo"}, focused="who", locale=locale)
    label = (
        "Choo Young-woo (추영우) · Yang Jae-won"
        if locale == "en-US"
        else "추영우 (Choo Young-woo) · 양재원"
    )
    assert {"name": label, "value": "person:choo-young-woo"} in choo


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_typed_ceremony_is_understood_and_an_unknown_one_refused(
    golden: Golden, locale: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    typed = await golden.invoke("awards", {"ceremony": "Seoul Drama"}, locale=locale)
    picked = await golden.invoke("awards", {"ceremony": "seoul-drama-20"}, locale=locale)
    assert typed.embeds == picked.embeds
    assert not typed.ephemeral
    unknown = await golden.invoke("awards", {"ceremony": "Grammys"}, locale=locale)
    assert unknown.ephemeral
    assert unknown.content == texts.t(lang, "error.unknown_ceremony")


@pytest.mark.parametrize("locale", LOCALES)
async def test_result_filter_shows_only_what_was_asked(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    nominated = await golden.invoke("awards", {"result": "nominated"}, locale=locale)
    text = all_text(nominated.embeds)
    assert texts.t(lang, "awards.showing.nominated") in text
    assert "🏆" not in text and "▫️" in text
    won = await golden.invoke("awards", {"result": "won"}, locale=locale)
    text = all_text(won.embeds)
    assert texts.t(lang, "awards.showing.won") in text
    assert "▫️" not in text and "🏆" in text
    everything = await golden.invoke("awards", {"result": "all"}, locale=locale)
    default = await golden.invoke("awards", {}, locale=locale)
    assert everything.embeds == default.embeds
