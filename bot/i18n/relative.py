"""How long ago something happened ("5 months ago", "5개월 전"), from CLDR data via Babel.

The wording, units and plural forms are Babel's locale data, so a third language is a locale
code, not new rules. A Discord relative timestamp (``<t:…:R>``) shows the same age live in
the client; this text is for the places where Discord does not render one (and for tests
and the console, which read the words).
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_timedelta

from bot.i18n.catalogue import Lang
from bot.i18n.dates import cldr_locale


def time_ago(then: dt.date, today: dt.date, lang: Lang) -> str | None:
    """'5 months ago' for a ``then`` before ``today``; None on the day itself or after it
    (CLDR would say "in 0 days"; the caller words 'today' itself)."""
    if then >= today:
        return None
    return format_timedelta(
        then - today, granularity="day", add_direction=True, locale=cldr_locale(lang)
    )


def unix_day(day: dt.date) -> int:
    """Midnight UTC at the start of ``day``, in Unix seconds (for ``<t:…:R>``)."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
