"""The SQLite engine: one file, a writer connection, a reader and a snapshot connection.

aiosqlite runs each connection's statements one after another on its own thread, so two
coroutines sharing a connection would interleave inside each other's transactions. Hence:
every write goes through :meth:`SQLiteEngine.write`, called under the ``Database``'s
``asyncio.Lock`` for the whole ``BEGIN IMMEDIATE`` … ``COMMIT``; reads go to a separate
connection that, thanks to WAL, never waits for the writer (and the writer never waits for
it). Snapshots get a connection of their own so a long read never blocks the short ones.

SQLAlchemy owns the engine, the pool and the connections (the connect hook sets the
pragmas and puts sqlite3 in autocommit mode, as its SQLite documentation prescribes); the
statements, BEGIN IMMEDIATE and COMMIT run on the aiosqlite connection under it. Going
through SQLAlchemy's aiosqlite adapter costs four trips to the driver's thread per statement
and its transaction bookkeeping on top: measured (bench/store.py), reads took 2.5× and
writes 1.5–2× as long. The ``?`` SQL is sqlite3's own syntax, so nothing is lost.

Cancellation: aiosqlite runs a queued statement on its thread whether or not anyone still
awaits it. Our own statements are seen through to their end (``_settled``) and ROLLBACK is
queued behind whatever a cancelled body statement left running, so the writer is always
back to "no transaction" before the lock is released.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.connection import Connection, wrapped
from bot.store.errors import StoreError
from bot.store.uncancellable import uncancellable
from bot.store.url import StoreUrl

# Between BEGIN IMMEDIATE attempts while another process holds the write lock (SQLite's own
# busy handler backs off from 1 ms to 100 ms the same way).
_FIRST_RETRY_DELAY = 0.001
_MAX_RETRY_DELAY = 0.025

T = TypeVar("T")


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
        # Rows read by name or position (the store's statements run on the driver).
        dbapi_connection.driver_connection.row_factory = aiosqlite.Row
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
        # Reads run on the reader's aiosqlite connection, whose one thread takes them in
        # turn; the lock only guards fetching that connection the first time.
        self._read_lock = asyncio.Lock()
        self._reader_driver: aiosqlite.Connection | None = None
        self._writer_driver: aiosqlite.Connection
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
        engine = cls(writer_engine, reader_engine, writer, reader, busy_timeout=busy_timeout)
        engine._writer_driver = await _driver(writer)
        return engine

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
    async def write(self, *, schema_change: bool) -> AsyncIterator[Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` on the writer; the caller holds the write lock.

        ``schema_change=True`` is for migrations that rebuild tables: foreign-key
        enforcement is off during the transaction (otherwise dropping a referenced table
        deletes or rejects rows) and every foreign key is checked before commit instead, as
        SQLite's ALTER TABLE procedure prescribes.
        """
        driver = self._writer_driver
        # Cancellation may land at any await below. Our own statements are seen through to
        # their end (_settled) so the state is known, and the finally block puts the
        # connection back to "no transaction" before the lock is released.
        try:
            if schema_change:
                await _settled(driver, _run(driver, "PRAGMA foreign_keys = OFF"))
            await self._begin_immediate(driver)
            yield Connection(self.writer, driver)
            if schema_change:
                await _check_foreign_keys(driver)
            # A cancellation during COMMIT lets it finish (the work is then committed) and
            # is re-raised after.
            await _settled(driver, _run(driver, "COMMIT"))
        finally:
            if driver.in_transaction or schema_change:  # not after a plain COMMIT
                await uncancellable(_reset_writer(driver, schema_change=schema_change))

    async def _begin_immediate(self, driver: aiosqlite.Connection) -> None:
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
                await _settled(driver, _run(driver, "BEGIN IMMEDIATE"))
                return
            except DBAPIError as exc:
                remaining = deadline - loop.time()
                if not is_busy(exc) or remaining <= 0:
                    raise
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, _MAX_RETRY_DELAY)

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        """A read transaction on a connection of its own: later commits stay invisible."""
        async with self._snapshot_lock, self._reader_engine.connect() as conn:
            driver = await _driver(conn)
            try:
                await _settled(driver, _run(driver, "BEGIN"))
                # BEGIN is deferred: the snapshot starts at the first read, so take it now.
                await _run(driver, "SELECT 1 FROM sqlite_master LIMIT 1")
                yield Connection(conn, driver)
            finally:
                # Even when cancelled before BEGIN came back: a read left open would hold
                # back checkpoints and make the next snapshot fail.
                if driver.in_transaction:
                    await uncancellable(_run(driver, "COMMIT"))

    async def fetch_all(self, sql: str, params: Any) -> list[Any]:
        """A query on the reader, straight on its aiosqlite connection (one trip to its
        thread; see :class:`~bot.store.connection.Connection`). A cancelled read leaves the
        statement to finish on that thread; nothing is held open by it."""
        driver = self._reader_driver
        if driver is None:
            async with self._read_lock:
                driver = self._reader_driver = await _driver(self.reader)
        try:
            return list(await driver.execute_fetchall(sql, params))
        except sqlite3.Error as exc:
            raise wrapped(exc, sql, params) from exc

    async def in_transaction(self) -> bool:
        """Whether the writer has a transaction open (for tests), once what a cancelled
        await left queued on its thread has run."""
        await self._writer_driver.execute("SELECT 1")
        return bool(self._writer_driver.in_transaction)


async def _driver(conn: AsyncConnection) -> aiosqlite.Connection:
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, aiosqlite.Connection)
    return driver


async def _run(driver: aiosqlite.Connection, sql: str) -> None:
    try:
        await driver.execute(sql)
    except sqlite3.Error as exc:
        raise wrapped(exc, sql, ()) from exc


async def _settled(driver: aiosqlite.Connection, statement: Awaitable[T]) -> T:
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
        await uncancellable(driver.execute("SELECT 1"))
        raise


async def _reset_writer(driver: aiosqlite.Connection, *, schema_change: bool) -> None:
    """Leave the writer with no open transaction (and foreign keys on) for the next user."""
    # A body statement abandoned by a cancellation may still be queued; ROLLBACK queues
    # behind it on the connection's one thread, so the order holds.
    if driver.in_transaction:
        await _run(driver, "ROLLBACK")
    if schema_change:
        await _run(driver, "PRAGMA foreign_keys = ON")


def is_busy(exc: DBAPIError) -> bool:
    """SQLITE_BUSY or one of its extended codes: another connection holds the lock."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


async def _check_foreign_keys(driver: aiosqlite.Connection) -> None:
    violations = await driver.execute_fetchall("PRAGMA foreign_key_check")
    described = [f"{row[0]} row {row[1]} → {row[2]}" for row in violations]
    if described:
        shown = ", ".join(described[:5]) + (" …" if len(described) > 5 else "")
        raise StoreError(f"{len(described)} foreign key violation(s) after schema change: {shown}")
