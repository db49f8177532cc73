r"""Korean names and descriptions for slash commands, served from the message catalogue.

Option names are localised centrally (``/awards 인물: 시상식: 결과:``): the translator looks up
``param.<english name>`` for every parameter, so cogs need no per-option code, and one
English name gets one Korean name in every command. Korean names are checked against
Discord's rule for names (lowercase, ``^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$``)
before they are sent; a bad one fails at sync, never in a fan's client.

Command names stay English on purpose (a choice, see the report of issue 10): the bot's
own answers, /help and the admins' instructions name commands ("/setup announcements",
"/production retract id:3") for every reader, servers mix languages, and a fan who shares
"/cast" must reach the same command in any client. Descriptions and choice labels are
translated. Cogs key every string:

    @app_commands.command(description=command_text("Show the cast", "cmd.cast.description"))
    @app_commands.describe(name=command_text("Character or actor", "cmd.cast.opt.name"))
    Choice(name=command_text("Won", "cmd.awards.choice.won"), value="won")

The English text in the code is what Discord shows by default; ``english_mismatches`` lets a
test check that it equals the catalogue's English text, so the catalogue stays the truth.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Final

import discord
from discord import app_commands

from bot.i18n.catalogue import Catalogue, Lang

DISCORD_TEXT_MAX: Final = 100  # description and choice-name limit for application commands

_TRANSLATED: Final = frozenset(
    {
        app_commands.TranslationContextLocation.command_description,
        app_commands.TranslationContextLocation.group_description,
        app_commands.TranslationContextLocation.parameter_description,
        app_commands.TranslationContextLocation.choice_name,
    }
)

_LANG_BY_LOCALE: Final[dict[discord.Locale, Lang]] = {discord.Locale.korean: "ko"}

PARAM_PREFIX: Final = "param."  # catalogue keys of localised option names: param.<name>
NAME_MAX: Final = 32


def _is_name_char(char: str) -> bool:
    # Discord's ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$ (Python's re has no \p{...}).
    if char in "-_'" or unicodedata.category(char)[0] in "LN":
        return True
    code = ord(char)
    return 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x0E00 <= code <= 0x0E7F


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid Discord command/option name, or None."""
    if not 1 <= len(name) <= NAME_MAX or not all(_is_name_char(c) for c in name):
        return f"{name!r} has characters Discord does not allow in names, or is too long"
    if name != name.lower():
        return f"{name!r} must be lowercase"
    return None


def command_text(english: str, key: str) -> app_commands.locale_str:
    """A command string with its catalogue key attached (read back by the translator)."""
    return app_commands.locale_str(english, key=key)


def key_of(string: app_commands.locale_str) -> str | None:
    key = string.extras.get("key")
    return key if isinstance(key, str) else None


class CatalogueTranslator(app_commands.Translator):
    """Answers ``ko`` descriptions and choice names from the catalogue; None for the rest."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = _LANG_BY_LOCALE.get(locale)
        if lang is None:
            return None
        if context.location is app_commands.TranslationContextLocation.parameter_name:
            return self.parameter_name(string.message, lang)
        if context.location not in _TRANSLATED:
            return None
        return self.lookup(string, lang)

    def parameter_name(self, english: str, lang: Lang) -> str | None:
        """The localised option name from ``param.<english>``; a name that breaks Discord's
        rule is a ValueError at sync time."""
        key = PARAM_PREFIX + english
        if not self._catalogue.has(key):
            return None
        name = self._catalogue.t(lang, key)
        problem = name_problem(name)
        if problem is not None:
            raise ValueError(f"{key} ({lang}): {problem}")
        return None if name == english else name

    def lookup(self, string: app_commands.locale_str, lang: Lang) -> str | None:
        """The catalogue text for a keyed string; a key the catalogue lacks is a KeyError
        (raised during ``tree.sync``, i.e. before anyone sees an untranslated command)."""
        key = key_of(string)
        if key is None:
            return None
        return self._catalogue.t(lang, key)


def english_mismatches(
    catalogue: Catalogue, strings: Iterable[app_commands.locale_str]
) -> list[str]:
    """Keyed strings whose English default differs from the catalogue, or that are unkeyed."""
    problems: list[str] = []
    for string in strings:
        key = key_of(string)
        if key is None:
            problems.append(f"{string.message!r} has no catalogue key")
        elif not catalogue.has(key):
            problems.append(f"{key}: not in the catalogue")
        elif catalogue.t("en", key) != string.message:
            problems.append(f"{key}: code says {string.message!r}, catalogue differs")
    return problems
