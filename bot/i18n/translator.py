"""Korean descriptions for slash commands, served from the message catalogue.

Command and option *names* stay English and stable (fans share them; renaming breaks
autocomplete); descriptions and choice labels are translated. Cogs key every string:

    @app_commands.command(description=command_text("Show the cast", "cmd.cast.description"))
    @app_commands.describe(name=command_text("Character or actor", "cmd.cast.opt.name"))
    Choice(name=command_text("Won", "cmd.awards.choice.won"), value="won")

The English text in the code is what Discord shows by default; ``english_mismatches`` lets a
test check that it equals the catalogue's English text, so the catalogue stays the truth.
"""

from __future__ import annotations

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
        if lang is None or context.location not in _TRANSLATED:
            return None
        return self.lookup(string, lang)

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
