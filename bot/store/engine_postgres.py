"""The PostgreSQL engine: an asyncpg connection pool through SQLAlchemy.

Writers are serialised across every process exactly like SQLite's ``BEGIN IMMEDIATE``: an
exclusive transaction takes ``pg_advisory_xact_lock(ADVISORY_LOCK_KEY)`` right after BEGIN
and holds it until COMMIT or ROLLBACK. The exactly-once rules of the outbox were proven under
that one-writer-at-a-time rule, so they carry over unchanged. A hot path that locks its own
rows instead (``FOR UPDATE SKIP LOCKED``) asks for ``exclusive=False``.

Reads take a pooled connection in autocommit mode (one round trip, no lock); a snapshot is a
``REPEATABLE READ READ ONLY`` transaction. A cancellation inside a statement makes SQLAlchemy
invalidate the connection (asyncpg closes it; the server rolls back whatever was open).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.store.connection import Connection, Row, rows_of
from bot.store.errors import StoreError
from bot.store.sqltext import Params, bind
from bot.store.uncancellable import uncancellable
from bot.store.url import StoreUrl

# The store-wide write lock's key ("Gold"); any constant works as long as every process of
# the bot uses the same one.
ADVISORY_LOCK_KEY = 0x476F6C64
_TAKE_WRITE_LOCK = text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY:d})")
CONNECT_TIMEOUT = 10.0  # seconds
# A session idle inside a transaction this long is ended by the server, which rolls the
# transaction back and frees its locks — the store's advisory write lock included. Our
# transactions run statement after statement for milliseconds; a process frozen in the middle
# of one (SIGSTOP, a debugger, a paused VM) would otherwise stop every other process's
# writes until it resumed. Equal to the sender lease, so the standby that takes over from a
# frozen sender can write by then.
IDLE_IN_TRANSACTION_TIMEOUT = 15.0  # seconds


def describe_connect_error(url: StoreUrl, exc: BaseException) -> str:
    """One line for an operator: what failed, where, what to do (no traceback, no password)."""
    reason = _reason(exc)
    return (
        f"cannot connect to PostgreSQL at {url.host} ({reason}); check that the server runs "
        f"and that DATABASE_URL ({url.redacted()}) names the right host, port, user, "
        "password and database"
    )


def _reason(exc: BaseException) -> str:
    inner: BaseException = getattr(exc, "orig", None) or exc
    name = type(inner).__name__
    message = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused"
    if isinstance(inner, TimeoutError):
        return "no answer in time"
    return f"{name}: {message}" if message else name


class PostgresEngine:
    dialect = "postgresql"

    def __init__(self, engine: AsyncEngine, url: StoreUrl) -> None:
        self._engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.url = url

    @classmethod
    async def open(cls, url: StoreUrl, *, busy_timeout: float) -> PostgresEngine:
        engine = create_async_engine(
            url.sqlalchemy_url,
            pool_size=10,
            max_overflow=10,
            # Reads run in autocommit: returning them to the pool needs no ROLLBACK.
            skip_autocommit_rollback=True,
            connect_args={
                "timeout": CONNECT_TIMEOUT,
                # Like SQLite's busy timeout: a writer waits this long for another's lock.
                "server_settings": {
                    "lock_timeout": str(int(busy_timeout * 1000)),
                    "idle_in_transaction_session_timeout": str(
                        int(IDLE_IN_TRANSACTION_TIMEOUT * 1000)
                    ),
                    "application_name": "goldenhour",
                },
            },
        )
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            await engine.dispose()
            raise StoreError(describe_connect_error(url, exc)) from None
        return cls(engine, url)

    async def close(self) -> None:
        await self._engine.dispose()

    @contextlib.asynccontextmanager
    async def write(self, *, exclusive: bool) -> AsyncIterator[Connection]:
        async with self._engine.connect() as conn:
            try:
                await conn.begin()
                if exclusive:
                    await conn.execute(_TAKE_WRITE_LOCK)
                yield Connection(conn)
                await conn.commit()
            finally:
                if conn.invalidated or conn.in_transaction():
                    await uncancellable(conn.rollback())

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        async with self._engine.connect() as conn:
            await conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            try:
                await conn.begin()
                yield Connection(conn)
                await conn.commit()
            finally:
                if conn.invalidated or conn.in_transaction():
                    await uncancellable(conn.rollback())

    async def fetch_all(self, sql: str, params: Params) -> list[Row]:
        clause, values = bind(sql, params, typed=True)
        async with self._autocommit.connect() as conn:
            return rows_of(await conn.execute(clause, values))
