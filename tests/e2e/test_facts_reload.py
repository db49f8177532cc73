"""New facts reach the running bot without a restart, in English and Korean: a seed by another
process (`python -m bot seed`) is picked up by the watcher; a maintainer's /production reload
validates seeds/, stores it and serves it; an invalid pack (or facts that no longer load)
changes nothing fans see."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord_double import DiscordDouble
from discord_double.models import Member
from discord_double.permissions import Permission

from bot.i18n.catalogue import lang_for
from bot.store.facts import SEEDED_PACK_HASH
from tests.e2e.fan_helpers import all_text
from tests.e2e.golden import REPO, Golden, golden_settings, start_golden
from tests.e2e.operator_helpers import bot_env, run_cli_async

LOCALES = ["en-US", "ko"]
YANG = "character:yang-jae-won"
ACTOR = "person:choo-young-woo"
OLD = {"en": "high-flying proctology fellow", "ko": "항문외과의 엘리트 펠로우"}
NEW = {"en": "reluctant trauma surgeon in the making", "ko": "마지못해 외상외과의가 되어 가는"}
NICKNAME = "Firstdisciple Yang"
SEEN_WITHIN = 5.0  # seconds from the end of the seed to the new answer (polled once a second)


@pytest.fixture
async def fresh(double: DiscordDouble, tmp_path: Path) -> AsyncIterator[Golden]:
    """The golden bot serving a copy of seeds/ that the test may edit."""
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    guild = double.add_guild("Golden Hour Fans")
    channel = double.add_channel(guild, "general")
    fan = double.add_member(guild, "fan")
    admin = double.add_member(guild, "admin", permissions=Permission.MANAGE_GUILD)
    maintainer = double.add_member(guild, "maintainer")
    database = tmp_path / "golden.sqlite3"
    settings = golden_settings(
        double, database, seeds_dir=seeds, maintainer_ids=frozenset({maintainer.user.id})
    )
    async with start_golden(double, settings) as bot:
        yield Golden(double, bot, guild, channel, fan, admin, maintainer, database)


def seeds_of(golden: Golden) -> Path:
    return golden.services.settings.seeds_dir


def rewrite_yang(seeds: Path) -> None:
    """Yang Jae-won's description, changed in both languages (the YAML stays valid)."""
    path = seeds / "characters.yaml"
    text = path.read_text(encoding="utf-8")
    old_en = (
        "A high-flying proctology fellow who ends up as Baek's very first disciple on the "
        "trauma\n        team."
    )
    assert old_en in text
    text = text.replace(old_en, f"A {NEW['en']}, Baek's very first disciple.")
    old_ko = "항문외과의 엘리트 펠로우. 백강혁의 '제자 1호'가 되어 중증외상팀에 합류한다."
    assert old_ko in text
    text = text.replace(old_ko, f"{NEW['ko']} 백강혁의 '제자 1호'.")
    # And a new name to find him by (autocomplete and the resolver).
    text = text.replace(
        "    name: {en: Yang Jae-won, ko: 양재원}\n",
        f"    name: {{en: Yang Jae-won, ko: 양재원}}\n    variants: [{NICKNAME}]\n",
    )
    path.write_text(text, encoding="utf-8")


def break_pack(seeds: Path) -> None:
    """A typo in one field and a reference to nobody: the loader names file, entry and field."""
    path = seeds / "characters.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    billing: main\n", "    billing: mian\n", 1)
    path.write_text(text, encoding="utf-8")


def stored_hash(database: Path) -> str:
    with sqlite3.connect(database) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (SEEDED_PACK_HASH,)).fetchone()
    return str(row[0])


async def answer_text(golden: Golden, locale: str, name: str = YANG) -> str:
    result = await golden.invoke("cast", {"name": name}, locale=locale)
    assert not result.ephemeral
    return all_text(result.embeds)


async def suggested(golden: Golden, locale: str, typed: str) -> list[str]:
    choices = await golden.autocomplete("cast", {"name": typed}, focused="name", locale=locale)
    return [str(choice["value"]) for choice in choices]


async def reload_reply(golden: Golden, locale: str, user: Member | None = None) -> str:
    result = await golden.invoke(
        "production reload", {}, user=user or golden.maintainer, locale=locale
    )
    assert result.ephemeral
    return result.content  # acknowledged first; the reply replaces "thinking…"


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_seed_by_another_process_is_served_within_seconds(
    fresh: Golden, locale: str
) -> None:
    lang = lang_for(locale)
    # Twice each: the second answers come from the cache of rendered answers.
    for _ in range(2):
        assert OLD[lang] in await answer_text(fresh, locale)
        assert OLD[lang] in await answer_text(fresh, locale, ACTOR)
    assert YANG not in await suggested(fresh, locale, NICKNAME)
    old_hash = stored_hash(fresh.database)
    rewrite_yang(seeds_of(fresh))

    seeded = await run_cli_async(
        "seed", env=bot_env(fresh.database, SEEDS_DIR=str(seeds_of(fresh))), cwd=REPO
    )
    assert seeded.code == 0, seeded.stderr
    assert "changed" in seeded.stdout
    assert stored_hash(fresh.database) != old_hash
    done = time.monotonic()

    while OLD[lang] in (text := await answer_text(fresh, locale)):
        assert time.monotonic() - done < SEEN_WITHIN, "the running bot still serves the old facts"
        await asyncio.sleep(0.05)
    assert NEW[lang] in text
    # Every cached answer went with the old facts: the actor's profile (which quotes the
    # character) and a typed name (the resolver) show the new text too.
    actor = await answer_text(fresh, locale, ACTOR)
    assert NEW[lang] in actor and OLD[lang] not in actor
    typed = await answer_text(fresh, locale, "Yang Jae-won")
    assert NEW[lang] in typed and OLD[lang] not in typed
    assert (await suggested(fresh, locale, NICKNAME))[0] == YANG
    assert fresh.services.facts.pack_hash == stored_hash(fresh.database)


@pytest.mark.parametrize("locale", LOCALES)
async def test_production_reload_serves_a_valid_pack_at_once(fresh: Golden, locale: str) -> None:
    texts, lang = fresh.services.texts, lang_for(locale)
    assert OLD[lang] in await answer_text(fresh, locale)
    rewrite_yang(seeds_of(fresh))

    reply = await reload_reply(fresh, locale)

    new_hash = stored_hash(fresh.database)
    assert reply == texts.t(lang, "newsroom.reload_done", hash=new_hash[:12])
    text = await answer_text(fresh, locale)  # no waiting: served when the reply came
    assert NEW[lang] in text and OLD[lang] not in text
    assert fresh.services.facts.pack_hash == new_hash
    # Nothing new in seeds/: a second reload says so and changes nothing.
    again = await reload_reply(fresh, locale)
    assert again == texts.t(lang, "newsroom.reload_unchanged", hash=new_hash[:12])


@pytest.mark.parametrize("locale", LOCALES)
async def test_production_reload_of_an_invalid_pack_changes_nothing_and_says_why(
    fresh: Golden, locale: str, caplog: pytest.LogCaptureFixture
) -> None:
    texts, lang = fresh.services.texts, lang_for(locale)
    old_hash = stored_hash(fresh.database)
    rewrite_yang(seeds_of(fresh))
    break_pack(seeds_of(fresh))
    caplog.set_level(logging.INFO)

    reply = await reload_reply(fresh, locale)

    lead = texts.t(
        lang,
        "newsroom.reload_refused",
        problems=texts.plural(lang, "newsroom.pack_problems", 1),
        hash=old_hash[:12],
    )
    assert reply.startswith(lead)
    # The loader's own words: file (inside seeds/), entry and field.
    assert "characters.yaml: characters[0] (id 'baek-kang-hyuk') → billing:" in reply
    assert str(seeds_of(fresh)) not in reply
    assert len(reply) <= 2000
    assert stored_hash(fresh.database) == old_hash
    text = await answer_text(fresh, locale)
    assert OLD[lang] in text and NEW[lang] not in text
    refused = [r for r in caplog.records if r.name == "bot.facts_reload"]
    assert len(refused) == 1
    assert "refused" in refused[0].getMessage() and "billing" in refused[0].getMessage()


async def test_only_maintainers_may_reload(fresh: Golden) -> None:
    texts = fresh.services.texts
    old_hash = stored_hash(fresh.database)
    rewrite_yang(seeds_of(fresh))
    for locale in LOCALES:
        reply = await reload_reply(fresh, locale, user=fresh.admin)
        assert reply == texts.t(lang_for(locale), "newsroom.not_maintainer")
    assert stored_hash(fresh.database) == old_hash
    assert OLD["en"] in await answer_text(fresh, "en-US")


async def test_facts_that_no_longer_load_keep_the_old_ones_served(
    fresh: Golden, caplog: pytest.LogCaptureFixture
) -> None:
    """Defensive: rows a seed would never write (here an empty name) under a new hash."""
    caplog.set_level(logging.INFO)
    with sqlite3.connect(fresh.database) as conn:
        conn.execute("UPDATE characters SET name_en = '' WHERE id = 'yang-jae-won'")
        conn.execute("UPDATE meta SET value = 'broken' || value WHERE key = ?", (SEEDED_PACK_HASH,))
    await asyncio.sleep(3.5)  # three looks by the watcher

    for locale in LOCALES:
        assert OLD[lang_for(locale)] in await answer_text(fresh, locale)
    failures = [r for r in caplog.records if r.name == "bot.facts_reload"]
    assert len(failures) == 1, [r.getMessage() for r in failures]
    assert "still serving pack" in failures[0].getMessage()
    assert "\n" not in failures[0].getMessage() and failures[0].exc_info is None
