"""`migrate`, `seed`, `backup` and `restore`: the database commands.

Each checks the storage first (:func:`bot.store.preflight.check_storage`), so a directory, a
garbage file, a newer schema, a read-only file or a full disk ends in one line and the file
is left as it was.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.datapack.loader import load_pack
from bot.settings import Settings
from bot.store.backup import BackupResult, backup_database, backup_name, restore_database
from bot.store.database import Database, StoreError
from bot.store.facts import save_pack
from bot.store.migrate import latest_version, migrate
from bot.store.preflight import check_postgresql, check_storage


def check_database(settings: Settings, *, must_write: bool = True) -> None:
    check_storage(settings.database_path, latest_schema=latest_version(), must_write=must_write)


async def check_any_database(settings: Settings) -> None:
    if settings.on_postgresql:
        await check_postgresql(settings.database, latest_schema=latest_version("postgresql"))
    else:
        check_database(settings)


def _file_only(settings: Settings, command: str, instead: str) -> None:
    if settings.on_postgresql:
        raise StoreError(
            f"`python -m bot {command}` copies SQLite files; the database is on PostgreSQL "
            f"({settings.database}): use {instead}"
        )


async def run_migrate(settings: Settings) -> str:
    await check_any_database(settings)
    db = await Database.open(settings.database)
    try:
        version = await migrate(db, backup_dir=settings.backup_dir)
    finally:
        await db.close()
    return f"database {db.where} is at schema version {version}"


async def run_seed(settings: Settings, seeds_dir: Path) -> str:
    await check_any_database(settings)
    # Validate the pack before the database is opened: a broken pack changes nothing.
    pack = await asyncio.to_thread(load_pack, seeds_dir)
    db = await Database.open(settings.database)
    try:
        await migrate(db, backup_dir=settings.backup_dir)
        report = await save_pack(db, pack)
    finally:
        await db.close()
    return str(report)


def run_backup(settings: Settings, destination: Path | None) -> BackupResult:
    _file_only(settings, "backup", "pg_dump --format=custom")
    check_database(settings, must_write=False)
    if destination is None:
        destination = settings.backup_dir / backup_name()
    elif destination.is_dir():
        destination = destination / backup_name()
    return backup_database(settings.database_path, destination)


def run_restore(settings: Settings, backup: Path) -> str:
    _file_only(settings, "restore", "pg_restore")
    safety, version = restore_database(
        backup,
        settings.database_path,
        latest_schema=latest_version(),
        backup_dir=settings.backup_dir,
    )
    kept = f"; the database it replaced was saved as {safety.path}" if safety else ""
    return f"restored {backup} into {settings.database_path} (schema version {version}){kept}"
