"""Fan answers from the real data pack: awards, renewal, cast profiles, the catalog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.datapack.loader import load_pack
from bot.datapack.models import Pack, PlannedMilestone, SeasonEvent, Source, Text
from bot.domain.awards import awards_answer
from bot.domain.catalog import Catalog, UnknownIdError
from bot.domain.profiles import character_profile, person_profile, profile_for, whole_cast
from bot.domain.renewal import SeasonRenewal, renewal_answer
from bot.domain.show import show_answer

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
AFTER_BOTH_PLANS = dt.date(2026, 11, 28)
BEFORE_BOTH_PLANS = dt.date(2026, 7, 1)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(SEEDS)


@pytest.fixture(scope="module")
def catalog(pack: Pack) -> Catalog:
    return Catalog(pack)


def _event(
    event_id: str,
    when: dt.date,
    status: str,
    source: str,
    confidence: str = "reported",
    planned: PlannedMilestone | None = None,
) -> SeasonEvent:
    return SeasonEvent.model_validate(
        {
            "id": event_id,
            "date": when,
            "summary": Text(en=f"event {event_id}", ko=f"사건 {event_id}"),
            "status": status,
            "confidence": confidence,
            "sources": [source],
            "planned": planned,
        }
    )


# --- awards -----------------------------------------------------------------------------------


def test_baeksang_has_five_nominations_one_of_them_won_by_ju_ji_hoon(catalog: Catalog) -> None:
    answer = awards_answer(catalog, ceremony="baeksang-61")
    (group,) = answer.groups
    wins = [item for item in group.items if item.entry.result == "won"]
    assert len(wins) == 1
    assert wins[0].entry.person == "ju-ji-hoon"
    assert wins[0].entry.category.en == "Best Actor (TV)"
    # A win is also a nomination: "5 nominations, 1 won".
    assert (group.tally.wins, group.tally.nominations) == (1, 5)


def test_blue_dragon_and_seoul_drama_awards_tallies(catalog: Catalog) -> None:
    bsa = awards_answer(catalog, ceremony="blue-dragon-series-4").tally
    sda = awards_answer(catalog, ceremony="seoul-drama-20").tally
    assert (bsa.ceremonies, bsa.wins, bsa.nominations) == (1, 3, 5)
    assert (sda.ceremonies, sda.wins, sda.nominations) == (1, 2, 2)


def test_whole_answer_is_grouped_by_ceremony_in_date_order(catalog: Catalog) -> None:
    answer = awards_answer(catalog)
    dates = [group.ceremony.date for group in answer.groups]
    assert dates == sorted(dates)
    assert [g.ceremony.id for g in answer.groups] == [
        "baeksang-61",
        "blue-dragon-series-4",
        "seoul-drama-20",
    ]
    assert (answer.tally.ceremonies, answer.tally.wins, answer.tally.nominations) == (3, 6, 12)


def test_tally_is_computed_from_the_entries(pack: Pack) -> None:
    without_one_win = [e for e in pack.awards if e.id != "seoul-drama-20-best-actor"]
    smaller = Catalog(pack.model_copy(update={"awards": without_one_win}))
    tally = awards_answer(smaller).tally
    assert (tally.wins, tally.nominations) == (5, 11)
    only_baeksang = [e for e in pack.awards if e.ceremony == "baeksang-61"]
    tally = awards_answer(Catalog(pack.model_copy(update={"awards": only_baeksang}))).tally
    assert (tally.ceremonies, tally.wins, tally.nominations) == (1, 1, 5)


def test_awards_for_other_shows_are_not_ours(catalog: Catalog) -> None:
    for entry in catalog.pack.awards:
        texts = [entry.category.en, entry.category.ko]
        if entry.note is not None:
            texts += [entry.note.en, entry.note.ko]
        assert not any("Lady Ok" in text or "옥씨부인전" in text for text in texts), entry.id
    choo = awards_answer(catalog, who="choo-young-woo")
    entries = [item.entry for group in choo.groups for item in group.items]
    assert [(e.ceremony, e.result) for e in entries] == [("blue-dragon-series-4", "won")]


def test_a_character_stands_for_its_actor(catalog: Catalog) -> None:
    by_character = awards_answer(catalog, who="baek-kang-hyuk")
    by_person = awards_answer(catalog, who="ju-ji-hoon")
    ids = [item.entry.id for group in by_character.groups for item in group.items]
    assert ids == [item.entry.id for group in by_person.groups for item in group.items]
    assert ids
    assert {item.entry.person for g in by_character.groups for item in g.items} == {"ju-ji-hoon"}
    assert by_character.asked.character is not None
    assert by_character.asked.character.id == "baek-kang-hyuk"
    assert (by_character.tally.wins, by_character.tally.nominations) == (3, 3)


def test_result_and_ceremony_filters(catalog: Catalog) -> None:
    won = awards_answer(catalog, result="won")
    nominated = awards_answer(catalog, result="nominated")
    assert {i.entry.result for g in won.groups for i in g.items} == {"won"}
    assert {i.entry.result for g in nominated.groups for i in g.items} == {"nominated"}
    # The tally counts what the person/ceremony filters select, whatever result is shown.
    assert (won.tally.wins, won.tally.nominations) == (6, 12)
    assert nominated.tally == won.tally
    assert [g.ceremony.id for g in nominated.groups] == ["baeksang-61", "blue-dragon-series-4"]
    yoon_at_bsa = awards_answer(catalog, who="han-yu-rim", ceremony="blue-dragon-series-4")
    assert [i.entry.category.en for g in yoon_at_bsa.groups for i in g.items] == [
        "Best Supporting Actor"
    ]


def test_unknown_ids_are_reported(catalog: Catalog) -> None:
    with pytest.raises(UnknownIdError):
        awards_answer(catalog, ceremony="grammys-2025")
    with pytest.raises(UnknownIdError):
        awards_answer(catalog, who="nobody")


# --- renewal ----------------------------------------------------------------------------------


def _season(catalog: Catalog, number: int, today: dt.date, **kwargs: object) -> SeasonRenewal:
    (season,) = renewal_answer(catalog, today, season=number, **kwargs).seasons  # type: ignore[arg-type]
    return season


def test_season_two_official_position_is_netflix_under_review(catalog: Catalog) -> None:
    season = _season(catalog, 2, AFTER_BOTH_PLANS)
    assert season.official is not None
    assert season.official.event.date == dt.date(2025, 9, 23)
    assert season.official.event.status == "under_review"
    assert season.official.confidence == "official"
    # The headline never claims more than Netflix said on record.
    assert (season.status, season.confidence) == ("under_review", "official")


def test_season_two_press_position_is_a_report(catalog: Catalog) -> None:
    season = _season(catalog, 2, AFTER_BOTH_PLANS)
    assert season.press is not None
    assert season.press.confidence == "reported"
    reported = [e for e in season.timeline if e.confidence == "reported"]
    assert season.press is reported[0]  # the newest report
    assert all(e.confidence == "unconfirmed" for e in season.unconfirmed)
    assert season.unconfirmed


def test_both_filming_plans_are_stale_after_they_pass(catalog: Catalog) -> None:
    stale = _season(catalog, 2, AFTER_BOTH_PLANS).stale_plans
    by_dates = {check.plan.by for check in stale}
    assert by_dates == {dt.date(2026, 8, 31), dt.date(2026, 10, 31)}
    assert all(check.plan.status == "filming" for check in stale)
    assert any("summer 2026" in check.plan.what.en for check in stale)
    assert any("October 2026" in check.plan.what.en for check in stale)


def test_no_plan_is_stale_before_its_date(catalog: Catalog) -> None:
    season = _season(catalog, 2, BEFORE_BOTH_PLANS)
    assert season.stale_plans == ()
    assert season.pending_plans


def test_a_later_filming_event_clears_staleness(catalog: Catalog) -> None:
    filming = _event("s2-filming-began", dt.date(2026, 11, 2), "filming", "etoday-2025-09-23")
    season = _season(catalog, 2, AFTER_BOTH_PLANS, added_events={2: [filming]})
    assert season.stale_plans == ()
    assert season.timeline[0].event.id == "s2-filming-began"
    assert season.last_updated.date == dt.date(2026, 11, 2)


def test_an_event_short_of_the_plan_does_not_clear_it(catalog: Catalog) -> None:
    talks = _event("s2-more-talks", dt.date(2026, 11, 2), "in_talks", "etoday-2025-09-23")
    season = _season(catalog, 2, AFTER_BOTH_PLANS, added_events={2: [talks]})
    assert len(season.stale_plans) == 2


def test_going_past_the_planned_status_also_clears_it(catalog: Catalog) -> None:
    post = _event("s2-wrapped", dt.date(2026, 11, 20), "post_production", "etoday-2025-09-23")
    assert _season(catalog, 2, AFTER_BOTH_PLANS, added_events={2: [post]}).stale_plans == ()


def test_timeline_is_newest_first_and_last_updated_is_the_newest(catalog: Catalog) -> None:
    for season in renewal_answer(catalog, AFTER_BOTH_PLANS).seasons:
        dates = [entry.event.date for entry in season.timeline]
        assert dates == sorted(dates, reverse=True)
        assert season.last_updated.date == dates[0]


def test_added_events_and_sources_merge_and_correct(catalog: Catalog) -> None:
    source = Source(
        id="netflix-2026-12-01",
        outlet="Netflix",
        title="Season 2 announcement",
        url="https://about.netflix.com/en/news/x",
        date=dt.date(2026, 12, 1),
        kind="official",
    )
    renewed = _event("s2-greenlit", dt.date(2026, 12, 1), "renewed", source.id, "official")
    season = _season(
        catalog, 2, AFTER_BOTH_PLANS, added_events={2: [renewed]}, added_sources=[source]
    )
    assert season.official is not None and season.official.event.id == "s2-greenlit"
    assert (season.status, season.confidence) == ("renewed", "official")
    # Same id as a pack event: a correction replaces it instead of adding a twin.
    corrected = _event("s2-netflix-under-review", dt.date(2025, 9, 23), "in_talks", source.id)
    season = _season(
        catalog, 2, AFTER_BOTH_PLANS, added_events={2: [corrected]}, added_sources=[source]
    )
    ids = [entry.event.id for entry in season.timeline]
    assert ids.count("s2-netflix-under-review") == 1
    assert season.official is None


def test_a_new_plan_from_a_rumour_does_not_hide_a_reported_plan(catalog: Catalog) -> None:
    # On 1 July 2026 the summer plan (reported) is still due even though an unconfirmed
    # relay later spoke of October.
    pending = _season(catalog, 2, BEFORE_BOTH_PLANS).pending_plans
    assert dt.date(2026, 8, 31) in {check.plan.by for check in pending}


def test_unknown_season_and_unknown_source(catalog: Catalog) -> None:
    with pytest.raises(UnknownIdError):
        renewal_answer(catalog, AFTER_BOTH_PLANS, season=9)
    orphan = _event("s2-orphan", dt.date(2026, 11, 1), "filming", "no-such-source")
    with pytest.raises(UnknownIdError):
        renewal_answer(catalog, AFTER_BOTH_PLANS, added_events={2: [orphan]})


def test_season_one_is_released_as_reported_by_the_press(catalog: Catalog) -> None:
    season = _season(catalog, 1, AFTER_BOTH_PLANS)
    assert (season.status, season.confidence) == ("released", "reported")
    assert season.episodes == 8


# --- profiles and the catalog -----------------------------------------------------------------


def test_yoon_kyung_ho_plays_han_yu_rim_head_of_proctology(catalog: Catalog) -> None:
    by_character = character_profile(catalog, "han-yu-rim")
    assert by_character.person.id == "yoon-kyung-ho"
    assert by_character.person.name.ko == "윤경호"
    (character,) = by_character.characters
    assert character.name.ko == "한유림"
    assert "proctology" in character.description.en.lower()
    assert "항문외과" in character.description.ko
    by_person = person_profile(catalog, "yoon-kyung-ho")
    assert [c.id for c in by_person.characters] == ["han-yu-rim"]
    assert by_person.awards_won == ()
    assert len(by_person.awards_nominated) == 2
    assert profile_for(catalog, "han-yu-rim").subject == "character"
    assert profile_for(catalog, "yoon-kyung-ho").subject == "person"


def test_profile_sources_cover_the_facts_and_awards(catalog: Catalog) -> None:
    profile = character_profile(catalog, "baek-kang-hyuk")
    for source_id in profile.characters[0].sources + profile.person.sources:
        assert source_id in profile.source_ids
    for entry in profile.awards_won:
        assert set(entry.sources) <= set(profile.source_ids)
    assert len(profile.source_ids) == len(set(profile.source_ids))
    assert "Joo Ji-hoon" in profile.variants


def test_crew_profile_has_no_characters(catalog: Catalog) -> None:
    director = person_profile(catalog, "lee-do-yoon")
    assert director.characters == ()
    assert [e.category.en for e in director.awards_nominated] == ["Best Director (TV)"]


def test_whole_cast_is_in_billing_order(catalog: Catalog) -> None:
    lines = whole_cast(catalog)
    assert len(lines) == len(catalog.pack.characters)
    rank = {"main": 0, "supporting": 1, "cameo": 2}
    keys = [(rank[line.character.billing], line.character.order) for line in lines]
    assert keys == sorted(keys)
    assert lines[0].character.id == "baek-kang-hyuk"
    assert lines[0].actor.id == "ju-ji-hoon"
    assert lines[-1].character.billing == "cameo"


def test_facts_as_of_is_the_newest_source_date(pack: Pack) -> None:
    catalog = Catalog(pack)
    assert catalog.facts_as_of == max(s.date for s in pack.sources if s.date is not None)
    newer = Source(
        id="later-2027-01-01",
        outlet="Later",
        kind="press",
        title="t",
        url="https://example.org/a",
        date=dt.date(2027, 1, 1),
    )
    moved = Catalog(pack.model_copy(update={"sources": [*pack.sources, newer]}))
    assert moved.facts_as_of == dt.date(2027, 1, 1)


def test_ceremonies_are_oldest_first_and_lookups_fail_loudly(catalog: Catalog) -> None:
    dates = [c.date for c in catalog.ceremonies]
    assert dates == sorted(dates)
    with pytest.raises(UnknownIdError):
        catalog.person("nobody")
    with pytest.raises(UnknownIdError):
        catalog.character("nobody")


def test_show_answer_resolves_the_makers(catalog: Catalog) -> None:
    answer = show_answer(catalog)
    assert answer.director.id == "lee-do-yoon"
    assert answer.writer.id == "choi-tae-kang"
    assert answer.author.id == "lee-nak-jun"
    assert answer.artist is not None and answer.artist.id == "hongbichira"
    for figure in answer.figures:
        assert set(figure.sources) <= set(answer.source_ids)


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        (None, "12 nominations, 6 won"),
        ("ha-young", "2 nominations, no wins"),
        ("choo-young-woo", "1 nomination, 1 won"),
    ],
)
def test_tally_text_is_unambiguous(catalog: Catalog, who: str | None, shown: str) -> None:
    from bot.i18n.catalogue import Catalogue
    from bot.render.awards import tally_text

    answer = awards_answer(catalog, who=who, result="won")
    assert tally_text(answer.tally, "en", Catalogue.load()) == shown
