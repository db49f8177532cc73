"""The data pack tells the truth: no known wrong claim, no overstated confidence.

These check the content of seeds/ against FACTS.md: the wrong claims of §8 (kept in
tests/data/forbidden_claims.yaml), the single-source rows that must never be 'official',
and the facts fans argue about.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.datapack.loader import load_pack
from bot.datapack.models import AwardEntry, Pack, SeasonEvent

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
FORBIDDEN = ROOT / "tests" / "data" / "forbidden_claims.yaml"

# Sources behind the rows FACTS.md marks S (R6, R10, R11): a relayed headline, a repost of a
# year-end article, and a relay of an article nobody found.
S_ONLY_SOURCES = {"11free-1824412", "theqoo-joynews24-1902400", "unikpop-2026-06-22"}
NETFLIX_QUOTE_EN = "Production of a sequel is under review; nothing has been confirmed yet."
NETFLIX_QUOTE_KO = "후속 시즌 제작을 검토 중이며 아직 확정된 바는 없다"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(SEEDS)


@pytest.fixture(scope="module")
def forbidden() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(FORBIDDEN.read_text(encoding="utf-8"))
    return data


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _hits(seeds_dir: Path, claims: list[str]) -> list[str]:
    """Where each claim appears: in a file's text, or in a loaded value (folded YAML lines)."""
    found = []
    for path in sorted(seeds_dir.glob("*.yaml")):
        text = path.read_text(encoding="utf-8").casefold()
        found += [f"{claim!r} in {path.name}" for claim in claims if claim.casefold() in text]
    values = " | ".join(_strings(load_pack(seeds_dir).model_dump(mode="json"))).casefold()
    found += [f"{claim!r} in a loaded value" for claim in claims if claim.casefold() in values]
    return found


def _award(pack: Pack, ceremony: str, person: str) -> list[AwardEntry]:
    return [a for a in pack.awards if a.ceremony == ceremony and a.person == person]


def _events(pack: Pack, season: int) -> list[SeasonEvent]:
    return next(s.events for s in pack.seasons if s.number == season)


# --- §8: do not repeat ----------------------------------------------------------------------


def test_no_wrong_claim_appears_in_the_seeds(forbidden: dict[str, Any]) -> None:
    claims = [claim["text"] for claim in forbidden["claims"]]
    assert _hits(SEEDS, claims) == []


def test_the_wrong_claim_scan_catches_a_planted_claim(
    tmp_path: Path, forbidden: dict[str, Any]
) -> None:
    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    characters = seeds / "characters.yaml"
    text = characters.read_text(encoding="utf-8")
    # A folded scalar splits the claim across lines: only the loaded value shows it whole.
    planted = text.replace(
        "      en: The head of proctology,",
        "      en: >-\n        Head of the trauma team Doo\n"
        "        Jin-tae. The head of proctology,",
    )
    assert planted != text
    characters.write_text(planted, encoding="utf-8")
    claims = [claim["text"] for claim in forbidden["claims"]]
    assert _hits(seeds, claims) == ["'Doo Jin-tae' in a loaded value"]


def test_no_source_from_a_page_known_to_be_wrong(pack: Pack, forbidden: dict[str, Any]) -> None:
    bad = [marker.casefold() for marker in forbidden["sources_not_to_cite"]]
    cited = [s.url for s in pack.sources if any(marker in s.url.casefold() for marker in bad)]
    assert cited == []


def test_choo_young_woos_baeksang_new_actor_award_is_not_ours(pack: Pack) -> None:
    assert _award(pack, "baeksang-61", "choo-young-woo") == []
    assert not any(
        "new actor" in a.category.en.casefold() for a in pack.awards if a.ceremony == "baeksang-61"
    )


# --- confidence: who says it ----------------------------------------------------------------


def test_no_single_source_row_is_official(pack: Pack) -> None:
    rows = [(f.id, f.sources, f.confidence) for f in pack.show.figures] + [
        (e.id, e.sources, e.confidence) for s in pack.seasons for e in s.events
    ]
    s_rows = [
        (row_id, confidence)
        for row_id, sources, confidence in rows
        if set(sources) <= S_ONLY_SOURCES
    ]
    assert len(s_rows) == 5  # R6 (season 2), R10 and R11 (seasons 2 and 3)
    assert all(confidence != "official" for _, confidence in s_rows)


def test_kbs_hours_figure_is_unconfirmed_and_quoted_as_worded(pack: Pack) -> None:
    figure = next(f for f in pack.show.figures if "82.7 million hours" in f.value.en)
    assert figure.confidence == "unconfirmed"
    assert figure.value.en == '"82.7 million hours viewed two weeks after release"'


def test_year_end_confirmed_claim_is_unconfirmed_and_says_it_conflicts(pack: Pack) -> None:
    year_end = [
        e for s in pack.seasons for e in s.events if e.sources == ["theqoo-joynews24-1902400"]
    ]
    assert {e.id for e in year_end} == {"s2-joynews-year-end", "s3-joynews-year-end"}
    for event in year_end:
        assert event.confidence == "unconfirmed"
        assert event.precision == "month"
        assert "conflicts" in event.summary.en


def test_netflix_never_said_renewed(pack: Pack) -> None:
    official = [
        e for s in pack.seasons if s.number > 1 for e in s.events if e.confidence == "official"
    ]
    assert official
    assert {e.status for e in official} == {"under_review"}


def test_only_pages_relaying_netflix_are_marked_official(pack: Pack) -> None:
    official_sources = {s.id for s in pack.sources if s.official}
    relaying = {
        source_id
        for season in pack.seasons
        for e in season.events
        if e.confidence == "official" and e.status == "under_review"
        for source_id in e.sources
    }
    assert official_sources
    assert official_sources == relaying


# --- facts fans argue about ------------------------------------------------------------------


def test_ju_ji_hoon_won_baeksang_best_actor_tv(pack: Pack) -> None:
    [entry] = _award(pack, "baeksang-61", "ju-ji-hoon")
    assert entry.category.en == "Best Actor (TV)"
    assert entry.result == "won"
    assert entry.character == "baek-kang-hyuk"


def test_yoon_kyung_ho_plays_han_yu_rim_head_of_proctology(pack: Pack) -> None:
    [character] = [c for c in pack.characters if c.played_by == "yoon-kyung-ho"]
    assert character.id == "han-yu-rim"
    assert character.name.ko == "한유림"
    assert "proctology" in character.description.en
    assert "항문외과 과장" in character.description.ko


def test_choo_young_woos_blue_dragon_best_new_actor_is_a_win(pack: Pack) -> None:
    [entry] = _award(pack, "blue-dragon-series-4", "choo-young-woo")
    assert entry.category.en == "Best New Actor"
    assert entry.result == "won"


def test_yang_jae_won_is_a_fellow(pack: Pack) -> None:
    yang = next(c for c in pack.characters if c.id == "yang-jae-won")
    assert "fellow" in yang.description.en
    assert "펠로우" in yang.description.ko


@pytest.mark.parametrize("season", [2, 3])
def test_netflix_answer_of_2025_09_23_is_official_under_review(pack: Pack, season: int) -> None:
    [answer] = [e for e in _events(pack, season) if e.confidence == "official"]
    assert answer.date == dt.date(2025, 9, 23)
    assert answer.status == "under_review"
    assert NETFLIX_QUOTE_EN in answer.summary.en
    assert NETFLIX_QUOTE_KO in answer.summary.ko
    assert all(s.official for s in pack.sources if s.id in answer.sources)


@pytest.mark.parametrize("season", [2, 3])
def test_xports_exclusive_is_a_report_with_a_summer_2026_filming_plan(
    pack: Pack, season: int
) -> None:
    [report] = [e for e in _events(pack, season) if e.id == f"s{season}-xports-exclusive"]
    assert (report.date, report.status, report.confidence) == (
        dt.date(2025, 9, 23),
        "renewed",
        "reported",
    )
    assert report.planned is not None
    assert (report.planned.status, report.planned.by) == ("filming", dt.date(2026, 8, 31))


def test_season_2_october_filming_plan_and_episode_count_stay_unconfirmed(pack: Pack) -> None:
    season_2 = next(s for s in pack.seasons if s.number == 2)
    assert season_2.episodes is None  # "8 episodes" is only in an unconfirmed relay
    [talks] = [e for e in season_2.events if e.date == dt.date(2026, 6, 22)]
    assert (talks.status, talks.confidence) == ("in_talks", "unconfirmed")
    assert talks.planned is not None
    assert (talks.planned.status, talks.planned.by) == ("filming", dt.date(2026, 10, 31))
    assert "8 episodes" in talks.summary.en
    assert "reportedly" in talks.summary.en


def test_season_1_released_on_2025_01_24_with_8_episodes(pack: Pack) -> None:
    season_1 = next(s for s in pack.seasons if s.number == 1)
    assert season_1.episodes == pack.show.episodes == 8
    [release] = season_1.events
    assert (release.date, release.status, release.confidence) == (
        dt.date(2025, 1, 24),
        "released",
        "official",
    )
    assert pack.show.premiere == dt.date(2025, 1, 24)


def test_month_only_dates_are_marked_month_precision(pack: Pack) -> None:
    month_only = {
        e.id: (e.date, e.precision) for s in pack.seasons for e in s.events if e.precision != "day"
    }
    assert month_only == {
        "s2-director-prepared": (dt.date(2025, 1, 1), "month"),
        "s2-ju-you-quiz": (dt.date(2025, 3, 1), "month"),
        "s2-joynews-year-end": (dt.date(2025, 12, 1), "month"),
        "s3-joynews-year-end": (dt.date(2025, 12, 1), "month"),
    }


def test_only_the_three_ceremonies_of_facts_md(pack: Pack) -> None:
    assert [(c.id, c.edition, c.date) for c in pack.ceremonies] == [
        ("baeksang-61", 61, dt.date(2025, 5, 5)),
        ("blue-dragon-series-4", 4, dt.date(2025, 7, 18)),
        ("seoul-drama-20", 20, dt.date(2025, 10, 2)),
    ]
