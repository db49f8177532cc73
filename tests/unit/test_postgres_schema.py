"""The PostgreSQL migrations (bot/store/migrations/postgresql/) build the schema the SQLite
ones build, at every version, as SQLAlchemy's inspector sees it; they hold the same rows
through every upgrade; and their rewrites of SQLite-only functions accept and refuse the same
values. A PostgreSQL file that drifts from its SQLite original fails here.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import tomllib
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.store.migrate import split_statements
from tests.postgres_cluster import PostgresCluster
from tests.schema_shape import TableShape, postgres_identity, shapes, sqlite_autoincrement
from tests.unit.test_migrations import ROWS_AT_VERSION

T = TypeVar("T")
Shapes = dict[str, TableShape]
ROOT = Path(__file__).resolve().parents[2]
_FILE = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")


def migration_files(package: str) -> list[tuple[str, str]]:
    entries = [entry for entry in resources.files(package).iterdir() if _FILE.match(entry.name)]
    return [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(entries, key=lambda entry: entry.name)
    ]


SQLITE = migration_files("bot.store.migrations")
POSTGRES = migration_files("bot.store.migrations.postgresql")
VERSIONS = list(range(1, len(SQLITE) + 1))
# Discord snowflakes and the update/schedule ids nonces derive from: 64-bit on PostgreSQL too.
ID_COLUMN = re.compile(r"(_id|_by|^edit_of)$")


def in_thread(work: Callable[[], Awaitable[T]]) -> T:
    """Async engine work from a sync fixture, whatever event loop pytest has running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work()).result()  # type: ignore[arg-type]


def async_engine(url: str) -> AsyncEngine:
    return create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))


async def apply_postgres(engine: AsyncEngine, sql: str) -> None:
    """One file in one transaction, statement by statement as the migration runner does."""
    async with engine.begin() as conn:
        for statement in split_statements(sql):
            await conn.exec_driver_sql(statement)


def postgres_types(conn: Connection) -> dict[tuple[str, str], str]:
    rows = conn.execute(
        text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
    )
    return {(table, column): data_type for table, column, data_type in rows}


def postgres_picture(conn: Connection) -> tuple[Shapes, dict[tuple[str, str], str]]:
    return shapes(conn, postgres_identity(conn)), postgres_types(conn)


@pytest.fixture(scope="module")
def sqlite_versions(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Shapes]:
    path = tmp_path_factory.mktemp("sqlite-schema") / "golden.db"
    raw = sqlite3.connect(path)
    engine = create_engine(f"sqlite:///{path}")
    found: dict[int, Shapes] = {}
    try:
        for version, (_, sql) in enumerate(SQLITE, start=1):
            raw.executescript(sql)
            with engine.connect() as conn:
                found[version] = shapes(conn, sqlite_autoincrement(conn))
    finally:
        raw.close()
        engine.dispose()
    return found


@pytest.fixture(scope="module")
def postgres_versions(
    postgres_cluster: PostgresCluster,
) -> Iterator[dict[int, tuple[Shapes, dict[tuple[str, str], str]]]]:
    url = postgres_cluster.create_database()

    async def migrate_and_look() -> dict[int, tuple[Shapes, dict[tuple[str, str], str]]]:
        engine = async_engine(url)
        found = {}
        try:
            for version, (_, sql) in enumerate(POSTGRES, start=1):
                await apply_postgres(engine, sql)
                async with engine.connect() as conn:
                    found[version] = await conn.run_sync(postgres_picture)
        finally:
            await engine.dispose()
        return found

    yield in_thread(migrate_and_look)
    postgres_cluster.drop_database(url)


def differences(sqlite: Shapes, postgres: Shapes) -> list[str]:
    found = [f"table {name} only on SQLite" for name in sorted(sqlite.keys() - postgres.keys())]
    found += [
        f"table {name} only on PostgreSQL" for name in sorted(postgres.keys() - sqlite.keys())
    ]
    for name in sorted(sqlite.keys() & postgres.keys()):
        for field in TableShape.__slots__:
            ours, theirs = getattr(sqlite[name], field), getattr(postgres[name], field)
            if ours == theirs:
                continue
            if field in {"columns", "primary_key"}:
                found.append(f"{name}.{field}: SQLite {ours!r} != PostgreSQL {theirs!r}")
            else:  # sets: say only what differs
                only_sqlite = sorted(set(ours) - set(theirs), key=repr)
                only_postgres = sorted(set(theirs) - set(ours), key=repr)
                found.append(
                    f"{name}.{field}: only on SQLite {only_sqlite!r}, "
                    f"only on PostgreSQL {only_postgres!r}"
                )
    return found


def test_every_sqlite_migration_has_its_postgresql_translation() -> None:
    assert [name for name, _ in POSTGRES] == [name for name, _ in SQLITE]
    assert len(VERSIONS) >= 9


def test_postgresql_migrations_leave_the_version_to_the_runner() -> None:
    for name, sql in POSTGRES:
        code = re.sub(r"--[^\n]*", "", sql).lower()
        assert "pragma" not in code, name
        assert "schema_version" not in code, name
        assert "strict" not in code and "without rowid" not in code, name


def test_postgresql_migrations_ship_in_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert package_data["bot.store.migrations.postgresql"] == ["*.sql"]
    assert (ROOT / "bot/store/migrations/postgresql/__init__.py").is_file()


@pytest.mark.parametrize("version", VERSIONS)
def test_both_engines_build_the_same_schema(
    version: int,
    sqlite_versions: dict[int, Shapes],
    postgres_versions: dict[int, tuple[Shapes, dict[tuple[str, str], str]]],
) -> None:
    sqlite, (postgres, _) = sqlite_versions[version], postgres_versions[version]
    assert differences(sqlite, postgres) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_postgresql_types_hold_what_sqlite_holds(
    version: int, postgres_versions: dict[int, tuple[Shapes, dict[tuple[str, str], str]]]
) -> None:
    postgres, types = postgres_versions[version]
    wrong = []
    for (table, column), data_type in sorted(types.items()):
        # SQLite's REAL is 8 bytes; PostgreSQL's REAL (4 bytes) would round Unix seconds.
        if data_type in {"real", "numeric"}:
            wrong.append(f"{table}.{column} is {data_type}, not double precision")
        if data_type == "integer" and ID_COLUMN.search(column):
            wrong.append(f"{table}.{column} is integer: ids and snowflakes need bigint")
    for table, shape in postgres.items():
        for columns, target, target_columns, _ in shape.foreign_keys:
            for column, target_column in zip(columns, target_columns, strict=True):
                if types[(table, column)] != types[(target, target_column)]:
                    wrong.append(f"{table}.{column} is not the type of {target}.{target_column}")
    assert wrong == []


def sqlite_rows(path: Path, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            table: sorted(map(tuple, conn.execute(f'SELECT * FROM "{table}"')), key=repr)
            for table in tables
        }


@pytest.mark.parametrize("version", sorted(ROWS_AT_VERSION))
def test_both_engines_keep_the_same_rows_through_every_upgrade(
    version: int, tmp_path: Path, postgres_url: str
) -> None:
    path = tmp_path / "golden.db"
    with sqlite3.connect(path) as conn:
        for _, sql in SQLITE[:version]:
            conn.executescript(sql)
        conn.executescript(ROWS_AT_VERSION[version])
        for _, sql in SQLITE[version:]:
            conn.executescript(sql)
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]

    async def upgrade_and_read() -> dict[str, list[tuple[Any, ...]]]:
        engine = async_engine(postgres_url)
        try:
            for _, sql in POSTGRES[:version]:
                await apply_postgres(engine, sql)
            await apply_postgres(engine, ROWS_AT_VERSION[version])
            for _, sql in POSTGRES[version:]:
                await apply_postgres(engine, sql)
            async with engine.connect() as conn:
                return {
                    table: sorted(
                        (
                            tuple(row)
                            for row in await conn.exec_driver_sql(f'SELECT * FROM "{table}"')
                        ),
                        key=repr,
                    )
                    for table in tables
                }
        finally:
            await engine.dispose()

    assert in_thread(upgrade_and_read) == sqlite_rows(path, tables)


# Values for the CHECKs that use SQLite-only functions (date(), json_type(),
# json_array_length()): PostgreSQL must accept exactly what SQLite accepts.
DATES = [
    None,
    "2025-01-24",
    "2025-02-31",
    "0999-12-01",
    "2025-13-01",
    "2025-00-10",
    "2025-01-32",
    "2025-1-24",
    "2025-01-24 ",
    "2025-01-24T00:00",
    "20250124",
    "",
]
LISTS = [
    ("[]", '["actor"]'),
    ('["a", "b"]', '["x", "y"]'),
    ("{}", '["actor"]'),
    ('"a"', '["actor"]'),
    ("[]", "[]"),
    ("[]", '{"a": 1}'),
    ("[]", "not json"),
]


def sqlite_verdicts(path: Path) -> list[bool]:
    verdicts = []
    with sqlite3.connect(path) as conn:
        for _, sql in SQLITE:
            conn.executescript(sql)
        for index, (statement, values) in enumerate(CASES):
            try:
                conn.execute(statement.replace("$", "?"), (index, *values))
                verdicts.append(True)
            except sqlite3.Error:
                verdicts.append(False)
    return verdicts


CASES: list[tuple[str, tuple[Any, ...]]] = [
    (
        "INSERT INTO sources (id, position, outlet, title, url, date) "
        "VALUES ('s' || $1, $1, 'o', 't', 'u', $2)",
        (value,),
    )
    for value in DATES
] + [
    (
        "INSERT INTO people (id, position, name_en, name_ko, variants, roles) "
        "VALUES ('p' || $1, $1, 'n', 'n', $2, $3)",
        pair,
    )
    for pair in LISTS
]


def test_rewritten_checks_accept_and_refuse_what_sqlite_does(
    tmp_path: Path, postgres_cluster: PostgresCluster, postgres_url: str
) -> None:
    async def verdicts(conn: asyncpg.Connection) -> list[bool]:
        for _, sql in POSTGRES:
            async with conn.transaction():
                await conn.execute(sql)
        found = []
        for index, (statement, values) in enumerate(CASES):
            try:
                await conn.execute(statement.replace("$1", "$1::integer"), index, *values)
                found.append(True)
            except asyncpg.PostgresError:
                found.append(False)
        return found

    database = postgres_url.rsplit("/", 1)[-1]
    postgres = postgres_cluster.run(verdicts, database)
    sqlite = sqlite_verdicts(tmp_path / "golden.db")
    assert sqlite == postgres
    assert sqlite.count(True) == 6  # both dates, NULL, and two good pairs of lists: not vacuous
