"""Backups with SQLite's online backup API, and restoring one.

``sqlite3.Connection.backup`` copies a consistent snapshot page by page while other
connections (the running bot, in WAL mode) keep reading and writing; copying the file with
``cp`` could catch a half-written page or miss the WAL. Every copy is written to a temporary
file, checked, and only then renamed into place, so a failed backup never leaves a partial file
that looks like a good one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.store.preflight import StorageFault, check_database_file, check_storage

log = logging.getLogger(__name__)

BACKUP_PREFIX = "goldenhour-"
BACKUP_SUFFIX = ".sqlite3"
_OURS = re.compile(r"^goldenhour-\d{8}T\d{6}Z(-[a-z0-9-]+)?\.sqlite3$")


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int
    schema_version: int

    def __str__(self) -> str:
        return (
            f"backed up to {self.path} ({self.size:,} bytes, schema version {self.schema_version})"
        )


def backup_name(reason: str = "", now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{BACKUP_PREFIX}{stamp}{'-' + reason if reason else ''}{BACKUP_SUFFIX}"


def backup_database(source: Path, destination: Path) -> BackupResult:
    """Copy the live database ``source`` to ``destination`` (a file path) consistently."""
    if not source.is_file():
        raise StorageFault(f"no database at {source} to back up; check DATABASE_PATH")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        _copy(source, partial, readonly_source=True)
        version = _verify(partial)
        os.replace(partial, destination)
    except sqlite3.Error as exc:
        raise StorageFault(
            f"backup of {source} to {destination} failed ({exc}); check free space and "
            "permissions there"
        ) from None
    except OSError as exc:
        raise StorageFault(
            f"cannot write backup {destination} ({exc.strerror}); check free space and "
            "permissions of its directory"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(destination, destination.stat().st_size, version)


def _copy(source: Path, destination: Path, *, readonly_source: bool) -> None:
    uri = source.resolve().as_uri() + ("?mode=ro" if readonly_source else "")
    src = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        dst = sqlite3.connect(destination, isolation_level=None)
        try:
            # pages=-1: one step, one read transaction, so the copy is one point in time.
            src.backup(dst, pages=-1)
            _drop_secrets(dst)
            # A backup is a single self-contained file: no WAL beside it.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _drop_secrets(conn: sqlite3.Connection) -> None:
    """A backup holds no live interaction token (progress_follows, valid 15 minutes):
    secure_delete overwrites the rows' bytes instead of leaving them in free pages."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'progress_follows'"
    ).fetchone()
    if exists:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("DELETE FROM progress_follows")


def _verify(path: Path) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        result = conn.execute("PRAGMA integrity_check(1)").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(f"integrity check of the copy: {result}")
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def prune_backups(directory: Path, keep: int, *, reason: str) -> list[Path]:
    """Delete the oldest backups made for ``reason`` beyond the newest ``keep``; other
    backups (taken by hand, before a migration or a restore) are never deleted."""
    if keep <= 0 or not directory.is_dir():
        return []
    ours = sorted(
        p
        for p in directory.iterdir()
        if _OURS.match(p.name) and p.name.endswith(f"-{reason}{BACKUP_SUFFIX}") and p.is_file()
    )
    removed = ours[:-keep] if len(ours) > keep else []
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


# ---------------------------------------------------------------------- the running bot's lock


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class AlreadyRunning(StorageFault):
    """Another process holds the database's run lock."""


@contextlib.contextmanager
def run_lock(
    database: Path, purpose: str, *, shards: Sequence[int] | None = None
) -> Iterator[None]:
    """An exclusive ``flock`` on ``<database>.lock`` for as long as the bot (or a restore) runs.

    With ``shards`` (a process running only those, SHARD_IDS) the lock is shared, so the
    other processes of the bot can run beside it, and each shard gets an exclusive lock of
    its own (``<database>.shard-N.lock``): two processes never connect the same shard. A
    restore still waits for all of them.

    The kernel releases it when the process ends, even on kill -9, so a stale lock file never
    blocks anything; the pid written inside only names the holder in the message.
    """
    with contextlib.ExitStack() as stack:
        path = lock_path(database)
        mode = fcntl.LOCK_EX if shards is None else fcntl.LOCK_SH
        fd = stack.enter_context(_flocked(path, mode, write_pid=shards is None))
        if fd is None:
            holder = _holder(path)
            raise AlreadyRunning(
                f"database {database} is in use by {holder}; stop the bot "
                f"(e.g. `systemctl stop golden-hour`) before you {purpose}"
            )
        for shard in shards or ():
            shard_path = database.with_name(f"{database.name}.shard-{shard}.lock")
            if stack.enter_context(_flocked(shard_path, fcntl.LOCK_EX, write_pid=True)) is None:
                raise AlreadyRunning(
                    f"shard {shard} on database {database} is already run by "
                    f"{_holder(shard_path)}; give every process its own SHARD_IDS"
                )
        yield


def _holder(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace").strip() or "another process"
    except OSError:
        return "another process"


@contextlib.contextmanager
def _flocked(path: Path, mode: int, *, write_pid: bool) -> Iterator[int | None]:
    """The file's descriptor with ``mode`` held, or None if another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        if write_pid:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield fd
    finally:
        os.close(fd)  # closing releases the flock


# ---------------------------------------------------------------------------------- restore


def _keep_current(database: Path, backup_dir: Path) -> BackupResult | None:
    """Save the database about to be replaced: a checked backup if it is sound, else its raw
    bytes (with any WAL beside it) as ``…-damaged``, so a restore never destroys anything."""
    if database.stat().st_size == 0:
        return None
    try:
        return backup_database(database, backup_dir / backup_name("before-restore"))
    except StorageFault:
        target = backup_dir / backup_name("damaged")
        backup_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal"):
            source = database.with_name(database.name + suffix)
            if source.exists():
                shutil.copyfile(source, target.with_name(target.name + suffix))
        log.warning("the database being replaced is damaged; its bytes are kept in %s", target)
        return BackupResult(target, target.stat().st_size, 0)


def restore_database(
    backup: Path, database: Path, *, latest_schema: int, backup_dir: Path
) -> tuple[BackupResult | None, int]:
    """Replace ``database`` with ``backup`` after checking it; refuses while the bot runs.

    The current database (if any) is backed up first. Returns (that safety copy, the restored
    schema version).
    """
    if not backup.is_file():
        raise StorageFault(f"no backup file at {backup}; give the path of a backup to restore")
    version = check_database_file(backup, latest_schema=latest_schema)
    # Only where it goes: the current file may well be damaged (that is why one restores).
    check_storage(database, latest_schema=latest_schema, inspect=False)
    with run_lock(database, "restore a backup"):
        safety = _keep_current(database, backup_dir) if database.is_file() else None
        partial = database.with_name(f".{database.name}.restoring")
        try:
            _copy(backup, partial, readonly_source=True)
            _verify(partial)
            for suffix in ("-wal", "-shm"):
                database.with_name(database.name + suffix).unlink(missing_ok=True)
            os.replace(partial, database)
        except (sqlite3.Error, OSError) as exc:
            raise StorageFault(
                f"restore of {backup} into {database} failed ({exc}); the database was not changed"
            ) from None
        finally:
            partial.unlink(missing_ok=True)
    return safety, version
