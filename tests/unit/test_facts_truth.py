"""The data pack tells the truth: no known wrong claim, no overstated confidence.

These check the content of seeds/ against FACTS.md: the wrong claims of §8 (kept in
tests/data/forbidden_claims.yaml), the single-source rows that must never be 'official',
the facts fans argue about, and each correction of §10 (re-checked 2026-12-06).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.datapack.loader import load_pack
from bot.datapack.models import AwardEntry, Pack, SeasonEvent
from bot.i18n.catalogue import Catalogue

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
FORBIDDEN = ROOT / "tests" / "data" / "forbidden_claims.yaml"

# Sources behind the rows FACTS.md marks S (R6, R10, R11): a relayed headline, a repost of a
# year-end article, and a relay of an article nobody found.
S_ONLY_SOURCES = {"11free-1824412", "theqoo-joynews24-1902400", "unikpop-2026-06-22"}
# FACTS.md §10 K2: Netflix's statement of 2025-09-23, verbatim as OSEN printed it.
NETFLIX_QUOTE_KO = (
    "'중증외상센터'에 대한 관심에 감사하다. 후속편 제작은 현재 검토 중이다. 아직 확정된 내용은 없다"
)


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


def test_weekly_hours_figure_is_the_week_of_27_january(pack: Pack) -> None:
    """§10 K3: 82.7 M hours is the single week 27 Jan – 2 Feb 2025 (Dispatch and others)."""
    [figure] = [f for f in pack.show.figures if "82.7 million hours" in f.value.en]
    assert figure.id == "weekly-hours-viewed"
    assert figure.label.en == "Hours viewed, week of 27 Jan – 2 Feb 2025"
    assert figure.label.ko == "주간 시청 시간 (2025년 1월 27일~2월 2일)"
    assert figure.value.ko == "8,270만 시간"
    assert figure.confidence == "reported"
    assert "dispatch-2317663" in figure.sources
    assert "two weeks" not in figure.label.en + figure.value.en


def test_kbs_is_not_cited_for_figures_it_does_not_carry(pack: Pack) -> None:
    """§10 K3: the 11.9 M / 5.2 M views and '3rd overall' are Asia Today's, not KBS's."""
    carried_by_kbs = {f.id for f in pack.show.figures if "kbs-2025-02-06" in f.sources}
    assert carried_by_kbs == {"weekly-hours-viewed"}
    for figure_id in ("global-non-english-tv-no1", "all-titles-third"):
        figure = next(f for f in pack.show.figures if f.id == figure_id)
        assert figure.sources == ["asiatoday-2025-02-05"]
    views = next(f for f in pack.show.figures if f.id == "global-non-english-tv-no1")
    assert "시청수" in views.value.ko and "조회수" not in views.value.ko


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
    assert all(s.official for s in pack.sources if s.id in answer.sources)
    # §10 K2: the quotation is OSEN's Korean verbatim; the English is marked as ours.
    assert answer.quote is not None
    assert answer.quote.original == "ko"
    assert answer.quote.text.ko == NETFLIX_QUOTE_KO
    assert "under review" in answer.quote.text.en
    # Nothing else pretends to quote Netflix: the summaries are paraphrases.
    assert '"' not in answer.summary.en and '"' not in answer.summary.ko


def test_only_netflixs_statement_is_quoted(pack: Pack) -> None:
    quoted = {e.id for s in pack.seasons for e in s.events if e.quote is not None}
    assert quoted == {"s2-netflix-under-review", "s3-netflix-under-review"}


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
    # §10 K13: the press reported it (TIME, News1, news.korea.com); no Netflix page is cited.
    assert (release.date, release.status, release.confidence) == (
        dt.date(2025, 1, 24),
        "released",
        "reported",
    )
    assert {s.kind for s in pack.sources if s.id in release.sources} == {"press"}
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


# --- §10 corrections (re-checked 2026-12-06) ---------------------------------------------------


def test_baeksang_korean_categories_are_the_broadcast_section(pack: Pack) -> None:
    """K1: the 61st Baeksang renamed its 'TV 부문' to '방송 부문'."""
    categories = [a.category for a in pack.awards if a.ceremony == "baeksang-61"]
    assert len(categories) == 5
    assert all(c.ko.startswith("방송 부문 ") for c in categories)
    assert all(c.en.endswith("(TV)") for c in categories)  # the common English rendering
    [best_actor] = _award(pack, "baeksang-61", "ju-ji-hoon")
    assert best_actor.category.ko == "방송 부문 남자 최우수 연기상"
    award_text = " ".join(_strings([a.model_dump(mode="json") for a in pack.awards]))
    assert "TV부문" not in award_text and "TV 부문" not in award_text


def test_blue_dragon_best_drama_was_accepted_by_kwon_mi_kyung_and_lee_do_yoon(
    pack: Pack,
) -> None:
    """K5: the CEO of Studio N and the director accepted it together, and both spoke."""
    [entry] = [a for a in pack.awards if a.id == "blue-dragon-series-4-best-drama"]
    assert entry.note is not None
    assert "Kwon Mi-kyung" in entry.note.en and "Lee Do-yoon" in entry.note.en
    assert "권미경" in entry.note.ko and "이도윤" in entry.note.ko
    assert {"sportschosun-2025-07-18", "8pm-242019"} <= set(entry.sources)


def test_no_source_links_to_the_wrong_joynews24_domain(pack: Pack) -> None:
    """K6: Joynews24 is joynews24.com; the `.dev` address in A9 was wrong."""
    hosts = {s.id: urlsplit(s.url).hostname or "" for s in pack.sources}
    assert [sid for sid, host in hosts.items() if host.endswith(".dev")] == []
    joynews = {sid: host for sid, host in hosts.items() if "joynews24" in host}
    assert joynews and all(host.endswith("joynews24.com") for host in joynews.values())
    assert next(s.url for s in pack.sources if s.id == "joynews24-1867206") == (
        "https://m.joynews24.com/v/1867206"
    )


def test_awards_won_for_other_shows_and_career_honours_are_never_ours(pack: Pack) -> None:
    """K7 and K8 (and A7): Choo Young-woo's new-actor wins at the 61st Baeksang and the 16th
    Korea Drama Awards were for other dramas; commendations are career honours."""
    names = [f"{c.name.en} {c.name.ko}".casefold() for c in pack.ceremonies]
    assert not any("korea drama awards" in n or "코리아드라마어워즈" in n for n in names)
    assert not any("popular culture" in n or "대중문화예술상" in n for n in names)
    choo = [a.id for a in pack.awards if a.person == "choo-young-woo"]
    assert choo == ["blue-dragon-series-4-best-new-actor"]
    yang = [a.id for a in pack.awards if a.character == "yang-jae-won"]
    assert yang == choo


def test_seoul_international_drama_awards_by_its_official_name(pack: Pack) -> None:
    """K10: the ceremony is the Seoul International Drama Awards (서울드라마어워즈)."""
    [ceremony] = [c for c in pack.ceremonies if c.id == "seoul-drama-20"]
    assert (ceremony.name.en, ceremony.name.ko) == (
        "Seoul International Drama Awards",
        "서울드라마어워즈",
    )
    [ju] = _award(pack, "seoul-drama-20", "ju-ji-hoon")
    assert ju.category.en == "Outstanding Korean Drama Actor"


@pytest.mark.parametrize("season", [2, 3])
def test_coverage_relaying_a_claim_and_its_denial_is_not_a_renewal(pack: Pack, season: int) -> None:
    """K11: Pinkvilla and others carried the Xports claim with Netflix's 'under review'."""
    [coverage] = [e for e in _events(pack, season) if e.id == f"s{season}-international-coverage"]
    assert (coverage.status, coverage.confidence) == ("under_review", "reported")


def test_cameo_credits_are_what_the_press_calls_them() -> None:
    """K12: Kim Jae-won's appearance is a 우정출연; nobody calls either a 특별출연, and no
    source credits Lee Se-ho's role at all."""
    pack = load_pack(SEEDS)
    characters = {c.id: c for c in pack.characters}
    seo, lee = characters["seo-dong-ju"], characters["lee-hyeon-jong"]
    assert "우정출연" in seo.description.ko and "friendship appearance" in seo.description.en
    for credit in ("우정출연", "특별출연", "friendship", "special appearance", "cameo"):
        assert credit not in lee.description.ko + lee.description.en
    values = " ".join(_strings(pack.model_dump(mode="json")))
    assert "특별출연" not in values and "special appearance" not in values.casefold()
    assert Catalogue.load().t("ko", "billing.cameo") != "특별출연"


def test_outlets_have_their_korean_names(pack: Pack) -> None:
    """Korean answers name Korean outlets as Koreans do (KOREAN.md)."""
    korean = {s.outlet: s.outlet_ko for s in pack.sources}
    assert korean["Sports Donga"] == "스포츠동아"
    assert korean["Nocut News"] == "노컷뉴스"
    assert korean["Xports News"] == "엑스포츠뉴스"
    assert korean["Xports News (via Naver)"] == "엑스포츠뉴스(네이버)"
    named = [s for s in pack.sources if s.outlet_ko is not None]
    assert all(re.search("[가-힣]", s.outlet_ko or "") for s in named)


def test_weak_sources_are_not_press(pack: Pack) -> None:
    """The S-only sources of §5 are reposts, relays and forum posts, so no row citing only
    them can be more than unconfirmed (the loader enforces it)."""
    kinds = {s.id: s.kind for s in pack.sources}
    assert {kinds[sid] for sid in S_ONLY_SOURCES} <= {"aggregator", "forum"}
    assert kinds["unikpop-2026-06-22"] == "aggregator"  # K14: AI-illustrated relay
    assert kinds["theqoo-joynews24-1902400"] == "forum"
