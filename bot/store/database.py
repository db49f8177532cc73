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
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 5.0  # seconds another *process* may hold the write lock before we give up
# Between BEGIN IMMEDIATE attempts while another process holds the write lock (SQLite's own
# busy handler backs off from 1 ms to 100 ms the same way).
_FIRST_RETRY_DELAY = 0.001
_MAX_RETRY_DELAY = 0.025

T = TypeVar("T")

Params = Sequence[Any] | dict[str, Any]


class StoreError(Exception):
    """The database cannot be used as asked; ``str()`` says why in one readable message."""


class Database:
    """The bot's SQLite database. Open with :meth:`open`, always :meth:`close` (or ``async with``).

    An in-memory database is not supported: the writer and the reader must share one file.
    """

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ):
        self.path = path
        self._busy_timeout = busy_timeout
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
        return cls(path, writer, reader, busy_timeout=busy_timeout)

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
            # Cancellation may land at any await below. Our own statements are seen through
            # to their end (_settled) so the state is known, and the finally block puts the
            # connection back to "no transaction" before the lock is released.
            try:
                if schema_change:
                    await _settled(conn, conn.execute("PRAGMA foreign_keys = OFF"))
                await self._begin_immediate(conn)
                yield conn
                if schema_change:
                    await _check_foreign_keys(conn)
                # A cancellation during COMMIT lets it finish (the work is then committed)
                # and is re-raised after.
                await _settled(conn, conn.execute("COMMIT"))
            finally:
                try:
                    if conn.in_transaction or schema_change:  # not after a plain COMMIT
                        await _uncancellable(_reset_writer(conn, schema_change=schema_change))
                finally:
                    self._write_owner = None

    async def _begin_immediate(self, conn: aiosqlite.Connection) -> None:
        """``BEGIN IMMEDIATE``, waiting up to the busy timeout for another process's lock.

        The wait is ours, not SQLite's (the writer's own busy timeout is 0): a BEGIN waiting
        in SQLite's busy handler cannot be interrupted, so cancelling the task would either
        leak the transaction it later opens or have to wait out the timeout. Here each
        attempt returns at once and the sleeps between them are cancellable.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._busy_timeout
        delay = _FIRST_RETRY_DELAY
        while True:
            try:
                await _settled(conn, conn.execute("BEGIN IMMEDIATE"))
                return
            except sqlite3.OperationalError as exc:
                remaining = deadline - loop.time()
                if not _is_busy(exc) or remaining <= 0:
                    raise
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, _MAX_RETRY_DELAY)

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
            try:
                await _settled(conn, conn.execute("BEGIN"))
                # BEGIN is deferred: the snapshot starts at the first read, so take it now.
                await conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
                yield conn
            finally:
                # Even when cancelled before BEGIN came back: a read left open would hold
                # back checkpoints and make the next snapshot fail.
                if conn.in_transaction:
                    await _uncancellable(conn.execute("COMMIT"))

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
    else:
        # The writer waits for other processes in Database._begin_immediate, cancellably;
        # the busy timeout above only covered the switch to WAL.
        await conn.execute("PRAGMA busy_timeout = 0")


async def _settled(conn: aiosqlite.Connection, statement: Awaitable[T]) -> T:
    """Await ``statement``; if this task is cancelled meanwhile, let it end, then re-raise.

    aiosqlite runs a queued statement on its thread whether or not anyone still awaits it;
    abandoning the await only loses the outcome (a BEGIN that lands later leaves a
    transaction open; a ROLLBACK issued while COMMIT is still running fails).
    """
    try:
        return await statement
    except asyncio.CancelledError:
        # The connection runs its queue in order: once a no-op queued now is done, so is
        # the statement. (No task or shield on the normal path: transactions stay cheap.)
        await _uncancellable(conn.execute("SELECT 1"))
        raise


async def _uncancellable(operation: Awaitable[T]) -> T:
    """Run ``operation`` to its end even if this task is cancelled meanwhile; a cancellation
    that arrived is re-raised afterwards."""
    inner = asyncio.ensure_future(operation)
    try:
        return await asyncio.shield(inner)
    except asyncio.CancelledError:
        while not inner.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([inner])
        if not inner.cancelled():
            inner.exception()  # the cancellation wins; don't warn about an unretrieved error
        raise


async def _reset_writer(conn: aiosqlite.Connection, *, schema_change: bool) -> None:
    """Leave the writer with no open transaction (and foreign keys on) for the next user."""
    # A body statement abandoned by a cancellation may still be queued; ROLLBACK queues
    # behind it on the connection's one thread, so the order holds.
    if conn.in_transaction:
        await conn.execute("ROLLBACK")
    if schema_change:
        await conn.execute("PRAGMA foreign_keys = ON")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or one of its extended codes: another connection holds the lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


async def _check_foreign_keys(conn: aiosqlite.Connection) -> None:
    violations: Iterable[sqlite3.Row] = await conn.execute_fetchall("PRAGMA foreign_key_check")
    described = [f"{row[0]} row {row[1]} → {row[2]}" for row in violations]
    if described:
        shown = ", ".join(described[:5]) + (" …" if len(described) > 5 else "")
        raise StoreError(f"{len(described)} foreign key violation(s) after schema change: {shown}")
