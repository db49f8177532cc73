"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

Migrations are the files ``migrations/NNNN_name.sql``, numbered 1, 2, 3 … without gaps. Each
one runs in its own transaction that also sets ``user_version`` to its number, so a database
is always exactly at one version: a failed migration leaves it at the previous one.
Never edit a migration that has shipped; add the next number instead.
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

from bot.store.backup import backup_database, backup_name
from bot.store.database import Database, StoreError

log = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "bot.store.migrations"
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


def available_migrations() -> list[Migration]:
    """Every migration shipped with the code, in order; refuses gaps and duplicate numbers."""
    found: list[Migration] = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
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


def latest_version() -> int:
    """The schema version this code knows (0 when there are no migrations)."""
    migrations = available_migrations()
    return migrations[-1].version if migrations else 0


async def current_version(db: Database) -> int:
    """The schema version stored in the database file (0 for a new file)."""
    return int(await db.fetch_value("PRAGMA user_version"))


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

    With ``backup_dir``, a database that already holds data is backed up there (SQLite's
    online backup) before the first pending migration runs.
    """
    migrations = available_migrations() if migrations is None else _in_sequence(migrations)
    latest = migrations[-1].version if migrations else 0
    wanted = latest if target is None else target
    if not 0 <= wanted <= latest:
        raise MigrationError(f"cannot migrate to version {wanted}: versions 0 to {latest} exist")

    version = await current_version(db)
    _refuse_unknown(db, version, latest)
    if version > wanted:
        raise MigrationError(
            f"database {db.path} is at schema version {version}, above the requested {wanted}; "
            "migrations only go forward"
        )
    if backup_dir is not None and 0 < version < wanted:
        await _backup_before(db, version, wanted, backup_dir)
    for migration in migrations[version:wanted]:
        await _apply(db, migration, latest)
    return await current_version(db)


async def _backup_before(db: Database, version: int, wanted: int, backup_dir: Path) -> None:
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
        async with conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row is not None else 0
        _refuse_unknown(db, version, latest)
        if version >= migration.version:
            return
        if version != migration.version - 1:
            raise MigrationError(
                f"database {db.path} is at version {version}; cannot apply {migration.label}"
            )
        log.info("applying migration %s to %s", migration.label, db.path)
        for statement in split_statements(migration.sql):
            try:
                await conn.execute(statement)
            except sqlite3.Error as exc:
                raise MigrationError(
                    f"migration {migration.label} failed: {exc}\n  in: {_first_line(statement)}"
                ) from exc
        # PRAGMA takes no placeholders; the version is an int parsed from the file name.
        await conn.execute(f"PRAGMA user_version = {migration.version:d}")


def _refuse_unknown(db: Database, version: int, latest: int) -> None:
    if version > latest:
        raise MigrationError(
            f"database {db.path} is at schema version {version}, but this code only knows "
            f"versions up to {latest}; run a newer version of the bot or restore a backup"
        )


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
