"""One SQLite file, two aiosqlite connections: a writer and a reader.

aiosqlite runs each connection's statements one after another on its own thread, so two
coroutines sharing a connection would interleave inside each other's transactions. Hence:
every write goes through :meth:`Database.transaction`, which holds an ``asyncio.Lock`` for the
whole ``BEGIN IMMEDIATE`` … ``COMMIT``; reads go to a separate connection that, thanks to
WAL, never waits for the writer (and the writer never waits for it).

Both connections run in autocommit mode (``isolation_level=None``): Python's sqlite3 then
never opens a transaction behind our back, so a read can't hold a snapshot open by accident.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 5.0  # seconds another *process* may hold the write lock before we give up

Params = Sequence[Any] | dict[str, Any]


class StoreError(Exception):
    """The database cannot be used as asked; ``str()`` says why in one readable message."""


class Database:
    """The bot's SQLite database. Open with :meth:`open`, always :meth:`close` (or ``async with``).

    An in-memory database is not supported: the writer and the reader must share one file.
    """

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._snapshot_lock = asyncio.Lock()
        # asyncio.Lock is not re-entrant: remember who holds it so a nested transaction fails
        # loudly instead of deadlocking.
        self._write_owner: asyncio.Task[Any] | None = None
        self._closed = False

    @classmethod
    async def open(cls, path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Database:
        """Create the parent directory if needed and open the writer and reader connections."""
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(path, busy_timeout=busy_timeout, read_only=False)
        try:
            # WAL must be in place before the reader opens; it is stored in the file itself.
            reader = await _connect(path, busy_timeout=busy_timeout, read_only=True)
        except BaseException:
            await writer.close()
            raise
        log.debug("opened database %s", path)
        return cls(path, writer, reader)

    async def close(self) -> None:
        """Close both connections. Safe to call twice; aiosqlite 0.22 hangs at exit without it."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._writer.close()
        finally:
            await self._reader.close()
        log.debug("closed database %s", self.path)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @contextlib.asynccontextmanager
    async def transaction(
        self, *, schema_change: bool = False
    ) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` on the writer, one transaction at a time in this process.

        Commits when the block ends, rolls back if it raises. IMMEDIATE takes the write lock
        up front, so a read-then-write inside the block can't fail with an instant
        SQLITE_BUSY the way a deferred transaction does (the busy timeout then covers other
        processes).

        ``schema_change=True`` is for migrations that rebuild tables: foreign-key enforcement
        is off during the transaction (otherwise dropping a referenced table deletes or
        rejects rows) and every foreign key is checked before commit instead, as SQLite's
        ALTER TABLE procedure prescribes.
        """
        self._check_open()
        if self._write_owner is not None and self._write_owner is asyncio.current_task():
            raise StoreError("a transaction is already open in this task; nest the work instead")
        async with self._write_lock:
            self._write_owner = asyncio.current_task()
            conn = self._writer
            try:
                if schema_change:
                    await conn.execute("PRAGMA foreign_keys = OFF")
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    if schema_change:
                        await _check_foreign_keys(conn)
                    await conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        await conn.execute("ROLLBACK")
                    raise
            finally:
                if schema_change:
                    await conn.execute("PRAGMA foreign_keys = ON")
                self._write_owner = None

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """A consistent view for several reads (e.g. rebuilding the whole pack).

        A read transaction on the reader: later commits stay invisible until the block ends.
        ``fetch_*`` calls from other tasks meanwhile share the reader, so they see the
        snapshot too. Keep it short; an open snapshot holds back WAL checkpoints.
        """
        self._check_open()
        async with self._snapshot_lock:
            conn = self._reader
            await conn.execute("BEGIN")
            try:
                # BEGIN is deferred: the snapshot starts at the first read, so take it now.
                await conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
                yield conn
            finally:
                await conn.execute("COMMIT")

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of a query on the reader connection."""
        self._check_open()
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        self._check_open()
        async with self._reader.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"database {self.path} is closed")


async def _connect(path: Path, *, busy_timeout: float, read_only: bool) -> aiosqlite.Connection:
    # timeout= is sqlite3's busy timeout; isolation_level=None = we issue BEGIN ourselves.
    conn = await aiosqlite.connect(path, timeout=busy_timeout, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await _apply_pragmas(conn, read_only=read_only)
    except BaseException:
        await conn.close()
        raise
    return conn


async def _apply_pragmas(conn: aiosqlite.Connection, *, read_only: bool) -> None:
    if not read_only:
        async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
            row = await cursor.fetchone()
        mode = str(row[0]) if row is not None else "unknown"
        if mode.lower() != "wal":
            raise StoreError(f"could not switch the database to WAL (journal mode is {mode!r})")
    # Off by default and per connection in SQLite: set it on every connection.
    await conn.execute("PRAGMA foreign_keys = ON")
    # NORMAL is safe under WAL (a power cut may lose the last commits, never corrupt).
    await conn.execute("PRAGMA synchronous = NORMAL")
    if read_only:
        # Writes belong on the writer under its lock; make a stray write fail at once.
        await conn.execute("PRAGMA query_only = ON")


async def _check_foreign_keys(conn: aiosqlite.Connection) -> None:
    violations: Iterable[sqlite3.Row] = await conn.execute_fetchall("PRAGMA foreign_key_check")
    described = [f"{row[0]} row {row[1]} → {row[2]}" for row in violations]
    if described:
        shown = ", ".join(described[:5]) + (" …" if len(described) > 5 else "")
        raise StoreError(f"{len(described)} foreign key violation(s) after schema change: {shown}")
