"""The bot's database: SQLite (one file, the default) or PostgreSQL, behind one API.

Every write goes through :meth:`Database.transaction`, reads through ``fetch_*`` or
:meth:`Database.snapshot`. SQL is written once, with ``?`` placeholders, and runs on either
engine through SQLAlchemy Core (see :mod:`bot.store.sqltext` and :mod:`bot.store.connection`);
the engines themselves live in :mod:`bot.store.engine_sqlite` and
:mod:`bot.store.engine_postgres`.

On both, exclusive write transactions run one at a time: SQLite's ``BEGIN IMMEDIATE`` (and
an ``asyncio.Lock`` within the process) on one, a transaction-scoped advisory lock on the
other. The outbox's exactly-once rules rest on that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bot.store.connection import Connection, Row
from bot.store.engine_postgres import PostgresEngine
from bot.store.engine_sqlite import SQLiteEngine
from bot.store.errors import StoreError
from bot.store.sqltext import Params
from bot.store.url import StoreUrl

__all__ = ["Connection", "Database", "Params", "Row", "StoreError"]

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 5.0  # seconds another *process* may hold the write lock before we give up


class Database:
    """Open with :meth:`open`, always :meth:`close` (or ``async with``).

    An in-memory SQLite database is not supported: the writer and the reader share one file.
    """

    def __init__(self, url: StoreUrl, engine: SQLiteEngine | PostgresEngine) -> None:
        self.url = url
        self._engine = engine
        self._write_lock = asyncio.Lock()
        # asyncio.Lock is not re-entrant: remember who holds a transaction so a nested one
        # fails loudly instead of deadlocking.
        self._write_owners: set[asyncio.Task[Any] | None] = set()
        self._closed = False

    @classmethod
    async def open(
        cls, target: Path | str | StoreUrl, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> Database:
        """Open a SQLite file (a path; its directory is created) or a ``postgresql://`` URL."""
        url = target if isinstance(target, StoreUrl) else StoreUrl.parse(target)
        engine: SQLiteEngine | PostgresEngine
        if url.path is not None:
            engine = await SQLiteEngine.open(url.path, busy_timeout=busy_timeout)
        else:
            engine = await PostgresEngine.open(url, busy_timeout=busy_timeout)
        log.debug("opened database %s", url)
        return cls(url, engine)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect

    @property
    def where(self) -> str:
        """The file or the server, for messages (never the password)."""
        return self.url.redacted()

    @property
    def path(self) -> Path:
        """The SQLite file; a PostgreSQL database has none (StoreError)."""
        if self.url.path is None:
            raise StoreError(f"database {self.where} is on PostgreSQL, not a file")
        return self.url.path

    @property
    def sqlite(self) -> SQLiteEngine | None:
        """The SQLite engine (for its own tests and mechanics), None on PostgreSQL."""
        return self._engine if isinstance(self._engine, SQLiteEngine) else None

    async def close(self) -> None:
        """Close every connection. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await self._engine.close()
        log.debug("closed database %s", self.url)

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
        self, *, schema_change: bool = False, exclusive: bool = True
    ) -> AsyncIterator[Connection]:
        """One write transaction: commits when the block ends, rolls back if it raises.

        Exclusive (the default): no other exclusive transaction, in this process or another,
        runs at the same time — SQLite's ``BEGIN IMMEDIATE`` takes the write lock up front
        (so a read-then-write can't fail half-way with SQLITE_BUSY), PostgreSQL takes the
        store's advisory lock. ``exclusive=False`` (PostgreSQL only; SQLite has one writer
        anyway) is for hot paths that lock their own rows (``FOR UPDATE SKIP LOCKED``).

        ``schema_change=True`` is for migrations that rebuild tables (SQLite: foreign keys
        are checked before commit instead of statement by statement).
        """
        self._check_open()
        task = asyncio.current_task()
        if task in self._write_owners:
            raise StoreError("a transaction is already open in this task; nest the work instead")
        engine = self._engine
        self._write_owners.add(task)
        try:
            if isinstance(engine, SQLiteEngine):
                async with self._write_lock, engine.write(schema_change=schema_change) as conn:
                    yield conn
            elif exclusive:
                async with self._write_lock, engine.write(exclusive=True) as conn:
                    yield conn
            else:
                async with engine.write(exclusive=False) as conn:
                    yield conn
        finally:
            self._write_owners.discard(task)

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        """A consistent view for several reads (e.g. rebuilding the whole pack): later
        commits stay invisible until the block ends. Keep it short; on SQLite an open
        snapshot holds back WAL checkpoints."""
        self._check_open()
        async with self._engine.snapshot() as conn:
            yield conn

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows of a query (never waits for a writer)."""
        self._check_open()
        return await self._engine.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"database {self.where} is closed")
