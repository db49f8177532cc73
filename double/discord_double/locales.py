"""Discord's locale codes (reference.mdx "Locales") and localization-map checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from discord_double.errors import ErrorTree, PathPart

DISCORD_LOCALES = frozenset(
    {
        "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu",
        "nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru",
        "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
    }
)  # fmt: skip


def validate_localizations(
    mapping: Any,
    errors: ErrorTree,
    path: tuple[PathPart, ...],
    min_len: int,
    max_len: int,
    value_check: Callable[[str, tuple[PathPart, ...]], None] | None = None,
) -> None:
    """Keys must be Discord locales; values obey the same length rule as the base field."""
    if mapping is None:
        return
    if not isinstance(mapping, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    for locale, text in mapping.items():
        if locale not in DISCORD_LOCALES:
            errors.add(
                (*path, locale),
                "LOCALE_INVALID",
                f"Invalid locale: {locale!r} is not a valid locale",
            )
            continue
        if text is None:
            continue
        if not isinstance(text, str) or not min_len <= len(text) <= max_len:
            errors.bad_length((*path, locale), min_len, max_len)
        elif value_check is not None:
            value_check(text, (*path, locale))
