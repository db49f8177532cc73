"""The SQLite engine: one file, a writer connection, a reader and a snapshot connection.

aiosqlite runs each connection's statements one after another on its own thread, so two
coroutines sharing a connection would interleave inside each other's transactions. Hence:
every write goes through :meth:`SQLiteEngine.write`, called under the ``Database``'s
``asyncio.Lock`` for the whole ``BEGIN IMMEDIATE`` … ``COMMIT``; reads go to a separate
connection that, thanks to WAL, never waits for the writer (and the writer never waits for
it). Snapshots get a connection of their own so a long read never blocks the short ones.

The driver runs in autocommit mode (``isolation_level=None``, set on connect as SQLAlchemy's
SQLite documentation prescribes): Python's sqlite3 then never opens a transaction behind our
back, and the writer emits ``BEGIN IMMEDIATE`` itself. SQLAlchemy's own ``commit()`` and
``rollback()`` end it (sqlite3 sends COMMIT/ROLLBACK when a transaction is open).

Cancellation: SQLAlchemy treats a cancellation that lands inside a statement as an exit
exception and invalidates the connection; invalidating closes it gracefully (shielded), and
aiosqlite closes only after whatever statement was running has finished. So a COMMIT that
had started completes, anything else is rolled back by the close, and the next use of the
connection reconnects (the pragmas are set again by the connect hook).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.errors import StoreError
from bot.store.uncancellable import uncancellable
from bot.store.url import StoreUrl

# Between BEGIN IMMEDIATE attempts while another process holds the write lock (SQLite's own
# busy handler backs off from 1 ms to 100 ms the same way).
_FIRST_RETRY_DELAY = 0.001
_MAX_RETRY_DELAY = 0.025


def _engine(path: Path, *, busy_timeout: float, read_only: bool) -> AsyncEngine:
    engine = create_async_engine(
        StoreUrl.sqlite(path).sqlalchemy_url,
        # timeout= is sqlite3's busy timeout (it covers the switch to WAL on the writer).
        connect_args={"timeout": busy_timeout},
        # The reader never holds a transaction between uses: no ROLLBACK on every return.
        skip_autocommit_rollback=read_only,
        pool_size=2,
        max_overflow=0,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        try:
            _apply_pragmas(cursor, read_only=read_only)
        finally:
            cursor.close()

    return engine


def _apply_pragmas(cursor: Any, *, read_only: bool) -> None:
    if not read_only:
        cursor.execute("PRAGMA journal_mode = WAL")
        row = cursor.fetchone()
        mode = str(row[0]) if row is not None else "unknown"
        if mode.lower() != "wal":
            raise StoreError(f"could not switch the database to WAL (journal mode is {mode!r})")
    # Off by default and per connection in SQLite: set it on every connection.
    cursor.execute("PRAGMA foreign_keys = ON")
    # NORMAL is safe under WAL (a power cut may lose the last commits, never corrupt).
    cursor.execute("PRAGMA synchronous = NORMAL")
    if read_only:
        # Writes belong on the writer under its lock; make a stray write fail at once.
        cursor.execute("PRAGMA query_only = ON")
    else:
        # The writer waits for other processes in SQLiteEngine._begin_immediate,
        # cancellably; the busy timeout above only covered the switch to WAL.
        cursor.execute("PRAGMA busy_timeout = 0")


class SQLiteEngine:
    dialect = "sqlite"

    def __init__(
        self,
        writer_engine: AsyncEngine,
        reader_engine: AsyncEngine,
        writer: AsyncConnection,
        reader: AsyncConnection,
        *,
        busy_timeout: float,
    ) -> None:
        self._writer_engine = writer_engine
        self._reader_engine = reader_engine
        self.writer = writer
        self.reader = reader
        self._busy_timeout = busy_timeout
        # One AsyncConnection must not run two statements at once; reads take turns (the
        # driver's one thread per connection serialises them anyway).
        self._read_lock = asyncio.Lock()
        self._snapshot_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, busy_timeout: float) -> SQLiteEngine:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer_engine = _engine(path, busy_timeout=busy_timeout, read_only=False)
        reader_engine = _engine(path, busy_timeout=busy_timeout, read_only=True)
        try:
            # WAL must be in place before the reader opens; it is stored in the file itself.
            writer = await writer_engine.connect()
            try:
                reader = await reader_engine.connect()
            except BaseException:
                await writer.close()
                raise
        except BaseException:
            await writer_engine.dispose()
            await reader_engine.dispose()
            raise
        return cls(writer_engine, reader_engine, writer, reader, busy_timeout=busy_timeout)

    async def close(self) -> None:
        try:
            try:
                await self.writer.close()
            finally:
                await self.reader.close()
        finally:
            await self._writer_engine.dispose()
            await self._reader_engine.dispose()

    @contextlib.asynccontextmanager
    async def write(self, *, schema_change: bool) -> AsyncIterator[AsyncConnection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` on the writer; the caller holds the write lock.

        ``schema_change=True`` is for migrations that rebuild tables: foreign-key
        enforcement is off during the transaction (otherwise dropping a referenced table
        deletes or rejects rows) and every foreign key is checked before commit instead, as
        SQLite's ALTER TABLE procedure prescribes.
        """
        conn = self.writer
        try:
            if schema_change:
                await conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            await self._begin_immediate(conn)
            yield conn
            if schema_change:
                await _check_foreign_keys(conn)
            await conn.commit()
        finally:
            if conn.invalidated or conn.in_transaction() or schema_change:
                await uncancellable(_reset_writer(conn, schema_change=schema_change))

    async def _begin_immediate(self, conn: AsyncConnection) -> None:
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
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except DBAPIError as exc:
                remaining = deadline - loop.time()
                if not is_busy(exc) or remaining <= 0:
                    raise
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, _MAX_RETRY_DELAY)

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncConnection]:
        """A read transaction on a connection of its own: later commits stay invisible."""
        async with self._snapshot_lock, self._reader_engine.connect() as conn:
            try:
                await conn.exec_driver_sql("BEGIN")
                # BEGIN is deferred: the snapshot starts at the first read, so take it now.
                await conn.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1")
                yield conn
            finally:
                # Even when cancelled before BEGIN came back: a read left open would hold
                # back checkpoints and make the next snapshot fail.
                await uncancellable(_end_read(conn))

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        async with self._read_lock:
            conn = self.reader
            if conn.invalidated:  # a cancelled read closed it; reconnect
                await uncancellable(conn.rollback())
            yield conn

    async def in_transaction(self, *, reader: bool = False) -> bool:
        """Whether the driver connection has a transaction open (for tests)."""
        conn = self.reader if reader else self.writer
        if conn.invalidated:
            return False
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        return bool(driver.in_transaction)


async def _reset_writer(conn: AsyncConnection, *, schema_change: bool) -> None:
    """Leave the writer with no open transaction (and foreign keys on) for the next user."""
    # After an invalidation this only clears SQLAlchemy's state: the close rolled back.
    await conn.rollback()
    if schema_change and not conn.invalidated:
        await conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        await conn.commit()


async def _end_read(conn: AsyncConnection) -> None:
    if conn.invalidated:
        await conn.rollback()
        return
    raw = await conn.get_raw_connection()
    if raw.driver_connection is not None and raw.driver_connection.in_transaction:
        await conn.exec_driver_sql("COMMIT")
    await conn.rollback()


def is_busy(exc: DBAPIError) -> bool:
    """SQLITE_BUSY or one of its extended codes: another connection holds the lock."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


async def _check_foreign_keys(conn: AsyncConnection) -> None:
    violations = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
    described = [f"{row[0]} row {row[1]} → {row[2]}" for row in violations]
    if described:
        shown = ", ".join(described[:5]) + (" …" if len(described) > 5 else "")
        raise StoreError(f"{len(described)} foreign key violation(s) after schema change: {shown}")
