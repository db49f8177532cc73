"""/cast end to end, as fans use it: autocomplete, picked and typed names, 'did you mean'
buttons, no match, and the whole cast — in English and Korean."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.i18n.catalogue import lang_for
from bot.i18n.dates import format_date
from bot.render.common import outlet_name
from tests.e2e.fan_helpers import all_text, buttons, custom_ids, field, shown

if TYPE_CHECKING:
    from tests.e2e.golden import Golden


LOCALES = ["en-US", "ko"]


@pytest.mark.parametrize("locale", LOCALES)
async def test_autocomplete_before_typing_offers_the_cast_in_billing_order(
    golden: Golden, locale: str
) -> None:
    catalog = golden.services.facts.catalog
    choices = await golden.autocomplete("cast", {"name": ""}, focused="name", locale=locale)
    values = [c["value"] for c in choices]
    cast = [f"character:{c.id}" for c in catalog.cast]
    assert values[: len(cast)] == cast
    assert len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 for c in choices)
    # The crew come after the cast, so the director and the writer can be found too.
    assert "person:lee-do-yoon" in values[len(cast) :]


@pytest.mark.parametrize(
    ("locale", "label"),
    [
        ("en-US", "Yang Jae-won (양재원) · Choo Young-woo"),
        ("ko", "양재원 (Yang Jae-won) · 추영우"),
    ],
)
async def test_autocomplete_labels_both_scripts_and_the_other_side(
    golden: Golden, locale: str, label: str
) -> None:
    choices = await golden.autocomplete("cast", {"name": "yang"}, focused="name", locale=locale)
    assert choices[0] == {"name": label, "value": "character:yang-jae-won"}


async def test_autocomplete_finds_people_by_hangul_and_lists_every_kim(golden: Golden) -> None:
    by_hangul = await golden.autocomplete("cast", {"name": "추영"}, focused="name", locale="ko")
    assert by_hangul[0]["value"] == "person:choo-young-woo"
    assert by_hangul[0]["name"].startswith("추영우 (Choo Young-woo) · 양재원")
    kims = await golden.autocomplete("cast", {"name": "Kim"}, focused="name")
    assert {
        "person:kim-eui-sung",
        "person:kim-won-hae",
        "person:kim-sun-young",
        "person:kim-jae-won",
    } <= {c["value"] for c in kims}


@pytest.mark.parametrize(
    ("locale", "title", "actor"),
    [
        ("en-US", "Yang Jae-won (양재원)", "Choo Young-woo (추영우)"),
        ("ko", "양재원 (Yang Jae-won)", "추영우 (Choo Young-woo)"),
    ],
)
async def test_a_picked_name_opens_the_profile_publicly(
    golden: Golden, locale: str, title: str, actor: str
) -> None:
    result = await golden.invoke("cast", {"name": "character:yang-jae-won"}, locale=locale)
    assert not result.ephemeral
    assert buttons(result.message) == []
    (embed,) = result.embeds
    assert embed["title"] == title
    assert actor in embed["description"]
    texts, lang = golden.services.texts, lang_for(locale)
    assert field(embed, texts.t(lang, "common.sources")).startswith("[")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("typed", ["yang jaewon", "Jae-won Yang", "양재원", "Dr. Yang"])
async def test_a_typed_name_that_was_not_picked_gets_the_same_profile(
    golden: Golden, locale: str, typed: str
) -> None:
    picked = await golden.invoke("cast", {"name": "character:yang-jae-won"}, locale=locale)
    typed_result = await golden.invoke("cast", {"name": typed}, locale=locale)
    assert not typed_result.ephemeral
    assert typed_result.embeds == picked.embeds


@pytest.mark.parametrize(
    ("locale", "title", "plays", "role"),
    [
        ("en-US", "Yoon Kyung-ho (윤경호)", "Han Yu-rim (한유림)", "head of proctology"),
        ("ko", "윤경호 (Yoon Kyung-ho)", "한유림 (Han Yu-rim)", "항문외과 과장"),
    ],
)
async def test_yoon_kyung_ho_plays_han_yu_rim_the_head_of_proctology(
    golden: Golden, locale: str, title: str, plays: str, role: str
) -> None:
    result = await golden.invoke("cast", {"name": "Yoon Kyung-ho"}, locale=locale)
    (embed,) = result.embeds
    assert embed["title"] == title
    assert plays in embed["description"]
    assert role in embed["description"]


@pytest.mark.parametrize(
    ("locale", "won_heading", "award", "other_show", "ceremony"),
    [
        ("en-US", "Awards won for this show (1)", "Best New Actor", "Lady Ok", "Baeksang"),
        ("ko", "이 작품으로 받은 상 (1)", "신인남우상", "옥씨부인전", "백상"),
    ],
)
async def test_choo_young_woo_is_credited_only_for_this_shows_new_actor_award(
    golden: Golden, locale: str, won_heading: str, award: str, other_show: str, ceremony: str
) -> None:
    result = await golden.invoke("cast", {"name": "Choo Young-woo"}, locale=locale)
    (embed,) = result.embeds
    won = field(embed, won_heading)
    assert award in won
    text = all_text(result.embeds)
    # His Baeksang new-actor award was for The Tale of Lady Ok: it must never show up here.
    assert other_show not in text
    assert ceremony not in text


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_ambiguous_name_offers_buttons_that_open_the_chosen_profile(
    golden: Golden, locale: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    prompt = await golden.invoke("cast", {"name": "Jae-won"}, locale=locale)
    assert prompt.ephemeral
    (embed,) = prompt.embeds
    assert embed["title"] == texts.t(lang, "cast.did_you_mean", query="Jae-won")
    ids = custom_ids(prompt.message)
    assert "gh:cast:pick:character:yang-jae-won" in ids
    assert "gh:cast:pick:person:kim-jae-won" in ids
    assert len(ids) <= 5
    direct = await golden.invoke("cast", {"name": "person:kim-jae-won"}, locale=locale)

    click = await golden.double.click(
        shown(prompt), "gh:cast:pick:person:kim-jae-won", locale=locale
    )
    (answer,) = await click.wait_for_followups(1)
    assert click.message is not None and click.message.ephemeral
    assert buttons(click.message) == []  # the prompt keeps its text, loses its buttons
    assert click.message.embeds == prompt.embeds
    assert not answer.ephemeral  # posted for the channel, like a direct answer
    assert answer.embeds == direct.embeds


@pytest.mark.parametrize("locale", LOCALES)
async def test_every_kim_is_offered_with_their_role(golden: Golden, locale: str) -> None:
    prompt = await golden.invoke("cast", {"name": "Kim"}, locale=locale)
    labels = {b["custom_id"]: b["label"] for b in buttons(prompt.message)}
    assert set(labels) == {
        "gh:cast:pick:person:kim-eui-sung",
        "gh:cast:pick:person:kim-won-hae",
        "gh:cast:pick:person:kim-sun-young",
        "gh:cast:pick:person:kim-jae-won",
    }
    expected = (
        "Kim Won-hae (김원해) · Hong Jae-hun"
        if locale == "en-US"
        else "김원해 (Kim Won-hae) · 홍재훈"
    )
    assert labels["gh:cast:pick:person:kim-won-hae"] == expected


@pytest.mark.parametrize("locale", LOCALES)
async def test_no_match_says_so_privately(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("cast", {"name": "Squid Game"}, locale=locale)
    assert result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == texts.t(lang, "error.no_match", query="Squid Game")
    assert texts.t(lang, "cast.no_suggestions") in embed["description"]
    assert buttons(result.message) == []


@pytest.mark.parametrize("locale", LOCALES)
async def test_no_name_lists_the_whole_cast_in_billing_order(golden: Golden, locale: str) -> None:
    catalog = golden.services.facts.catalog
    lang = lang_for(locale)
    result = await golden.invoke("cast", {}, locale=locale)
    assert not result.ephemeral
    assert buttons(result.message) == []  # the real cast fits one page
    text = all_text(result.embeds)
    names = [c.name.ko if lang == "ko" else c.name.en for c in catalog.cast]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    headings = [golden.services.texts.t(lang, f"billing.{b}") for b in ("main", "supporting")]
    assert all(heading in text for heading in headings)


@pytest.mark.parametrize(
    ("locale", "character_line", "actor_line"),
    [
        (
            "en-US",
            "• Character **Yang Jae-won (양재원)**, played by Choo Young-woo",
            "• Actor **Kim Jae-won (김재원)**, who plays Seo Dong-ju",
        ),
        (
            "ko",
            "• 등장인물 **양재원 (Yang Jae-won)** · 추영우 분",
            "• 배우 **김재원 (Kim Jae-won)** · 서동주 역",
        ),
    ],
)
async def test_did_you_mean_says_who_is_the_actor_and_who_the_character(
    golden: Golden, locale: str, character_line: str, actor_line: str
) -> None:
    prompt = await golden.invoke("cast", {"name": "Jae-won"}, locale=locale)
    (embed,) = prompt.embeds
    lines = [line for line in embed["description"].splitlines() if line.startswith("•")]
    assert character_line in lines
    assert actor_line in lines
    director = await golden.invoke("cast", {"name": "Lee"}, locale=locale)
    crew = (
        "**Lee Do-yoon (이도윤)**, Director"
        if locale == "en-US"
        else "**이도윤 (Lee Do-yoon)** · 연출"
    )
    assert f"• {crew}" in director.embeds[0]["description"].splitlines()


@pytest.mark.parametrize("locale", LOCALES)
async def test_cast_lee_offers_only_the_lees(golden: Golden, locale: str) -> None:
    prompt = await golden.invoke("cast", {"name": "Lee"}, locale=locale)
    ids = custom_ids(prompt.message)
    assert ids and all(i.rsplit(":", 1)[1].startswith("lee-") for i in ids), ids
    assert "Kim" not in all_text(prompt.embeds) and "김" not in all_text(prompt.embeds)


@pytest.mark.parametrize("locale", LOCALES)
async def test_no_suggestions_does_not_point_at_names_that_are_not_there(
    golden: Golden, locale: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("cast", {"name": "Squid Game"}, locale=locale)
    description = result.embeds[0]["description"]
    assert texts.t(lang, "cast.try_again") not in description
    assert texts.t(lang, "cast.try_again_none") in description
    assert ("these names" if locale == "en-US" else "위 이름") not in description


@pytest.mark.parametrize(
    ("locale", "character_line", "actor_line"),
    [
        (
            "en-US",
            "**Baek Kang-hyuk** (character): Baek Gang-hyeok, Baek Kang-hyeok",
            "**Ju Ji-hoon** (actor): Joo Ji-hoon, Ju Ji Hoon",
        ),
        (
            "ko",
            "**백강혁**(등장인물): Baek Gang-hyeok, Baek Kang-hyeok",
            "**주지훈**(배우): Joo Ji-hoon, Ju Ji Hoon",
        ),
    ],
)
async def test_other_spellings_keep_the_characters_apart_from_the_actors(
    golden: Golden, locale: str, character_line: str, actor_line: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("cast", {"name": "character:baek-kang-hyuk"}, locale=locale)
    spellings = field(result.embeds[0], texts.t(lang, "cast.variants")).splitlines()
    assert spellings == [character_line, actor_line]


@pytest.mark.parametrize("locale", LOCALES)
async def test_sources_read_as_outlet_and_date_each_once(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    catalog = golden.services.facts.catalog
    for name in ("character:baek-kang-hyuk", "person:lee-nak-jun"):
        result = await golden.invoke("cast", {"name": name}, locale=locale)
        value = field(result.embeds[0], texts.t(lang, "common.sources"))
        items = value.split(" • ")
        urls = [item.rsplit("](", 1)[1].rstrip(")") for item in items if "](" in item]
        assert len(urls) == len(set(urls)), value
        for source in catalog.pack.sources:
            if source.url in urls and source.date is not None:
                label = f"{outlet_name(source, lang)}, {format_date(source.date, lang)}"
                assert any(item.startswith(f"[{label}") for item in items), label
