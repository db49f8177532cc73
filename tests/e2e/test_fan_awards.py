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


@pytest.mark.parametrize(
    ("locale", "first_line"),
    [
        ("en-US", "12 nominations, 6 won · 3 ceremonies"),
        ("ko", "시상식 3개 · 후보 12개 부문 · 수상 6개"),
    ],
)
async def test_all_awards_are_tallied_from_the_entries_and_grouped_by_date(
    golden: Golden, locale: str, first_line: str
) -> None:
    lang = lang_for(locale)
    catalog = golden.services.facts.catalog
    awards = catalog.pack.awards
    # A win is also a nomination: the count of nominations is every entry.
    assert (len(awards), sum(a.result == "won" for a in awards)) == (12, 6)
    result = await golden.invoke("awards", {}, locale=locale)
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["description"].splitlines()[0] == first_line
    dates = [format_date(c.date, lang) for c in catalog.ceremonies]
    headings = [f["name"] for f in embed["fields"] if any(d in f["name"] for d in dates)]
    assert [next(d for d in dates if d in h) for h in headings] == dates


@pytest.mark.parametrize(
    ("locale", "heading"),
    [
        ("en-US", "61st Baeksang Arts Awards · 5 May 2025 · 5 nominations, 1 won"),
        ("ko", "제61회 백상예술대상 · 2025년 5월 5일 · 후보 5개 부문 · 수상 1개"),
    ],
)
async def test_each_ceremony_says_how_many_nominations_and_wins(
    golden: Golden, locale: str, heading: str
) -> None:
    result = await golden.invoke("awards", {}, locale=locale)
    names = [f["name"] for embed in result.embeds for f in embed["fields"]]
    assert heading in names


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("en-US", "🏆 **Best Actor (TV)**: Ju Ji-hoon (주지훈) as Baek Kang-hyuk"),
        ("ko", "🏆 **방송 부문 남자 최우수 연기상**: 주지훈(백강혁 역)"),
    ],
)
async def test_wins_only_do_not_repeat_won_and_nest_no_parentheses(
    golden: Golden, locale: str, line: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("awards", {"result": "won"}, locale=locale)
    text = all_text(result.embeds)
    entries = [row for row in text.splitlines() if row.startswith(("🏆", "▫️"))]
    assert len(entries) == 6
    won_word = texts.t(lang, "awards.result.won")
    assert all(won_word not in row for row in entries)
    assert line in entries or any(row.startswith(line) for row in entries)
    everything = await golden.invoke("awards", {}, locale=locale)
    for row in all_text(everything.embeds).splitlines():
        depth = 0
        for char in row:
            depth += {"(": 1, ")": -1}.get(char, 0)
            assert depth <= 1, row  # never "(… (…) …)"


@pytest.mark.parametrize(
    ("locale", "answer"),
    [
        ("en-US", "Nothing matches that result: Ha Young has 2 nominations, no wins."),
        ("ko", "조건에 맞는 내역이 없어요. 하영: 후보 2개 부문 · 수상 없음."),
    ],
)
async def test_an_empty_result_is_private_and_says_what_would_match(
    golden: Golden, locale: str, answer: str
) -> None:
    result = await golden.invoke(
        "awards", {"who": "person:ha-young", "result": "won"}, locale=locale
    )
    assert result.ephemeral
    assert result.embeds == []
    assert result.content == answer


@pytest.mark.parametrize(
    ("locale", "answer"),
    [
        (
            "en-US",
            "Ha Young has no entries at the 20th Seoul International Drama Awards; "
            "at every ceremony: 2 nominations, no wins.",
        ),
        (
            "ko",
            "하영은 제20회 서울드라마어워즈 후보에 오르지 않았어요. "
            "전체 시상식: 후보 2개 부문 · 수상 없음.",
        ),
    ],
)
async def test_nobody_at_that_ceremony_says_what_they_have_elsewhere(
    golden: Golden, locale: str, answer: str
) -> None:
    result = await golden.invoke(
        "awards", {"who": "Ha Young", "ceremony": "seoul-drama-20"}, locale=locale
    )
    assert result.ephemeral
    assert result.content == answer


@pytest.mark.parametrize(
    ("locale", "category"),
    [("en-US", "Best Actor (TV)"), ("ko", "방송 부문 남자 최우수 연기상")],
)
async def test_ju_ji_hoons_baeksang_best_actor_is_a_win(
    golden: Golden, locale: str, category: str
) -> None:
    result = await golden.invoke(
        "awards",
        {"who": "person:ju-ji-hoon", "ceremony": "baeksang-61", "result": "won"},
        locale=locale,
    )
    text = all_text(result.embeds)
    lines = [line for line in text.splitlines() if category in line]
    assert lines and all(line.startswith("🏆") for line in lines)


OTHER_SHOWS_AND_HONOURS = {
    # 61st Baeksang and 16th Korea Drama Awards new-actor wins: for other dramas.
    "en-US": ["Baeksang", "Korea Drama Awards", "Lady Ok", "Head over Heels"],
    "ko": ["백상", "코리아드라마어워즈", "옥씨부인전", "견우와 선녀"],
}
CAREER_HONOURS = {
    # 2025 Korea Popular Culture & Arts Awards commendations: career honours, not show awards.
    "en-US": ["Popular Culture", "commendation", "Prime Minister"],
    "ko": ["대중문화예술상", "표창", "국무총리"],
}


@pytest.mark.parametrize(("locale", "award"), [("en-US", "Best New Actor"), ("ko", "신인남우상")])
async def test_choo_young_woos_awards_for_other_shows_never_appear(
    golden: Golden, locale: str, award: str
) -> None:
    result = await golden.invoke("awards", {"who": "Choo Young-woo"}, locale=locale)
    text = all_text(result.embeds)
    assert award in text  # his Blue Dragon Series new-actor win is this show's
    assert "1 won" in text or "수상 1개" in text
    for other in OTHER_SHOWS_AND_HONOURS[locale]:
        assert other not in text, other


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("who", ["Ju Ji-hoon", "Choo Young-woo"])
async def test_career_honours_are_not_show_awards(golden: Golden, locale: str, who: str) -> None:
    catalog = golden.services.facts.catalog
    names = " ".join(f"{c.name.en} {c.name.ko}" for c in catalog.ceremonies)
    for honour in CAREER_HONOURS["en-US"][:1] + CAREER_HONOURS["ko"][:1]:
        assert honour not in names
    awards = await golden.invoke("awards", {"who": who}, locale=locale)
    profile = await golden.invoke("cast", {"name": who}, locale=locale)
    text = all_text(awards.embeds) + all_text(profile.embeds)
    for honour in CAREER_HONOURS[locale]:
        assert honour not in text, honour


@pytest.mark.parametrize(
    ("locale", "title"),
    [
        ("en-US", "Awards: Ju Ji-hoon (주지훈) as Baek Kang-hyuk"),
        ("ko", "주지훈(백강혁 역) 수상 내역"),
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
async def test_who_autocomplete_offers_people_with_entries_first(
    golden: Golden, locale: str
) -> None:
    catalog = golden.services.facts.catalog
    nominees = {a.person for a in catalog.pack.awards if a.person}

    def has_entries(value: str) -> bool:
        kind, _, ident = value.partition(":")
        if kind == "character":
            return catalog.character(ident).played_by in nominees
        return ident in nominees

    for typed in ("", "choo", "김", "Dr. Baek", "Kim"):
        who = await golden.autocomplete("awards", {"who": typed}, focused="who", locale=locale)
        name = await golden.autocomplete("cast", {"name": typed}, focused="name", locale=locale)
        assert who and sorted(c["value"] for c in who) == sorted(c["value"] for c in name)
        flags = [has_entries(c["value"]) for c in who]
        assert flags == sorted(flags, reverse=True), typed  # entries first, then the rest
    every = await golden.autocomplete("awards", {"who": ""}, focused="who", locale=locale)
    assert has_entries(every[0]["value"]) and not has_entries(every[-1]["value"])
    choo = await golden.autocomplete("awards", {"who": "choo"}, focused="who", locale=locale)
    label = (
        "Choo Young-woo (추영우) · Yang Jae-won"
        if locale == "en-US"
        else "추영우 (Choo Young-woo) · 양재원"
    )
    assert {"name": label, "value": "person:choo-young-woo"} in choo


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_typed_ceremony_is_understood(golden: Golden, locale: str) -> None:
    typed = await golden.invoke("awards", {"ceremony": "Seoul Drama"}, locale=locale)
    picked = await golden.invoke("awards", {"ceremony": "seoul-drama-20"}, locale=locale)
    assert typed.embeds == picked.embeds
    assert not typed.ephemeral


@pytest.mark.parametrize(
    ("locale", "title"),
    [("en-US", "Which ceremony? (“2025”)"), ("ko", "어느 시상식인가요? (“2025”)")],
)
async def test_an_ambiguous_ceremony_offers_the_matching_ones_as_buttons(
    golden: Golden, locale: str, title: str
) -> None:
    catalog = golden.services.facts.catalog
    prompt = await golden.invoke(
        "awards", {"ceremony": "2025", "who": "Ju Ji-hoon", "result": "won"}, locale=locale
    )
    assert prompt.ephemeral
    (embed,) = prompt.embeds
    assert embed["title"] == title
    ids = custom_ids(prompt.message)
    assert ids == [f"gh:awards:cer:{c.id}:person:ju-ji-hoon:won" for c in catalog.ceremonies]
    wanted = "gh:awards:cer:blue-dragon-series-4:person:ju-ji-hoon:won"
    click = await golden.double.click(shown(prompt), wanted, locale=locale)
    (answer,) = await click.wait_for_followups(1)
    assert buttons(click.message) == []
    assert not answer.ephemeral
    direct = await golden.invoke(
        "awards",
        {"who": "person:ju-ji-hoon", "ceremony": "blue-dragon-series-4", "result": "won"},
        locale=locale,
    )
    assert answer.embeds == direct.embeds


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_unknown_ceremony_offers_every_known_one(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    catalog = golden.services.facts.catalog
    unknown = await golden.invoke("awards", {"ceremony": "Grammys"}, locale=locale)
    assert unknown.ephemeral
    (embed,) = unknown.embeds
    assert embed["title"] == texts.t(lang, "awards.no_ceremony", query="Grammys")
    assert texts.t(lang, "error.unknown_ceremony") not in all_text(unknown.embeds)
    assert len(custom_ids(unknown.message)) == len(catalog.ceremonies)


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_click_that_finds_nothing_answers_privately(golden: Golden, locale: str) -> None:
    prompt = await golden.invoke(
        "awards", {"ceremony": "2025", "who": "person:ha-young", "result": "won"}, locale=locale
    )
    wanted = "gh:awards:cer:seoul-drama-20:person:ha-young:won"
    click = await golden.double.click(shown(prompt), wanted, locale=locale)
    (answer,) = await click.wait_for_followups(1)
    assert answer.ephemeral
    assert answer.embeds == []
    assert ("Ha Young" if locale == "en-US" else "하영") in (answer.content or "")


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
