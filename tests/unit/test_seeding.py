"""Seeding the fact tables from the data pack: idempotent, transactional, round-trips exactly,
and never touches anything but the fact tables."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.exc import IntegrityError

from bot.datapack.loader import PackError, load_pack
from bot.datapack.models import Pack, Text
from bot.store.database import Database
from bot.store.facts import (
    FACT_TABLES,
    SEEDED_PACK_HASH,
    NotSeededError,
    has_facts,
    load_pack_from_db,
    pack_hash,
    save_pack,
    seeded_pack_hash,
)
from bot.store.migrate import migrate
from bot.store.seeding import ensure_seeded, seed_from_directory

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def real_pack() -> Pack:
    return load_pack(SEEDS)


@pytest.fixture
def db_path(store_target: Path | str) -> Path:
    """The SQLite file (tests that read the file itself run on SQLite only)."""
    if not isinstance(store_target, Path):
        pytest.skip("compares SQLite file dumps")
    return store_target


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    try:
        await migrate(database)
        yield database
    finally:
        await database.close()


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def full_dump(path: Path) -> list[str]:
    """Every committed schema object and row, as SQL text (a separate, plain connection)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


async def table_rows(db: Database, table: str) -> list[tuple[Any, ...]]:
    rows = await db.fetch_all(f'SELECT * FROM "{table}" ORDER BY 1, 2')
    return [tuple(row) for row in rows]


async def table_names(db: Database) -> list[str]:
    if db.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return [str(row[0]) for row in await db.fetch_all(sql)]


async def fact_contents(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {table: await table_rows(db, table) for table in FACT_TABLES}


async def test_seeding_the_real_pack_stores_every_fact(db: Database, real_pack: Pack) -> None:
    report = await seed_from_directory(db, SEEDS)
    assert report.previous_hash is None and report.changed
    assert report.pack_hash == pack_hash(real_pack) == await seeded_pack_hash(db)
    assert report.counts["people"] == len(real_pack.people)
    assert await db.fetch_value("SELECT count(*) FROM people") == len(real_pack.people)
    assert await db.fetch_value("SELECT count(*) FROM award_entries") == len(real_pack.awards)
    events = sum(len(season.events) for season in real_pack.seasons)
    assert await db.fetch_value("SELECT count(*) FROM season_events") == events
    assert f"{len(real_pack.sources)} sources" in str(report)
    for table in FACT_TABLES:
        assert await db.fetch_value(f'SELECT count(*) FROM "{table}"') > 0, f"{table} is empty"


async def test_the_pack_round_trips_exactly(db: Database, real_pack: Pack) -> None:
    await seed_from_directory(db, SEEDS)
    assert await load_pack_from_db(db) == real_pack


async def test_reseeding_is_idempotent(db: Database) -> None:
    first = await seed_from_directory(db, SEEDS)
    contents = await fact_contents(db)
    second = await seed_from_directory(db, SEEDS)
    assert await fact_contents(db) == contents
    assert second.previous_hash == first.pack_hash == second.pack_hash
    assert not second.changed
    assert "unchanged" in str(second)


async def test_reseeding_replaces_edited_and_removed_facts(db: Database, real_pack: Pack) -> None:
    await save_pack(db, real_pack)
    first, *others = real_pack.characters
    edited_character = first.model_copy(update={"description": Text(en="Edited.", ko="수정됨.")})
    edited = real_pack.model_copy(
        update={"characters": [edited_character, *others], "awards": real_pack.awards[:-1]}
    )
    report = await save_pack(db, edited)
    assert report.changed and report.previous_hash == pack_hash(real_pack)
    assert await load_pack_from_db(db) == edited
    removed = real_pack.awards[-1].id
    assert await db.fetch_value("SELECT count(*) FROM award_entries WHERE id = ?", (removed,)) == 0
    assert (
        await db.fetch_value(
            "SELECT count(*) FROM award_entry_sources WHERE award_entry_id = ?", (removed,)
        )
        == 0
    )


async def test_seeding_never_touches_runtime_tables(db: Database) -> None:
    await seed_from_directory(db, SEEDS)
    async with db.transaction() as conn:
        await conn.execute(
            "CREATE TABLE fan_notes (id INTEGER PRIMARY KEY, guild_id INTEGER, body TEXT) STRICT"
            if db.dialect == "sqlite"
            else "CREATE TABLE fan_notes (id BIGSERIAL PRIMARY KEY, guild_id BIGINT, body TEXT)"
        )
        await conn.executemany(
            "INSERT INTO fan_notes (guild_id, body) VALUES (?, ?)",
            [(1234567890123, "first"), (None, "두 번째")],
        )
        await conn.execute(
            "INSERT INTO meta (key, value) VALUES ('command_tree_hash:1:global', 'abc')"
        )
    others = [table for table in await table_names(db) if table not in FACT_TABLES]
    assert "fan_notes" in others and "meta" in others
    before = {table: await table_rows(db, table) for table in others}
    await seed_from_directory(db, SEEDS)
    after = {table: await table_rows(db, table) for table in others}
    seeded_keys = {SEEDED_PACK_HASH, "seeded_at"}
    for table in others:
        if table == "meta":
            assert [r for r in after[table] if r[0] not in seeded_keys] == [
                r for r in before[table] if r[0] not in seeded_keys
            ]
        else:
            assert after[table] == before[table], f"seeding changed {table}"


async def test_fact_tables_are_exactly_the_seeded_ones(tmp_path: Path) -> None:
    """Every table of the facts migration is cleared by a seed; nothing outside refers into
    them (a foreign key from a runtime table would block or cascade a re-seed)."""
    async with await Database.open(tmp_path / "facts-only.db") as facts_only:
        await migrate(facts_only, target=1)
        tables = {
            row[0]
            for row in await facts_only.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    later = {"topics"}  # a fact table added by a later migration (0006)
    assert tables - {"meta"} == set(FACT_TABLES) - later

    async with await Database.open(tmp_path / "latest.db") as latest:
        await migrate(latest)
        for (table,) in await latest.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ):
            if table in FACT_TABLES:
                continue
            for fk in await latest.fetch_all("SELECT * FROM pragma_foreign_key_list(?)", (table,)):
                assert fk["table"] not in FACT_TABLES, (
                    f"{table} references fact table {fk['table']}"
                )


def break_yaml(seeds: Path) -> str:
    with (seeds / "sources.yaml").open("a", encoding="utf-8") as file:
        file.write("\n  - {id: broken, outlet: [unclosed\n")
    return "sources.yaml"


def edit_yaml(file_name: str, edit: Callable[[dict[str, Any]], None]) -> Callable[[Path], str]:
    def apply(seeds: Path) -> str:
        path = seeds / file_name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return file_name

    return apply


def wrong_type(data: dict[str, Any]) -> None:
    data["characters"][0]["order"] = "first"


def unknown_source(data: dict[str, Any]) -> None:
    data["people"][0]["sources"][0] = "no-such-source-anywhere"


def duplicate_id(data: dict[str, Any]) -> None:
    data["people"].append(dict(data["people"][0]))


BREAKAGES: dict[str, Callable[[Path], str]] = {
    "bad-yaml": break_yaml,
    "wrong-type": edit_yaml("characters.yaml", wrong_type),
    "unknown-source-id": edit_yaml("people.yaml", unknown_source),
    "duplicate-id": edit_yaml("people.yaml", duplicate_id),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
async def test_a_broken_pack_is_rejected_and_the_database_left_untouched(
    db: Database, db_path: Path, seeds_copy: Path, breakage: Callable[[Path], str]
) -> None:
    await seed_from_directory(db, seeds_copy)
    dump = full_dump(db_path)
    broken_file = breakage(seeds_copy)
    with pytest.raises(PackError) as error:
        await seed_from_directory(db, seeds_copy)
    assert broken_file in str(error.value)
    assert full_dump(db_path) == dump


async def test_a_pack_the_tables_reject_changes_nothing(
    db: Database, db_path: Path, real_pack: Pack
) -> None:
    """save_pack is one transaction: a failure half-way leaves the previous facts."""
    await save_pack(db, real_pack)
    dump = full_dump(db_path)
    first, *others = real_pack.awards
    dangling = first.model_copy(update={"sources": ["not-in-the-pack"]})
    unchecked = real_pack.model_copy(update={"awards": [*others, dangling]})  # bypasses load_pack
    with pytest.raises(IntegrityError, match=r"(?i)FOREIGN KEY"):
        await save_pack(db, unchecked)
    assert full_dump(db_path) == dump
    assert await load_pack_from_db(db) == real_pack


async def test_ensure_seeded_seeds_only_an_empty_database(
    db: Database, seeds_copy: Path, real_pack: Pack
) -> None:
    assert not await has_facts(db)
    with pytest.raises(NotSeededError, match="seed"):
        await load_pack_from_db(db)

    report = await ensure_seeded(db, seeds_copy)
    assert report is not None and report.previous_hash is None
    assert await load_pack_from_db(db) == real_pack

    # Later starts keep what is stored, even when seeds/ was edited meanwhile.
    edit_yaml("people.yaml", duplicate_id)(seeds_copy)
    assert await ensure_seeded(db, seeds_copy) is None
    assert await load_pack_from_db(db) == real_pack
