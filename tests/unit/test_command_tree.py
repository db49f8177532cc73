"""The command tree as Discord will receive it: every cog loads, names follow Discord's
rules, every description and choice label has its catalogue key (English equal to the
catalogue, Korean present in the translated payload), and each command stays within
Discord's 8,000-character budget."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.app import GoldenHourBot, discover_extensions
from bot.i18n.catalogue import Catalogue
from bot.i18n.translator import CatalogueTranslator, english_mismatches
from bot.services import FactIndex, Services
from bot.settings import Settings
from bot.store.database import Database
from bot.store.facts import load_pack_from_db
from bot.store.migrate import migrate
from bot.store.seeding import ensure_seeded

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ADMIN_GUILD = 424242
FAN_COMMANDS = {"cast", "awards", "renewal", "show", "help"}
# Discord: ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$, lowercase where a lowercase exists.
# Our names are English, so the ASCII subset is the rule (stricter, never looser).
NAME_RULE = re.compile(r"^[-_'a-z0-9]{1,32}$")
COMMAND_CHARS_MAX = 8000
DESCRIPTION_MAX = 100
KEYED_LOCATIONS = {
    app_commands.TranslationContextLocation.command_description,
    app_commands.TranslationContextLocation.group_description,
    app_commands.TranslationContextLocation.parameter_description,
    app_commands.TranslationContextLocation.choice_name,
}


class RecordingTranslator(CatalogueTranslator):
    """The real translator, remembering every description and choice label it was asked."""

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__(catalogue)
        self.seen: dict[tuple[str, str | None], app_commands.locale_str] = {}

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if context.location in KEYED_LOCATIONS:
            self.seen[(string.message, string.extras.get("key"))] = string
        return await super().translate(string, locale, context)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[GoldenHourBot]:
    settings = Settings(
        _env_file=None,
        database_path=tmp_path / "tree.sqlite3",
        seeds_dir=SEEDS,
        admin_guild_id=ADMIN_GUILD,
    )
    db = await Database.open(settings.database_path)
    try:
        await migrate(db)
        await ensure_seeded(db, SEEDS)
        facts = FactIndex.build(await load_pack_from_db(db))
        services = Services(settings=settings, db=db, texts=Catalogue.load(), facts=facts)
        client = GoldenHourBot(services, sync_on_start=False)
        async with client:
            await client.setup_hook()  # loads every cog, as at start-up (no login needed)
            yield client
    finally:
        await db.close()


def scopes() -> list[discord.Object | None]:
    return [None, discord.Object(ADMIN_GUILD)]


async def payloads(bot: GoldenHourBot, translator: CatalogueTranslator) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for guild in scopes():
        for command in bot.tree.get_commands(guild=guild):
            found.append(await command.get_translated_payload(bot.tree, translator))
    return found


def walk_options(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for option in payload.get("options", []):
        yield option
        yield from walk_options(option)


def longest(payload: dict[str, Any], field: str) -> int:
    texts = [payload.get(field) or ""]
    texts += list((payload.get(f"{field}_localizations") or {}).values())
    return max(len(text) for text in texts)


def command_chars(payload: dict[str, Any]) -> int:
    """Discord's count: names, descriptions, choice names and values, longest localization."""
    total = longest(payload, "name") + longest(payload, "description")
    for option in walk_options(payload):
        total += longest(option, "name") + longest(option, "description")
        for choice in option.get("choices", []):
            total += longest(choice, "name") + len(str(choice["value"]))
    return total


async def test_every_cog_loads_and_the_fan_commands_exist(bot: GoldenHourBot) -> None:
    assert set(bot.extensions) == set(discover_extensions())
    assert {"cogs.cast", "cogs.awards", "cogs.renewal", "cogs.info"} <= set(bot.extensions)
    names = {command.name for command in bot.tree.get_commands()}
    assert names >= FAN_COMMANDS


async def test_names_follow_discords_rules_and_are_unique(bot: GoldenHourBot) -> None:
    problems: list[str] = []
    for guild in scopes():
        payload = await payloads_plain(bot, guild)
        names = [command["name"] for command in payload]
        if len(names) != len(set(names)):
            problems.append(f"duplicate command names in {guild}: {sorted(names)}")
        for command in payload:
            problems += name_problems(command)
    assert not problems, "\n".join(problems)


async def payloads_plain(bot: GoldenHourBot, guild: discord.Object | None) -> list[dict[str, Any]]:
    return [command.to_dict(bot.tree) for command in bot.tree.get_commands(guild=guild)]


def name_problems(command: dict[str, Any], path: str = "") -> list[str]:
    where = f"{path}/{command['name']}"
    problems = [] if NAME_RULE.fullmatch(command["name"]) else [f"{where}: invalid name"]
    if not 1 <= len(command.get("description") or "") <= DESCRIPTION_MAX:
        problems.append(f"{where}: description must be 1-{DESCRIPTION_MAX} characters")
    options = command.get("options", [])
    option_names = [option["name"] for option in options]
    if len(option_names) != len(set(option_names)):
        problems.append(f"{where}: duplicate option names {option_names}")
    if len(options) > 25:
        problems.append(f"{where}: {len(options)} options > 25")
    for option in options:
        problems += name_problems(option, where)
        for choice in option.get("choices", []):
            if not 1 <= len(choice["name"]) <= DESCRIPTION_MAX:
                problems.append(f"{where}/{option['name']}: choice name {choice['name']!r}")
    return problems


async def test_english_texts_are_the_catalogues_and_korean_is_complete(
    bot: GoldenHourBot,
) -> None:
    translator = RecordingTranslator(bot.services.texts)
    found = await payloads(bot, translator)
    assert translator.seen, "the translator was never asked for a description"
    assert english_mismatches(bot.services.texts, translator.seen.values()) == []
    missing: list[str] = []
    for command in found:
        missing += missing_korean(command)
    assert not missing, "no Korean text for:\n" + "\n".join(missing)


def missing_korean(command: dict[str, Any], path: str = "") -> list[str]:
    where = f"{path}/{command['name']}"
    missing = []
    if "ko" not in (command.get("description_localizations") or {}):
        missing.append(f"{where} description")
    for option in command.get("options", []):
        missing += missing_korean(option, where)
        is_subcommand = option.get("type") in (1, 2)  # command names stay English (translator)
        if not is_subcommand and "ko" not in (option.get("name_localizations") or {}):
            missing.append(f"{where}/{option['name']} name")
        for choice in option.get("choices", []):
            if "ko" not in (choice.get("name_localizations") or {}):
                missing.append(f"{where}/{option['name']} choice {choice['name']!r}")
    return missing


async def test_translated_commands_pass_discords_rules_in_the_double(
    bot: GoldenHourBot,
) -> None:
    from discord_double.command_rules import validate_commands
    from discord_double.errors import ErrorTree

    found = await payloads(bot, CatalogueTranslator(bot.services.texts))
    errors = ErrorTree()
    validate_commands(found, errors)
    assert errors.empty, errors.flat()
    awards = next(c for c in found if c["name"] == "awards")
    names = {o["name"]: o["name_localizations"]["ko"] for o in awards["options"]}
    assert names == {"who": "인물", "ceremony": "시상식", "result": "결과"}


def test_a_bad_korean_option_name_fails_at_sync(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text('param:\n  who: "who"\n', encoding="utf-8")
    (tmp_path / "ko.yaml").write_text('param:\n  who: "누구 인가"\n', encoding="utf-8")
    translator = CatalogueTranslator(Catalogue.load(tmp_path))
    with pytest.raises(ValueError, match=r"param\.who"):
        translator.parameter_name("who", "ko")
    assert translator.parameter_name("season", "ko") is None  # no key: Discord shows English


async def test_each_translated_command_fits_discords_budget(bot: GoldenHourBot) -> None:
    found = await payloads(bot, CatalogueTranslator(bot.services.texts))
    sizes = {command["name"]: command_chars(command) for command in found}
    print("command sizes (chars):", sizes)
    assert all(size <= COMMAND_CHARS_MAX for size in sizes.values()), sizes


async def test_fan_command_options_are_what_fans_type(bot: GoldenHourBot) -> None:
    """The option names and kinds fans rely on (they share them; renaming breaks habits)."""
    by_name = {c["name"]: c for c in await payloads_plain(bot, None)}
    options = {
        name: {o["name"]: (o["type"], o.get("autocomplete", False)) for o in walk_options(c)}
        for name, c in by_name.items()
        if name in FAN_COMMANDS
    }
    string, integer = 3, 4
    assert options["cast"] == {"name": (string, True)}
    assert options["awards"] == {
        "who": (string, True),
        "ceremony": (string, True),
        "result": (string, False),
    }
    assert options["renewal"] == {"season": (integer, False)}
    assert options["show"] == {} and options["help"] == {}
    result = next(o for o in walk_options(by_name["awards"]) if o["name"] == "result")
    assert [c["value"] for c in result["choices"]] == ["won", "nominated", "all"]
    assert not any(o.get("required") for c in options for o in walk_options(by_name[c]))
