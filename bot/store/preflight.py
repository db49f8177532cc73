"""Storage checks that run before the database is opened for writing.

Each fault an operator can meet (the path is a directory, a file sits where a directory
should be, the file is not a database or is damaged, its schema is newer than the code,
the file or its directory is read-only, the disk is full) becomes one :class:`StorageFault`
whose message says what is wrong, where, and what to do. The checks only read: a faulty
database is left exactly as it was found.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from bot.store.database import Database, StoreError
from bot.store.url import StoreUrl

SQLITE_HEADER = b"SQLite format 3\x00"
# Below this much free space a start would fail on its first write; say so up front.
MIN_FREE_BYTES = 1024 * 1024
RESTORE_HINT = "restore a backup with `python -m bot restore FILE`"


class StorageFault(StoreError):
    """The database cannot be used; ``str()`` is one line: what, which path, what to do."""


def check_storage(
    path: Path, *, latest_schema: int, must_write: bool = True, inspect: bool = True
) -> None:
    """Raise :class:`StorageFault` if ``path`` cannot be opened (and written) as our database.

    ``inspect=False`` skips the checks of an existing file's content (a restore replaces it).
    """
    if path.is_dir():
        raise StorageFault(
            f"DATABASE_PATH {path} is a directory; set DATABASE_PATH to a file inside it, "
            f"e.g. {path / 'goldenhour.sqlite3'}"
        )
    _check_parents(path)
    if inspect and path.exists():
        check_database_file(path, latest_schema=latest_schema)
    if must_write:
        _check_writable(path)


def _check_parents(path: Path) -> None:
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise StorageFault(
                    f"cannot use database {path}: {parent} is a file, not a directory; "
                    "move that file away or point DATABASE_PATH elsewhere"
                )
            return


def check_database_file(path: Path, *, latest_schema: int) -> int:
    """Header, integrity and schema version of an existing file; returns the version."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageFault(
            f"cannot read database {path}: {exc.strerror}; check its owner and permissions"
        ) from None
    if header and header != SQLITE_HEADER:
        raise StorageFault(
            f"{path} is not a SQLite database; {RESTORE_HINT} or point DATABASE_PATH elsewhere"
        )
    if not header:
        return 0  # an empty file is a new database
    version, problem = _inspect(path)
    if problem is not None:
        raise StorageFault(
            f"database {path} is damaged ({problem}); {RESTORE_HINT} "
            "or point DATABASE_PATH elsewhere"
        )
    if version > latest_schema:
        raise StorageFault(
            f"database {path} is at schema version {version}, newer than this code knows "
            f"({latest_schema}); upgrade the bot or {RESTORE_HINT}"
        )
    return version


def _inspect(path: Path) -> tuple[int, str | None]:
    """(user_version, first integrity problem or None), reading the file without changing it."""
    uri = read_only_uri(path)
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        return 0, str(exc)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
        result = str(rows[0][0]) if rows else "no result"
        return version, None if result == "ok" else result
    except sqlite3.Error as exc:
        return 0, str(exc)
    finally:
        conn.close()


def read_only_uri(path: Path) -> str:
    """A URI that reads ``path`` without creating or changing any file.

    With a ``-wal`` beside it (a bot is running, or was killed) ``mode=ro`` reads through the
    WAL. Without one, ``immutable=1``: a WAL-mode file opened with plain ``mode=ro`` would
    get a fresh ``-wal`` and ``-shm`` created next to it.
    """
    wal = path.with_name(path.name + "-wal")
    return f"{path.resolve().as_uri()}?{'mode=ro' if wal.exists() else 'immutable=1'}"


def _check_writable(path: Path) -> None:
    directory = _nearest_existing_dir(path)
    # os.access is wrong for root and read-only mounts; try it for real and undo it.
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".goldenhour-probe-"):
            pass
    except OSError as exc:
        raise StorageFault(_unwritable_dir(path, directory, exc)) from None
    if path.exists() and path.stat().st_size > 0:
        try:
            with path.open("r+b"):
                pass  # opened for writing, nothing written
        except OSError as exc:
            raise StorageFault(
                f"database {path} is read-only ({exc.strerror}); give the bot's user write "
                f"access (chown/chmod) or point DATABASE_PATH elsewhere"
            ) from None
    free = shutil.disk_usage(directory).free
    if free < MIN_FREE_BYTES:
        raise StorageFault(_disk_full(path, free))


def _nearest_existing_dir(path: Path) -> Path:
    for parent in path.parents:
        if parent.is_dir():
            return parent
    return Path(path.anchor or ".")


def _unwritable_dir(path: Path, directory: Path, exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return _disk_full(path, 0)
    return (
        f"cannot write in {directory} ({exc.strerror}), where database {path} and its "
        "journal live; give the bot's user write access to the directory or point "
        "DATABASE_PATH elsewhere"
    )


def _disk_full(path: Path, free: int) -> str:
    return (
        f"the disk holding database {path} is full ({free // 1024} KiB free); free some space "
        "(old backups, logs) and start again"
    )


async def check_postgresql(url: StoreUrl, *, latest_schema: int) -> int:
    """Connect to the PostgreSQL database and read its schema version; raise
    :class:`StorageFault` (one line: where, why, what to do) when it can't be used."""
    from bot.store.migrate import current_version  # (migrate imports this module via backup)

    try:
        db = await Database.open(url)
    except StoreError as exc:
        raise StorageFault(str(exc)) from None
    try:
        version = await current_version(db)
    except DBAPIError as exc:
        raise StorageFault(describe_store_error(url, exc)) from None
    finally:
        await db.close()
    if version > latest_schema:
        raise StorageFault(
            f"database {url} is at schema version {version}, newer than this code knows "
            f"({latest_schema}); upgrade the bot or restore your pg_dump"
        )
    return version


def describe_store_error(url: StoreUrl, exc: sqlite3.Error | DBAPIError | OSError) -> str:
    """One line for a database error met after the checks passed (SQLite or PostgreSQL)."""
    if isinstance(exc, DBAPIError):
        inner = exc.orig
        if url.path is not None and isinstance(inner, sqlite3.Error):
            return describe_sqlite_error(url.path, inner)
        text = str(inner).strip().splitlines()[0] if str(inner).strip() else type(inner).__name__
        text = text.split(">: ", 1)[-1]  # asyncpg's "<class '…'>: message"
        return (
            f"database {url}: {text}; check the PostgreSQL server's log and that the "
            "user in DATABASE_URL may read and write the database"
        )
    if url.path is not None:
        return describe_sqlite_error(url.path, exc)
    return f"database {url}: {exc}; check that the PostgreSQL server is reachable"


def describe_sqlite_error(path: Path, exc: sqlite3.Error | OSError) -> str:
    """One line for a storage error met after the checks passed (e.g. the disk filled up)."""
    text = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in text or _is_errno(exc, errno.ENOSPC):
        return _disk_full(path, _free(path))
    if code == sqlite3.SQLITE_READONLY or "readonly" in text or _is_errno(exc, errno.EROFS):
        return (
            f"database {path} cannot be written ({text}); give the bot's user write access "
            "to the file and its directory"
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text:
        return f"database {path} is damaged ({text}); {RESTORE_HINT}"
    if code == sqlite3.SQLITE_BUSY or "locked" in text:
        return (
            f"database {path} is locked by another process ({text}); stop the other "
            "`python -m bot` or sqlite3 shell and try again"
        )
    return f"database {path}: {text}; check the file, its directory and free space"


def _is_errno(exc: BaseException, number: int) -> bool:
    return isinstance(exc, OSError) and exc.errno == number


def _free(path: Path) -> int:
    with contextlib.suppress(OSError):
        return shutil.disk_usage(_nearest_existing_dir(path)).free
    return 0
