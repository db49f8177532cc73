"""Parsing `at:` and `timezone:` for scheduled posts (bot.production.when)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.production.when import MAX_AHEAD, WhenError, parse_when, resolve_zone

# 6 December 2026, 14:51 in Seoul.
NOW = dt.datetime(2026, 12, 6, 5, 51, tzinfo=dt.UTC)


def utc(text: str, zone: str | None = None, now: dt.datetime = NOW) -> str:
    return parse_when(text, zone, now).at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def problem(text: str, zone: str | None = None, now: dt.datetime = NOW) -> str:
    with pytest.raises(WhenError) as caught:
        parse_when(text, zone, now)
    return caught.value.problem


@pytest.mark.parametrize(
    "text",
    ["2026-12-24 20:00", "2026-12-24T20:00", "2026-12-24 20:00:00", "2026.12.24 20:00",
     "2026/12/24 20:00", "2026-12-24  20:00", " 2026-12-24 20:00 ", "2026.12.24. 20:00"],
)  # fmt: skip
def test_date_and_time_default_to_korea_time(text: str) -> None:
    assert utc(text) == "2026-12-24 11:00:00"
    when = parse_when(text, None, NOW)
    assert when.zone.name == "Asia/Seoul" and when.label == "KST"


def test_kst_has_no_daylight_saving_time() -> None:
    """Korea has kept +09:00 all year since 1988: July is the same offset as December."""
    summer = parse_when("2027-07-15 20:00", "KST", NOW)
    winter = parse_when("2026-12-24 20:00", "KST", NOW)
    assert summer.at.utcoffset() == winter.at.utcoffset() == dt.timedelta(hours=9)
    assert summer.label == winter.label == "KST"


@pytest.mark.parametrize(
    ("zone", "expected", "label"),
    [
        ("UTC", "2026-12-24 20:00:00", "UTC"),
        ("utc", "2026-12-24 20:00:00", "UTC"),
        ("KST", "2026-12-24 11:00:00", "KST"),
        ("asia/seoul", "2026-12-24 11:00:00", "KST"),
        ("한국", "2026-12-24 11:00:00", "KST"),
        ("JST", "2026-12-24 11:00:00", "JST"),
        ("America/New_York", "2026-12-25 01:00:00", "EST"),
        ("PST", "2026-12-25 04:00:00", "PST"),
        ("Europe/London", "2026-12-24 20:00:00", "GMT"),
        ("UTC+9", "2026-12-24 11:00:00", "UTC+09:00"),
        ("+05:30", "2026-12-24 14:30:00", "UTC+05:30"),
        ("GMT-3", "2026-12-24 23:00:00", "UTC-03:00"),
        ("Asia/Bangkok", "2026-12-24 13:00:00", "UTC+07:00"),  # no letters for +07
    ],
)
def test_timezones_by_name_abbreviation_and_offset(zone: str, expected: str, label: str) -> None:
    assert utc("2026-12-24 20:00", zone) == expected
    assert parse_when("2026-12-24 20:00", zone, NOW).label == label


def test_pacific_time_follows_daylight_saving_time() -> None:
    """'PST' names the region: in July the clocks there show PDT (UTC-7)."""
    assert utc("2027-07-01 20:00", "PST") == "2027-07-02 03:00:00"
    assert parse_when("2027-07-01 20:00", "PST", NOW).label == "PDT"


def test_an_explicit_offset_is_an_exact_moment_shown_in_the_zone() -> None:
    when = parse_when("2026-12-24T20:00+01:00", None, NOW)
    assert when.at.astimezone(dt.UTC).hour == 19
    assert when.at.tzname() == "KST" and when.at.hour == 4
    assert utc("2026-12-24 11:00Z") == "2026-12-24 11:00:00"


def test_a_time_alone_is_the_next_time_the_zone_shows_it() -> None:
    assert utc("20:00") == "2026-12-06 11:00:00"  # later today in Seoul (now 14:51)
    assert utc("14:00") == "2026-12-07 05:00:00"  # passed in Seoul: tomorrow
    assert utc("14:51") == "2026-12-07 05:51:00"  # now is not the future
    assert utc("9:05", "UTC") == "2026-12-06 09:05:00"  # 05:51 in UTC: later today
    assert utc("5:00", "UTC") == "2026-12-07 05:00:00"
    assert utc("tomorrow 20:00") == "2026-12-07 11:00:00"
    assert utc("내일 9:00") == "2026-12-07 00:00:00"
    assert utc("today 23:59:30") == "2026-12-06 14:59:30"
    assert problem("today 10:00") == "past"


@pytest.mark.parametrize(
    "text",
    ["2026-12-24", "christmas", "20", "8pm", "2026-13-01 20:00", "2026-02-30 20:00",
     "2026-12-24 25:00", "2026-12-24 20:61", "", "tomorrow", "2026-12-24 20:00 +25:00"],
)  # fmt: skip
def test_unreadable_times(text: str) -> None:
    assert problem(text) == "bad_time"


def test_past_and_too_far() -> None:
    assert problem("2026-12-06 14:50") == "past"
    assert problem("2026-12-06 14:51") == "past"  # exactly now
    assert utc("2026-12-06 14:51:01") == "2026-12-06 05:51:01"
    assert problem("2025-12-24 20:00") == "past"
    farthest = (NOW + MAX_AHEAD).astimezone(resolve_zone(None).tzinfo)
    assert parse_when(farthest.strftime("%Y-%m-%d %H:%M"), None, NOW).at == farthest
    assert problem((farthest + dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")) == "too_far"


def test_a_local_time_the_clocks_skip_is_refused_and_a_repeated_one_is_the_first() -> None:
    assert problem("2027-03-14 02:30", "America/New_York") == "skipped"
    repeated = parse_when("2027-11-07 01:30", "America/New_York", NOW)
    assert repeated.label == "EDT"  # the first 01:30, before the clocks go back


@pytest.mark.parametrize("zone", ["Mars/Olympus", "XYZ", "UTC+15", "+09:99", "../etc/passwd"])
def test_unknown_timezones(zone: str) -> None:
    assert problem("2026-12-24 20:00", zone) == "unknown_timezone"


def test_blank_timezone_is_korea_time() -> None:
    assert resolve_zone(None).name == resolve_zone("  ").name == "Asia/Seoul"
