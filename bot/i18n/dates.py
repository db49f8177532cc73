"""Dates written the way each language writes them.

English: 24 January 2025 / January 2025 / 2025 (short: 24 Jan 2025).
Korean:  2025년 1월 24일 / 2025년 1월 / 2025년 (short: 2025. 1. 24.).
These are locale rules (like CLDR patterns), not messages, so they live here and not in
the catalogues. A date known only to the month is never shown with a day.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from bot.i18n.catalogue import Lang

Precision = Literal["day", "month", "year"]

_MONTHS_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(
    d: dt.date, lang: Lang, precision: Precision = "day", *, short: bool = False
) -> str:
    """``d`` for a reader of ``lang``, shown only to ``precision``."""
    if lang == "ko":
        return _korean(d, precision, short=short)
    return _english(d, precision, short=short)


def _english(d: dt.date, precision: Precision, *, short: bool) -> str:
    month = _MONTHS_EN[d.month - 1]
    if short:
        month = month[:3]
    if precision == "year":
        return str(d.year)
    if precision == "month":
        return f"{month} {d.year}"
    return f"{d.day} {month} {d.year}"


def _korean(d: dt.date, precision: Precision, *, short: bool) -> str:
    if precision == "year":
        return f"{d.year}년"
    if precision == "month":
        return f"{d.year}년 {d.month}월"
    if short:
        return f"{d.year}. {d.month}. {d.day}."
    return f"{d.year}년 {d.month}월 {d.day}일"
