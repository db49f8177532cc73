"""Message catalogues, locale choice, date formats and the slash-command translator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.i18n.catalogue import LANGS, Catalogue, CatalogueError, lang_for, placeholders
from bot.i18n.dates import format_date
from bot.i18n.translator import (
    DISCORD_TEXT_MAX,
    CatalogueTranslator,
    command_text,
    english_mismatches,
)


@pytest.fixture(scope="module")
def texts() -> Catalogue:
    return Catalogue.load()


def _write(directory: Path, en: str, ko: str) -> Path:
    (directory / "en.yaml").write_text(en, encoding="utf-8")
    (directory / "ko.yaml").write_text(ko, encoding="utf-8")
    return directory


# --- key and placeholder parity ---------------------------------------------------------------


def test_shipped_catalogues_have_the_same_keys_and_placeholders(texts: Catalogue) -> None:
    # Loading already enforces parity; check it again explicitly on the raw templates.
    for key in texts.message_keys():
        assert placeholders(texts.raw("en", key)) == placeholders(texts.raw("ko", key)), key
        assert texts.raw("ko", key).strip(), f"{key} is empty in Korean"


def test_a_key_missing_in_korean_fails_loading(tmp_path: Path) -> None:
    _write(tmp_path, "a: A\nb:\n  c: C\n", "a: 가\n")
    with pytest.raises(CatalogueError, match=r"b\.c: missing in ko"):
        Catalogue.load(tmp_path)


def test_a_key_missing_in_english_fails_loading(tmp_path: Path) -> None:
    _write(tmp_path, "a: A\n", "a: 가\nextra: 나\n")
    with pytest.raises(CatalogueError, match="extra: missing in en"):
        Catalogue.load(tmp_path)


def test_different_placeholders_fail_loading(tmp_path: Path) -> None:
    _write(tmp_path, "greet: 'Hello {name}'\n", "greet: '안녕하세요 {user}'\n")
    with pytest.raises(CatalogueError, match="greet: placeholders differ"):
        Catalogue.load(tmp_path)


def test_a_non_text_value_fails_loading(tmp_path: Path) -> None:
    _write(tmp_path, "count: 3\n", "count: 3\n")
    with pytest.raises(CatalogueError, match="count must be text"):
        Catalogue.load(tmp_path)


def test_matching_catalogues_load_and_format(tmp_path: Path) -> None:
    texts = Catalogue.load(
        _write(tmp_path, "greet: 'Hello {name}'\n", "greet: '{name}님 안녕하세요'\n")
    )
    assert texts.t("en", "greet", name="Jae-won") == "Hello Jae-won"
    assert texts.t("ko", "greet", name="재원") == "재원님 안녕하세요"


def test_unknown_key_and_missing_value_are_key_errors(texts: Catalogue) -> None:
    with pytest.raises(KeyError):
        texts.t("en", "no.such.key")
    with pytest.raises(KeyError):
        texts.t("en", "error.unexpected")  # needs {ref}
    assert "ab12cd" in texts.t("en", "error.unexpected", ref="ab12cd")
    assert "ab12cd" in texts.t("ko", "error.unexpected", ref="ab12cd")


def test_generic_error_messages_exist(texts: Catalogue) -> None:
    needed = ["error.unexpected", "error.no_match", "error.not_in_guild", "error.cooldown"]
    assert texts.missing(needed) == []


def test_slash_command_texts_fit_discord_limits(texts: Catalogue) -> None:
    command_keys = [key for key in texts.message_keys() if key.startswith("cmd.")]
    assert command_keys
    for lang in LANGS:
        for key in command_keys:
            assert 1 <= len(texts.t(lang, key)) <= DISCORD_TEXT_MAX, (lang, key)


# --- plural and ordinal forms -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "english"), [(0, "0 ceremonies"), (1, "1 ceremony"), (3, "3 ceremonies")]
)
def test_plural_forms(texts: Catalogue, count: int, english: str) -> None:
    assert texts.plural("en", "awards.tally.ceremonies", count) == english
    assert str(count) in texts.plural("ko", "awards.tally.ceremonies", count)


@pytest.mark.parametrize(
    ("number", "english"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (61, "61st"),
        (111, "111th"),
        (123, "123rd"),
    ],
)
def test_ordinals(texts: Catalogue, number: int, english: str) -> None:
    assert texts.ordinal("en", number) == english
    assert texts.ordinal("ko", number) == f"제{number}회"


# --- language choice --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        ("ko", "ko"),
        ("ko-KR", "ko"),
        ("KO", "ko"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("ja", "en"),
        ("zh-CN", "en"),
        ("", "en"),
        (None, "en"),
        ("kok", "en"),
    ],
)
def test_lang_for_discord_locales(locale: str | None, lang: str) -> None:
    assert lang_for(locale) == lang


def test_lang_for_accepts_discord_locale_objects() -> None:
    assert lang_for(discord.Locale.korean) == "ko"
    assert lang_for(str(discord.Locale.korean)) == "ko"
    assert lang_for(discord.Locale.japanese) == "en"


# --- dates ------------------------------------------------------------------------------------


PREMIERE = dt.date(2025, 1, 24)


def test_dates_in_english() -> None:
    assert format_date(PREMIERE, "en") == "24 January 2025"
    assert format_date(dt.date(2025, 3, 1), "en", "month") == "March 2025"
    assert format_date(PREMIERE, "en", "year") == "2025"


def test_dates_in_korean() -> None:
    assert format_date(PREMIERE, "ko") == "2025년 1월 24일"
    assert format_date(dt.date(2025, 3, 1), "ko", "month") == "2025년 3월"
    assert format_date(PREMIERE, "ko", "year") == "2025년"


def test_counts_plurals_and_ordinals_come_from_cldr(texts: Catalogue) -> None:
    assert texts.plural("en", "awards.tally.nominations", 1) == "1 nomination"
    assert texts.plural("en", "awards.tally.nominations", 1190) == "1,190 nominations"
    assert texts.plural("ko", "awards.tally.nominations", 1) == "후보 1개 부문"
    assert [texts.ordinal("en", n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 61)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "61st",
    ]  # fmt: skip
    assert texts.ordinal("ko", 61) == "제61회"


def test_korean_templates_never_show_two_form_particles(texts: Catalogue) -> None:
    saved = texts.t("ko", "server_setup.language_saved", language="한국어")
    assert saved == "이제 이 서버의 소식은 한국어로 게시돼요."
    english = texts.t("ko", "server_setup.language_saved", language="English")
    assert english.endswith("English로 게시돼요.")
    problem = texts.t("ko", "newsroom.problem.empty", option="이름")
    assert "(" not in problem and "`이름`이 비어" in problem


def test_month_precision_never_shows_a_day() -> None:
    for lang in LANGS:
        shown = format_date(dt.date(2025, 12, 1), lang, "month")
        assert "1일" not in shown
        assert not shown.startswith("1 ")


# --- translator -------------------------------------------------------------------------------


def _context(
    location: app_commands.TranslationContextLocation,
) -> app_commands.TranslationContextTypes:
    return app_commands.TranslationContext(location=location, data=None)


async def test_translator_gives_korean_descriptions_and_choice_names(texts: Catalogue) -> None:
    translator = CatalogueTranslator(texts)
    description = command_text("unused default", "cmd.cast.description")
    where = app_commands.TranslationContextLocation
    for location in (where.command_description, where.parameter_description, where.choice_name):
        got = await translator.translate(description, discord.Locale.korean, _context(location))
        assert got == texts.t("ko", "cmd.cast.description")


async def test_translator_leaves_names_and_other_locales_alone(texts: Catalogue) -> None:
    translator = CatalogueTranslator(texts)
    keyed = command_text("Show the cast", "cmd.cast.description")
    where = app_commands.TranslationContextLocation
    assert (
        await translator.translate(keyed, discord.Locale.korean, _context(where.command_name))
        is None
    )
    assert (
        await translator.translate(keyed, discord.Locale.korean, _context(where.parameter_name))
        is None
    )
    for locale in (discord.Locale.american_english, discord.Locale.japanese):
        got = await translator.translate(keyed, locale, _context(where.command_description))
        assert got is None
    unkeyed = app_commands.locale_str("no key")
    got = await translator.translate(
        unkeyed, discord.Locale.korean, _context(where.command_description)
    )
    assert got is None


async def test_translator_refuses_a_key_the_catalogue_lacks(texts: Catalogue) -> None:
    translator = CatalogueTranslator(texts)
    where = app_commands.TranslationContextLocation
    with pytest.raises(KeyError):
        await translator.translate(
            command_text("x", "cmd.nope.description"),
            discord.Locale.korean,
            _context(where.command_description),
        )


def test_english_defaults_are_checked_against_the_catalogue(texts: Catalogue) -> None:
    good = command_text(texts.t("en", "cmd.show.description"), "cmd.show.description")
    drifted = command_text("Something else", "cmd.show.description")
    unknown = command_text("x", "cmd.nope")
    unkeyed = app_commands.locale_str("plain")
    assert english_mismatches(texts, [good]) == []
    problems = english_mismatches(texts, [drifted, unknown, unkeyed])
    assert len(problems) == 3
