"""Numbered schema migrations, for each engine.

SQLite: the files ``migrations/NNNN_name.sql``, the version in ``PRAGMA user_version``.
PostgreSQL: ``migrations/postgresql/NNNN_name.sql`` (the same numbers and names, the same
schema in PostgreSQL's DDL), the version in the one-row table ``schema_version``.

Migrations are numbered 1, 2, 3 … without gaps. Each one runs in its own (exclusive)
transaction that also records its number, so a database is always exactly at one version: a
failed migration leaves it at the previous one. Never edit a migration that has shipped; add
the next number instead (in both directories).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from bot.store.backup import backup_database, backup_name
from bot.store.database import Connection, Database, StoreError

log = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "bot.store.migrations"
POSTGRESQL_DIRECTORY = "postgresql"  # inside MIGRATIONS_PACKAGE
# PostgreSQL has no user_version: one row, created by the runner before the first migration.
_CREATE_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version "
    "(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
)
_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


class MigrationError(StoreError):
    """The schema cannot be brought to the version the code needs."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def available_migrations(dialect: str = "sqlite") -> list[Migration]:
    """Every migration shipped for ``dialect`` (``"sqlite"`` or ``"postgresql"``), in order;
    refuses gaps and duplicate numbers."""
    directory = resources.files(MIGRATIONS_PACKAGE)
    if dialect == "postgresql":
        directory = directory / POSTGRESQL_DIRECTORY
    elif dialect != "sqlite":
        raise MigrationError(f"no migrations for the {dialect} engine")
    found: list[Migration] = []
    for entry in directory.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None:
            continue
        version = int(match["version"])
        found.append(Migration(version, match["name"], entry.read_text(encoding="utf-8")))
    return _in_sequence(found)


def _in_sequence(migrations: Iterable[Migration]) -> list[Migration]:
    ordered = sorted(migrations, key=lambda migration: migration.version)
    for expected, migration in enumerate(ordered, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"migrations must be numbered 1, 2, 3 … without gaps or duplicates: "
                f"expected {expected:04d}_*.sql, found {migration.label}.sql"
            )
    return ordered


def latest_version(dialect: str = "sqlite") -> int:
    """The schema version this code knows (0 when there are no migrations)."""
    migrations = available_migrations(dialect)
    return migrations[-1].version if migrations else 0


async def current_version(db: Database) -> int:
    """The schema version stored in the database (0 for a new one)."""
    if db.dialect == "sqlite":
        return int(await db.fetch_value("PRAGMA user_version"))
    if await db.fetch_value("SELECT to_regclass('schema_version') IS NOT NULL") is not True:
        return 0
    return int(await db.fetch_value("SELECT version FROM schema_version WHERE id = 1") or 0)


async def _version_in(conn: Connection) -> int:
    if conn.dialect == "sqlite":
        async with conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row is not None else 0
    await conn.execute(_CREATE_VERSION_TABLE)
    async with conn.execute("SELECT version FROM schema_version WHERE id = 1") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row is not None else 0


async def _record_version(conn: Connection, version: int) -> None:
    if conn.dialect == "sqlite":
        # PRAGMA takes no placeholders; the version is an int parsed from the file name.
        await conn.execute(f"PRAGMA user_version = {version:d}")
        return
    await conn.execute(
        "INSERT INTO schema_version (id, version) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        (version,),
    )


async def migrate(
    db: Database,
    target: int | None = None,
    *,
    migrations: Sequence[Migration] | None = None,
    backup_dir: Path | None = None,
) -> int:
    """Apply pending migrations up to ``target`` (default: latest); returns the new version.

    Refuses a database newer than the code (running old code on it could corrupt data) and
    a ``target`` below the current version (there are no down-migrations). ``migrations``
    replaces the shipped files (tests); it must be numbered 1, 2, 3 …

    With ``backup_dir``, a SQLite database that already holds data is backed up there
    (SQLite's online backup) before the first pending migration runs. On PostgreSQL the
    operator's own backups (pg_dump, the provider's snapshots) are the backup; one line says
    so.
    """
    if migrations is None:
        migrations = available_migrations(db.dialect)
    else:
        migrations = _in_sequence(migrations)
    latest = migrations[-1].version if migrations else 0
    wanted = latest if target is None else target
    if not 0 <= wanted <= latest:
        raise MigrationError(f"cannot migrate to version {wanted}: versions 0 to {latest} exist")

    version = await current_version(db)
    _refuse_unknown(db, version, latest)
    if version > wanted:
        raise MigrationError(
            f"database {db.where} is at schema version {version}, above the requested {wanted}; "
            "migrations only go forward"
        )
    if backup_dir is not None and 0 < version < wanted:
        await _backup_before(db, version, wanted, backup_dir)
    for migration in migrations[version:wanted]:
        await _apply(db, migration, latest)
    return await current_version(db)


async def _backup_before(db: Database, version: int, wanted: int, backup_dir: Path) -> None:
    if db.dialect != "sqlite":
        log.info(
            "migrating %s from version %d to %d; no file copy on PostgreSQL: "
            "take a pg_dump first if you have no other backup",
            db.where,
            version,
            wanted,
        )
        return
    target = backup_dir / backup_name(f"before-v{wanted}")
    result = await asyncio.to_thread(backup_database, db.path, target)
    log.info("before migrating %s from version %d to %d: %s", db.path, version, wanted, result)


async def _apply(db: Database, migration: Migration, latest: int) -> None:
    try:
        await _apply_in_transaction(db, migration, latest)
    except MigrationError:
        raise
    except StoreError as exc:  # e.g. the foreign-key check before commit
        raise MigrationError(f"migration {migration.label} failed: {exc}") from exc


async def _apply_in_transaction(db: Database, migration: Migration, latest: int) -> None:
    async with db.transaction(schema_change=True) as conn:
        # Re-read under the write lock: another process may have migrated meanwhile.
        version = await _version_in(conn)
        _refuse_unknown(db, version, latest)
        if version >= migration.version:
            return
        if version != migration.version - 1:
            raise MigrationError(
                f"database {db.where} is at version {version}; cannot apply {migration.label}"
            )
        log.info("applying migration %s to %s", migration.label, db.where)
        for statement in split_statements(migration.sql):
            try:
                await conn.execute(statement)
            except DBAPIError as exc:
                raise MigrationError(
                    f"migration {migration.label} failed: {driver_message(exc)}\n"
                    f"  in: {_first_line(statement)}"
                ) from exc
        await _record_version(conn, migration.version)


def _refuse_unknown(db: Database, version: int, latest: int) -> None:
    if version > latest:
        raise MigrationError(
            f"database {db.where} is at schema version {version}, but this code only knows "
            f"versions up to {latest}; run a newer version of the bot or restore a backup"
        )


def driver_message(exc: DBAPIError) -> str:
    """The database's own words, without SQLAlchemy's SQL echo and links."""
    message = str(exc.orig).strip()
    # asyncpg's errors arrive as "<class 'asyncpg.exceptions.X'>: message".
    return re.sub(r"^<class '[\w.]+'>: ", "", message) or type(exc.orig).__name__


def split_statements(sql: str) -> list[str]:
    """Split a script into single statements.

    ``executescript`` would be simpler but always COMMITs first, which would break the
    one-transaction-per-migration rule. ``sqlite3.complete_statement`` knows about string
    literals, comments and trigger bodies, so semicolons inside those don't split.
    """
    statements: list[str] = []
    start = 0
    for end, char in enumerate(sql):
        if char == ";" and sqlite3.complete_statement(sql[start : end + 1]):
            statements.append(sql[start : end + 1].strip())
            start = end + 1
    rest = sql[start:]
    if not _only_comments(rest):
        raise MigrationError(f"statement without a final ';': {_first_line(rest)}")
    return statements


def _only_comments(text: str) -> bool:
    without_line_comments = re.sub(r"--[^\n]*", "", text)
    return not re.sub(r"/\*.*?\*/", "", without_line_comments, flags=re.DOTALL).strip()


def _first_line(statement: str) -> str:
    lines = [line.strip() for line in statement.strip().splitlines() if line.strip()]
    code = [line for line in lines if not line.startswith("--")]
    return (code or lines or [""])[0]
