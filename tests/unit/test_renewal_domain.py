"""/renewal's domain from the real data pack: the next season, seasons reported together,
claims that stay claims, out-of-date plans and what moves or settles them; and the age of
the latest news in words (Babel)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.datapack.loader import load_pack
from bot.datapack.models import SeasonEvent, Source, Text
from bot.domain.catalog import Catalog, UnknownIdError
from bot.domain.renewal import RenewalAnswer, SeasonRenewal, is_claim, renewal_answer
from bot.i18n.catalogue import Catalogue
from bot.i18n.relative import time_ago, unix_day
from bot.render.renewal import status_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAY = dt.date(2026, 11, 28)
NETFLIX = Source(
    id="netflix-about",
    outlet="Netflix",
    kind="official",
    title="Netflix's announcement",
    url="https://about.netflix.com/en/news/x",
    date=dt.date(2026, 11, 20),
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(load_pack(SEEDS))


def _event(
    event_id: str,
    when: dt.date,
    status: str,
    confidence: str = "official",
    source: str = NETFLIX.id,
) -> SeasonEvent:
    return SeasonEvent.model_validate(
        {
            "id": event_id,
            "date": when,
            "summary": Text(en=f"event {event_id}", ko=f"사건 {event_id}"),
            "status": status,
            "confidence": confidence,
            "sources": [source],
        }
    )


def _answer(catalog: Catalog, today: dt.date = TODAY, **added: list[SeasonEvent]) -> RenewalAnswer:
    events = {int(key.removeprefix("s")): value for key, value in added.items()}
    return renewal_answer(catalog, today, added_events=events, added_sources=[NETFLIX])


def _season(answer: RenewalAnswer, number: int) -> SeasonRenewal:
    return answer.season(number)


# --- which season, and which beside it -------------------------------------------------------


def test_the_next_season_is_season_2_with_season_3_beside_it(catalog: Catalog) -> None:
    answer = _answer(catalog)
    assert answer.next_season() == 2
    assert [s.number for s in answer.beside(2)] == [3]
    assert [s.number for s in answer.beside(3)] == [2]
    assert answer.beside(1) == ()


def test_the_next_season_follows_the_data_and_the_date(catalog: Catalog) -> None:
    out = _event("s2-out", dt.date(2027, 3, 1), "released")
    assert _answer(catalog, dt.date(2027, 2, 28), s2=[out]).next_season() == 2
    assert _answer(catalog, dt.date(2027, 3, 1), s2=[out]).next_season() == 3
    # A rumour of a release does not move the answer on.
    rumour = _event("s2-rumour", dt.date(2026, 11, 1), "released", "unconfirmed")
    assert _answer(catalog, s2=[rumour]).next_season() == 2
    # Every season out: the newest one.
    s3_out = _event("s3-out", dt.date(2027, 3, 1), "released")
    assert _answer(catalog, dt.date(2027, 4, 1), s2=[out], s3=[s3_out]).next_season() == 3


def test_news_about_one_season_alone_leaves_the_other_aside(catalog: Catalog) -> None:
    answer = _answer(catalog, s2=[_event("s2-alone", dt.date(2026, 11, 20), "renewed")])
    assert answer.beside(2) == ()


def test_an_unknown_season_is_named(catalog: Catalog) -> None:
    with pytest.raises(UnknownIdError):
        _answer(catalog).season(9)


# --- a status says what its source says ------------------------------------------------------


def test_a_report_of_a_decision_is_a_claim_and_netflixs_word_is_not(catalog: Catalog) -> None:
    texts = Catalogue.load()
    timeline = {e.event.id: e.event for e in _season(_answer(catalog), 2).timeline}
    xports, mydaily = timeline["s2-xports-exclusive"], timeline["s2-mydaily-in-talks"]
    assert is_claim(xports) and is_claim(mydaily)
    assert status_text(xports, "en", texts) == "reported: renewed (not confirmed by Netflix)"
    assert status_text(xports, "ko", texts) == "제작 확정 보도 (넷플릭스 공식 확인 전)"
    netflix = timeline["s2-netflix-under-review"]
    assert not is_claim(netflix)
    assert status_text(netflix, "en", texts) == "Under review"
    # Coverage that relays the claim and Netflix's reply reports the reply.
    assert not is_claim(timeline["s2-international-coverage"])
    official = _event("s2-greenlit", dt.date(2026, 11, 20), "renewed")
    assert status_text(official, "en", texts) == "Renewed"
    released = _event("s1-press", dt.date(2025, 1, 24), "released", "reported")
    assert not is_claim(released)  # a release is there for anyone to see


def test_season_2_stands_on_netflixs_word_with_the_newest_report_beside_it(
    catalog: Catalog,
) -> None:
    season = _season(_answer(catalog), 2)
    assert (season.status, season.confidence) == ("under_review", "official")
    assert season.official is not None and season.official.event.quote is not None
    assert season.newest_report is not None
    assert season.newest_report.event.id == "s2-mydaily-in-talks"
    assert season.last_updated.date == dt.date(2026, 6, 22)


# --- out-of-date plans -----------------------------------------------------------------------


def test_an_out_of_date_plan_names_the_later_report_that_moved_it(catalog: Catalog) -> None:
    stale = {c.entry.event.id: c for c in _season(_answer(catalog), 2).stale_plans}
    assert set(stale) == {"s2-xports-exclusive", "s2-mydaily-in-talks"}
    summer, october = stale["s2-xports-exclusive"], stale["s2-mydaily-in-talks"]
    # The October plan is only a relay (unconfirmed), yet it is what moved the summer plan.
    assert summer.moved_by is not None
    assert summer.moved_by.event.id == "s2-mydaily-in-talks"
    assert summer.moved_by.confidence == "unconfirmed"
    assert october.moved_by is None


def test_netflixs_own_renewal_settles_the_plans_it_supersedes(catalog: Catalog) -> None:
    greenlit = _event("s2-greenlit", dt.date(2026, 11, 20), "renewed")
    season = _season(_answer(catalog, s2=[greenlit]), 2)
    assert season.stale_plans == ()
    assert (season.status, season.confidence) == ("renewed", "official")


def test_netflix_saying_less_than_the_report_settles_nothing(catalog: Catalog) -> None:
    still = _event("s2-still-reviewing", dt.date(2026, 11, 20), "under_review")
    assert len(_season(_answer(catalog, s2=[still]), 2).stale_plans) == 2


def test_a_press_report_of_a_renewal_does_not_settle_a_plan(catalog: Catalog) -> None:
    reported = _event("s2-press", dt.date(2026, 11, 20), "renewed", "reported")
    assert len(_season(_answer(catalog, s2=[reported]), 2).stale_plans) == 2


# --- the age of the latest news --------------------------------------------------------------


def test_news_age_in_words_from_cldr() -> None:
    then = dt.date(2026, 6, 22)
    assert time_ago(then, TODAY, "en") == "5 months ago"
    assert time_ago(then, TODAY, "ko") == "5개월 전"
    assert time_ago(TODAY - dt.timedelta(days=1), TODAY, "en") == "1 day ago"
    assert time_ago(TODAY - dt.timedelta(days=400), TODAY, "ko") == "1년 전"
    assert time_ago(TODAY, TODAY, "en") is None  # 'today' is the caller's word


def test_discord_timestamps_are_midnight_utc() -> None:
    assert unix_day(dt.date(2026, 6, 22)) == 1782086400
    assert unix_day(dt.date(1970, 1, 2)) == 86400
