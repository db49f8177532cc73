"""When a scheduled post goes out: the maintainer's ``at:`` and ``timezone:`` options, parsed.

Pure (no discord): ``parse_when("2026-12-24 20:00", "KST", now)`` gives an aware datetime in
the named zone, or raises :class:`WhenError` naming what is wrong (a catalogue key's last
word). Accepted times: ISO dates with a time (``2026-12-24 20:00``, ``2026-12-24T20:00:30``,
``2026.12.24 20:00``, with an optional ``+09:00``/``Z`` offset that then wins over the zone),
or a time alone (``20:00``: the next time the zone's clocks show it, today or tomorrow), also
after ``today``/``tomorrow``/``오늘``/``내일``. Zones: IANA names in any case
(``asia/seoul``), common abbreviations (KST, UTC, JST, PST…), fixed offsets (``UTC+9``,
``+05:30``). The default is Korea time: the show's and most announcements' clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_TIMEZONE: Final = "Asia/Seoul"
MAX_AHEAD: Final = dt.timedelta(days=365)

# Abbreviations people type; a zone with daylight saving time maps to its region, so that
# "PST" in July means Los Angeles time (PDT) rather than a fixed offset nobody uses then.
ALIASES: Final[dict[str, str]] = {
    "kst": "Asia/Seoul",
    "korea": "Asia/Seoul",
    "seoul": "Asia/Seoul",
    "한국": "Asia/Seoul",
    "한국시간": "Asia/Seoul",
    "서울": "Asia/Seoul",
    "utc": "UTC",
    "gmt": "UTC",
    "z": "UTC",
    "jst": "Asia/Tokyo",
    "hkt": "Asia/Hong_Kong",
    "sgt": "Asia/Singapore",
    "pht": "Asia/Manila",
    "wib": "Asia/Jakarta",
    "ict": "Asia/Bangkok",
    "ist": "Asia/Kolkata",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "bst": "Europe/London",
    "et": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "ct": "America/Chicago",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "mt": "America/Denver",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "pt": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
}

_OFFSET: Final = re.compile(
    r"(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?", re.I
)
_DAY_WORDS: Final[dict[str, int]] = {"today": 0, "오늘": 0, "tomorrow": 1, "내일": 1}
_TIME_ONLY: Final = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?")
_DATE_TIME: Final = re.compile(
    r"(?P<year>\d{4})[-./](?P<month>\d{1,2})[-./](?P<day>\d{1,2})\.?(?:\s+|T)"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?",
    re.I,
)


class WhenError(ValueError):
    """The time can't be used; ``problem`` names why (``bad_time``, ``unknown_timezone``,
    ``past``, ``too_far``, ``skipped``: a local time the clocks jump over)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Zone:
    """A resolved zone and the name it is stored under (IANA key or ``UTC+09:00``)."""

    name: str
    tzinfo: dt.tzinfo


@dataclass(frozen=True, slots=True)
class When:
    at: dt.datetime  # aware, in ``zone``
    zone: Zone

    @property
    def timestamp(self) -> float:
        return self.at.timestamp()

    @property
    def label(self) -> str:
        """The zone as readers know it at that moment: KST, EDT, UTC, else UTC+07:00."""
        name = self.at.tzname() or ""
        if name and name[0] not in "+-":
            return name
        return offset_name(self.at.utcoffset() or dt.timedelta())


def offset_name(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


@cache
def _zone_keys() -> dict[str, str]:
    return {key.lower(): key for key in available_timezones()}


def resolve_zone(name: str | None) -> Zone:
    """``name`` (None or blank: Korea time) as a zone, or :class:`WhenError`."""
    text = (name or "").strip()
    if not text:
        return Zone(DEFAULT_TIMEZONE, ZoneInfo(DEFAULT_TIMEZONE))
    key = ALIASES.get(re.sub(r"\s+", "", text).lower())
    if key is None:
        offset = _OFFSET.fullmatch(text)
        if offset is not None:
            return _fixed(offset)
        key = _zone_keys().get(text.replace(" ", "_").lower())
    if key is None:
        raise WhenError("unknown_timezone")
    try:
        return Zone(key, ZoneInfo(key))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise WhenError("unknown_timezone") from exc


def _fixed(match: re.Match[str]) -> Zone:
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if hours > 14 or minutes >= 60:
        raise WhenError("unknown_timezone")
    offset = dt.timedelta(hours=hours, minutes=minutes)
    if match["sign"] == "-":
        offset = -offset
    return Zone(offset_name(offset), dt.timezone(offset))


def parse_when(text: str, zone_name: str | None, now: dt.datetime) -> When:
    """The moment ``text`` names in the zone ``zone_name``; ``now`` must be aware.

    Refused: a moment not after ``now``, one more than :data:`MAX_AHEAD` away, and a local
    time that does not exist (the hour skipped when clocks go forward). An ambiguous local
    time (the hour repeated when clocks go back) is its first occurrence.
    """
    zone = resolve_zone(zone_name)
    local_now = now.astimezone(zone.tzinfo)
    at = _moment(text.strip(), zone, local_now)
    if at <= now:
        raise WhenError("past")
    if at - now > MAX_AHEAD:
        raise WhenError("too_far")
    return When(at.astimezone(zone.tzinfo), zone)


def _moment(text: str, zone: Zone, local_now: dt.datetime) -> dt.datetime:
    words = text.lower().split(maxsplit=1)
    if len(words) == 2 and words[0] in _DAY_WORDS:
        day = local_now.date() + dt.timedelta(days=_DAY_WORDS[words[0]])
        return _on_day(day, _clock_time(words[1]), zone)
    if _TIME_ONLY.fullmatch(text):
        clock = _clock_time(text)
        today = _on_day(local_now.date(), clock, zone)
        if today > local_now:
            return today
        return _on_day(local_now.date() + dt.timedelta(days=1), clock, zone)
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise WhenError("bad_time")  # a date alone, or words: the answer shows what works
    try:
        day = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError as exc:
        raise WhenError("bad_time") from exc
    clock = _clock_time(match["time"])
    if match["offset"] is None:
        return _on_day(day, clock, zone)
    offset = match["offset"].upper()
    exact = dt.UTC if offset == "Z" else dt.timezone(_offset_delta(offset))
    return dt.datetime.combine(day, clock, exact)  # an explicit offset is an exact moment


def _offset_delta(text: str) -> dt.timedelta:
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes >= 60:
        raise WhenError("bad_time")
    delta = dt.timedelta(hours=hours, minutes=minutes)
    return -delta if text[0] == "-" else delta


def _clock_time(text: str) -> dt.time:
    match = _TIME_ONLY.fullmatch(text.strip())
    if match is None:
        raise WhenError("bad_time")
    try:
        return dt.time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
    except ValueError as exc:
        raise WhenError("bad_time") from exc


def _on_day(day: dt.date, clock: dt.time, zone: Zone) -> dt.datetime:
    return _localize(dt.datetime.combine(day, clock), zone)


def _localize(naive: dt.datetime, zone: Zone) -> dt.datetime:
    at = naive.replace(tzinfo=zone.tzinfo)  # fold=0: the first of a repeated hour
    # A local time in a spring-forward gap does not survive a round trip through UTC.
    back = at.astimezone(dt.UTC).astimezone(zone.tzinfo).replace(tzinfo=None)
    if back != naive:
        raise WhenError("skipped")
    return at
