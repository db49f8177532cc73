"""Dates, numbers and plural/ordinal categories from CLDR data (through Babel).

One date style per language, everywhere: English ``24 January 2025`` (CLDR en_GB long),
Korean ``2025년 1월 24일`` (CLDR ko long). A date known only to the month or the year is
never shown with a day (``January 2025`` / ``2025년 1월``; ``2025`` / ``2025년``).
A third language is a row in ``_LOCALES`` and a catalogue file, not new rules.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from typing import Final, Literal

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal

Precision = Literal["day", "month", "year"]

# Our language → the CLDR locale whose conventions we follow (day-month-year English).
_LOCALES: Final[dict[str, str]] = {"en": "en_GB", "ko": "ko"}
_SKELETON: Final[dict[Precision, str]] = {"month": "yMMMM", "year": "y"}


@cache
def cldr_locale(lang: str) -> Locale:
    return Locale.parse(_LOCALES.get(lang, lang))


# Cached: Babel takes ~50 µs a call and cards repeat the same few hundred dates and counts.
@lru_cache(maxsize=4096)
def format_date(d: dt.date, lang: str, precision: Precision = "day") -> str:
    """``d`` for a reader of ``lang``, shown only to ``precision`` (one style per language)."""
    locale = cldr_locale(lang)
    if precision == "day":
        return _babel_date(d, format="long", locale=locale)
    return format_skeleton(_SKELETON[precision], d, locale=locale)


@lru_cache(maxsize=4096)
def format_number(n: int, lang: str) -> str:
    """``12,345`` in both languages today; the locale's grouping in general."""
    return format_decimal(n, locale=cldr_locale(lang))


@lru_cache(maxsize=4096)
def plural_form(n: int, lang: str) -> str:
    """The CLDR cardinal category: English 'one'/'other', Korean always 'other'."""
    return str(cldr_locale(lang).plural_form(n))


@lru_cache(maxsize=4096)
def ordinal_form(n: int, lang: str) -> str:
    """The CLDR ordinal category: English 'one' (1st), 'two', 'few' (3rd), 'other'."""
    return str(cldr_locale(lang).ordinal_form(n))
