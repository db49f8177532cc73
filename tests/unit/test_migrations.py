"""Schema migrations: from an empty file, from every earlier version, and the refusals.

The upgrade test is generic: it covers every migration file shipped, so a new migration is
tested from each earlier version automatically. Its author only adds representative rows for
the version just before it to ROWS_AT_VERSION (the test says so when they are missing).

Most tests run on both engines (``store_target``): SQLite with bot/store/migrations/*.sql,
PostgreSQL with bot/store/migrations/postgresql/*.sql and the same rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.store.database import Database
from bot.store.migrate import (
    Migration,
    MigrationError,
    available_migrations,
    current_version,
    latest_version,
    migrate,
    split_statements,
)

# One or more rows in every table that exists at a version, written against that version's
# schema (which never changes once shipped), so upgrades are tested with data in place.
ROWS_V1 = """
        INSERT INTO meta VALUES ('seeded_pack_hash', 'abc123'), ('command_tree_hash:1:global', 'f');
        INSERT INTO sources VALUES
            ('src-a', 0, 'Outlet A', 'A title', 'https://example.org/a', '2025-01-24', NULL, 1),
            ('src-b', 1, 'Outlet B', 'B title', 'https://example.org/b', NULL, 'undated', 0);
        INSERT INTO people VALUES
            ('actor-a', 0, 'Actor A', '배우', '["Actor Ay"]', '["actor"]'),
            ('maker-b', 1, 'Maker B', '제작', '[]', '["director", "writer", "author"]');
        INSERT INTO person_sources VALUES ('actor-a', 0, 'src-a'), ('maker-b', 0, 'src-b');
        INSERT INTO show VALUES (1, 'Show', '쇼', '["Other"]', '2025-01-24', 8, 'Netflix', 190,
            'note', '노트', 'Hospital', '병원', 'maker-b', 'maker-b', 'Novel', '소설',
            'maker-b', NULL, 'Web novel', '웹소설');
        INSERT INTO show_sources VALUES (0, 'src-a'), (1, 'src-b');
        INSERT INTO source_work_sources VALUES (0, 'src-b');
        INSERT INTO production_companies VALUES (0, 'Studio', '스튜디오');
        INSERT INTO figures VALUES ('views', 0, 'Views', '조회', '1M', '100만', 'reported');
        INSERT INTO figure_sources VALUES ('views', 0, 'src-a');
        INSERT INTO characters VALUES ('hero', 0, 'Hero', '영웅', '[]', '["Dr."]', 'A surgeon',
            '외과의', 'actor-a', 'main', 1);
        INSERT INTO character_sources VALUES ('hero', 0, 'src-a');
        INSERT INTO ceremonies VALUES ('gala-1', 0, 'Gala', '시상식', 1, '2025-05-05', NULL, NULL);
        INSERT INTO ceremony_sources VALUES ('gala-1', 0, 'src-b');
        INSERT INTO award_entries VALUES
            ('gala-1-actor', 0, 'gala-1', 'Best Actor', '남자 최우수', 'actor-a', 0, 'hero',
             'won', NULL, NULL),
            ('gala-1-drama', 1, 'gala-1', 'Best Drama', '작품상', NULL, 1, NULL, 'nominated',
             'Won by another', '다른 작품 수상');
        INSERT INTO award_entry_sources VALUES
            ('gala-1-actor', 0, 'src-b'), ('gala-1-drama', 0, 'src-b');
        INSERT INTO seasons VALUES (1, 0, 8), (2, 1, NULL);
        INSERT INTO season_events VALUES
            ('s1-out', 1, 0, '2025-01-24', 'day', NULL, 'Out', '공개', 'released', 'official',
             NULL, NULL, NULL, NULL),
            ('s2-plan', 2, 0, '2025-12-01', 'month', 'about', 'Plan', '계획', 'renewed',
             'reported', 'Filming', '촬영', 'filming', '2026-08-31');
        INSERT INTO season_event_sources VALUES ('s1-out', 0, 'src-a'), ('s2-plan', 0, 'src-b');
    """
ROWS_AT_VERSION: dict[int, str] = {
    1: ROWS_V1,
    2: ROWS_V1
    + """
        INSERT INTO guild_settings (guild_id, channel_id, channel_kind, role_id, language,
            created_at, updated_at) VALUES (11, 12, 'announcement', 13, 'ko', 1.0, 1.0);
        INSERT INTO production_updates (update_id, preview_token, author_id, title_en, body_en,
            confidence, created_at) VALUES (1, 'preview-token-1', 5, 'Title', 'Body',
            'reported', 1.0);
        INSERT INTO production_previews (token, author_id, title_en, body_en, confidence,
            created_at, expires_at, state, update_id) VALUES ('preview-token-1', 5, 'Title',
            'Body', 'reported', 1.0, 901.0, 'published', 1);
        INSERT INTO production_deliveries (update_id, guild_id, channel_id, channel_kind,
            language, status, next_attempt_at, nonce, wanted_revision, crosspost,
            crosspost_next_at, updated_at) VALUES (1, 11, 12, 'announcement', 'ko', 'failed',
            1.0, '123456789', 1, 'none', NULL, 1.0);
    """,
}
# Version 3 only added a column (production_deliveries.send_attempted_at, NULL for old rows).
ROWS_AT_VERSION[3] = ROWS_AT_VERSION[2]
# Version 4 replaced sources.official with kind (and outlet_ko) and gave events quotes.
ROWS_AT_VERSION[4] = (
    ROWS_AT_VERSION[3]
    .replace("'2025-01-24', NULL, 1),", "'2025-01-24', NULL, 'official', NULL),")
    .replace("NULL, 'undated', 0);", "NULL, 'undated', 'press', '아웃렛');")
    .replace("NULL, NULL, NULL, NULL),", "NULL, NULL, NULL, NULL, NULL, NULL, NULL),")
    .replace("'filming', '2026-08-31');", "'filming', '2026-08-31', 'ko', 'Said', '말');")
)

# Version 5 added welcomed_guilds (one greeting per join).
ROWS_AT_VERSION[5] = (
    ROWS_AT_VERSION[4]
    + """
        INSERT INTO welcomed_guilds VALUES (11, '2026-01-01T00:00:00+00:00',
            '2026-01-01T00:00:01+00:00');
    """
)

# Version 6 added topics and per-topic roles (topics themselves are seeded facts).
ROWS_AT_VERSION[6] = (
    ROWS_AT_VERSION[5]
    + """
        INSERT INTO topics VALUES ('season-news', 0, 'News', '소식', 'About', '설명');
        INSERT INTO guild_topic_roles (guild_id, topic, role_id, created_by_bot, updated_at)
            VALUES (11, 'season-news', 13, 0, 1.0);
    """
)

# Version 7 added the language choice, corrections as previews and retraction confirmations.
ROWS_AT_VERSION[7] = (
    ROWS_AT_VERSION[6]
    + """
        INSERT INTO production_retractions (token, update_id, revision, author_id, reason,
            created_at, expires_at, state) VALUES ('retract-token-1', 1, 1, 5, 'Wrong', 1.0,
            901.0, 'cancelled');
    """
)

# Version 8 added scheduled posts and corrections.
ROWS_AT_VERSION[8] = (
    ROWS_AT_VERSION[7]
    + """
        INSERT INTO production_schedules (token, kind, author_id, title_en, body_en,
            confidence, due_at, timezone, state, draft_expires_at, created_at, updated_at)
            VALUES ('schedule-token-1', 'post', 5, 'Title', 'Body', 'unconfirmed', 2000.0,
            'Asia/Seoul', 'scheduled', 901.0, 1.0, 1.0);
    """
)

# Version 9 added the sender lease and the shared IDENTIFY slots.
ROWS_AT_VERSION[9] = (
    ROWS_AT_VERSION[8]
    + """
        INSERT INTO sender_lease VALUES ('sender', 'host:42:1.0:abc:1', 1.0, 16.0, 1);
        INSERT INTO identify_slots VALUES (0, 1.0);
    """
)

# Columns that hold Discord ids must be INTEGER snowflakes, in every migration.
DISCORD_ID_COLUMNS = {
    "guild_id",
    "channel_id",
    "role_id",
    "message_id",
    "user_id",
    "author_id",
    "application_id",
}


async def open_db(path: Path | str) -> Database:
    return await Database.open(path)


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await open_db(store_target)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def second_target(store_target: Path | str, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """Another empty database on the same engine (a fresh one to compare with)."""
    if isinstance(store_target, Path):
        yield store_target.with_name("fresh.db")
        return
    cluster = request.getfixturevalue("postgres_cluster")
    url = str(cluster.create_database())
    yield url
    cluster.drop_database(url)


def strict(db: Database) -> str:
    return " STRICT" if db.dialect == "sqlite" else ""


_PG_SCHEMA = """
    SELECT 'column', table_name, column_name,
        concat_ws(' ', data_type, is_nullable, column_default)
    FROM information_schema.columns WHERE table_schema = current_schema()
    UNION ALL
    SELECT 'index', tablename, indexname, indexdef FROM pg_indexes
    WHERE schemaname = current_schema()
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
    ORDER BY 1, 2, 3
"""


async def schema(db: Database) -> list[tuple[str, str, str, str | None]]:
    if db.dialect == "sqlite":
        sql = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    else:
        sql = _PG_SCHEMA
    rows = await db.fetch_all(sql)
    return [(row[0], row[1], row[2], row[3]) for row in rows]


async def user_tables(db: Database) -> list[str]:
    if db.dialect == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    else:  # the runner's schema_version is not a table of the migrations
        sql = (
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename <> 'schema_version' ORDER BY tablename"
        )
    return [row[0] for row in await db.fetch_all(sql)]


async def set_version(db: Database, version: int) -> None:
    async with db.transaction() as conn:
        if db.dialect == "sqlite":
            await conn.execute(f"PRAGMA user_version = {version:d}")
        else:
            await conn.execute("UPDATE schema_version SET version = ?", (version,))


async def row_counts(db: Database) -> dict[str, int]:
    return {
        table: int(await db.fetch_value(f'SELECT count(*) FROM "{table}"'))
        for table in await user_tables(db)
    }


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
async def test_migrations_are_numbered_without_gaps(dialect: str) -> None:
    versions = [migration.version for migration in available_migrations(dialect)]
    assert versions == list(range(1, len(versions) + 1))
    assert latest_version(dialect) == len(versions) >= 1


def test_both_engines_have_the_same_migrations() -> None:
    """Every migration exists for both engines, with the same number and name."""
    sqlite = [migration.label for migration in available_migrations("sqlite")]
    postgresql = [migration.label for migration in available_migrations("postgresql")]
    assert sqlite == postgresql


async def test_empty_file_migrates_to_latest(db: Database) -> None:
    assert await current_version(db) == 0
    assert await migrate(db) == latest_version()
    assert await current_version(db) == latest_version()
    assert "meta" in await user_tables(db)
    # Running again is a no-op.
    before = await schema(db)
    assert await migrate(db) == latest_version()
    assert await schema(db) == before


async def test_every_table_is_strict_and_discord_ids_are_integers(tmp_path: Path) -> None:
    async with await open_db(tmp_path / "golden.db") as db:
        await every_table_is_strict_and_discord_ids_are_integers(db)


async def test_postgresql_discord_ids_are_64_bit(postgres_url: str) -> None:
    async with await open_db(postgres_url) as db:
        await migrate(db)
        rows = await db.fetch_all(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
    ids = [row for row in rows if row["column_name"] in DISCORD_ID_COLUMNS]
    assert ids, "no Discord id columns found"
    for row in ids:
        assert row["data_type"] == "bigint", f"{row['table_name']}.{row['column_name']}"


async def every_table_is_strict_and_discord_ids_are_integers(db: Database) -> None:
    await migrate(db)
    for table in await user_tables(db):
        strict = await db.fetch_value(
            "SELECT strict FROM pragma_table_list WHERE name = ?", (table,)
        )
        assert strict == 1, f"table {table} is not STRICT"
        for column in await db.fetch_all("SELECT name, type FROM pragma_table_info(?)", (table,)):
            if column["name"] in DISCORD_ID_COLUMNS:
                assert column["type"] == "INTEGER", f"{table}.{column['name']} is not INTEGER"


@pytest.mark.parametrize("start", range(latest_version()))
async def test_upgrade_from_every_earlier_version(
    store_target: Path | str, second_target: Path | str, start: int
) -> None:
    """Build a database at `start`, fill it, upgrade it in a later run, compare with a fresh one."""
    path = store_target
    async with await open_db(path) as old:
        assert await migrate(old, target=start) == start
        if start > 0:
            rows = ROWS_AT_VERSION.get(start)
            if rows is None:
                pytest.fail(
                    f"add representative rows for schema version {start} to ROWS_AT_VERSION"
                )
            async with old.transaction() as conn:
                for statement in split_statements(rows):
                    await conn.execute(statement)
            empty = [table for table, count in (await row_counts(old)).items() if count == 0]
            assert not empty, f"ROWS_AT_VERSION[{start}] leaves tables empty: {empty}"
        counts_before = await row_counts(old)

    async with await open_db(path) as upgraded, await open_db(second_target) as fresh:
        assert await migrate(upgraded) == latest_version()
        assert await migrate(fresh) == latest_version()
        assert await schema(upgraded) == await schema(fresh)
        counts_after = await row_counts(upgraded)
        for table, count in counts_before.items():
            assert counts_after.get(table) == count, f"rows of {table} lost in the upgrade"
        if upgraded.dialect == "sqlite":  # PostgreSQL checks every foreign key as it goes
            assert await upgraded.fetch_all("PRAGMA foreign_key_check") == []
            assert await upgraded.fetch_value("PRAGMA integrity_check") == "ok"


async def test_source_kinds_keep_what_official_said(store_target: Path | str) -> None:
    """0004: a source saved as official becomes kind 'official', any other 'press'."""
    async with await open_db(store_target) as db:
        assert await migrate(db, target=3) == 3
        async with db.transaction() as conn:
            for statement in split_statements(ROWS_AT_VERSION[3]):
                await conn.execute(statement)
        assert await migrate(db, target=4) == 4
        rows = await db.fetch_all("SELECT id, kind, outlet_ko FROM sources ORDER BY id")
        assert [tuple(row) for row in rows] == [
            ("src-a", "official", None),
            ("src-b", "press", None),
        ]
        quotes = await db.fetch_all("SELECT quote_original FROM season_events")
        assert [row[0] for row in quotes] == [None, None]


async def test_topics_reach_a_database_seeded_before_them(
    store_target: Path | str, second_target: Path | str
) -> None:
    """0006: a seeded database gets the default topics until its next seed; servers keep
    one role for every topic, and older updates have no topic."""
    async with await open_db(store_target) as db:
        assert await migrate(db, target=5) == 5
        async with db.transaction() as conn:
            for statement in split_statements(ROWS_AT_VERSION[5]):
                await conn.execute(statement)
        assert await migrate(db, target=6) == 6
        topics = await db.fetch_all("SELECT id FROM topics ORDER BY position")
        assert [row[0] for row in topics] == ["season-news", "cast-awards", "events"]
        assert await db.fetch_value("SELECT topic_roles FROM guild_settings") == "one"
        assert await db.fetch_value("SELECT topic FROM production_updates") is None
    async with await open_db(second_target) as fresh:
        await migrate(fresh)
        assert await fresh.fetch_value("SELECT count(*) FROM topics") == 0


async def test_a_newer_database_is_refused(db: Database) -> None:
    await migrate(db)
    newer = latest_version() + 1
    await set_version(db, newer)
    before = await schema(db)
    with pytest.raises(MigrationError, match=rf"version {newer}.*only knows.*{latest_version()}"):
        await migrate(db)
    assert await current_version(db) == newer
    assert await schema(db) == before


async def test_targets_outside_the_known_range_are_refused(db: Database) -> None:
    await migrate(db)
    with pytest.raises(MigrationError, match="only go forward"):
        await migrate(db, target=0)
    with pytest.raises(MigrationError, match="cannot migrate"):
        await migrate(db, target=latest_version() + 1)
    assert await current_version(db) == latest_version()


async def test_a_failing_migration_changes_nothing(db: Database) -> None:
    good = Migration(1, "good", f"CREATE TABLE kept (id INTEGER PRIMARY KEY){strict(db)};")
    bad = Migration(
        2,
        "bad",
        f"CREATE TABLE half (id INTEGER PRIMARY KEY){strict(db)};\nINSERT INTO missing VALUES (1);",
    )
    said = (
        "no such table: missing" if db.dialect == "sqlite" else 'relation "missing" does not exist'
    )
    with pytest.raises(MigrationError, match=rf"0002_bad failed: {said}\n  in: INSERT INTO"):
        await migrate(db, migrations=[good, bad])
    assert await current_version(db) == 1
    assert await user_tables(db) == ["kept"]


async def test_a_migration_breaking_foreign_keys_is_rolled_back(db: Database) -> None:
    parent = Migration(
        1,
        "tables",
        f"CREATE TABLE parent (id INTEGER PRIMARY KEY){strict(db)};\n"
        f"CREATE TABLE child (parent_id INTEGER REFERENCES parent (id)){strict(db)};",
    )
    orphan = Migration(2, "orphan", "INSERT INTO child VALUES (7);")
    with pytest.raises(MigrationError, match="foreign key"):
        await migrate(db, migrations=[parent, orphan])
    assert await current_version(db) == 1
    assert await db.fetch_value("SELECT count(*) FROM child") == 0


async def test_gaps_in_numbering_are_refused(db: Database) -> None:
    with pytest.raises(MigrationError, match="without gaps"):
        await migrate(db, migrations=[Migration(2, "skipped_one", "SELECT 1;")])
    assert await current_version(db) == 0


async def test_two_processes_migrating_at_once_both_succeed(store_target: Path | str) -> None:
    path = store_target
    async with await open_db(path) as first, await open_db(path) as second:
        versions = await asyncio.gather(migrate(first), migrate(second))
        assert list(versions) == [latest_version(), latest_version()]


def test_split_statements_respects_strings_comments_and_triggers() -> None:
    script = """
        -- a comment; with a semicolon and an apostrophe: it's fine
        CREATE TABLE a (x TEXT DEFAULT ';');  /* block; comment */
        INSERT INTO a VALUES ('it''s; one'); INSERT INTO a VALUES ('two');
        CREATE TRIGGER t AFTER INSERT ON a BEGIN
            INSERT INTO a VALUES ('from trigger;');
        END;
        -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 4
    assert statements[1].startswith("/* block; comment */")
    assert statements[1].endswith("VALUES ('it''s; one');")
    assert statements[2] == "INSERT INTO a VALUES ('two');"
    assert statements[3].endswith("END;")


def test_split_statements_rejects_a_missing_final_semicolon() -> None:
    with pytest.raises(MigrationError, match="without a final"):
        split_statements("CREATE TABLE a (x INTEGER);\nCREATE TABLE b (y INTEGER)")
