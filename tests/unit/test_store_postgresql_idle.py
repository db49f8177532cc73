"""A process frozen inside a write transaction on PostgreSQL (SIGSTOP, a debugger, a paused
VM) must not hold the store's write lock for ever: every session the bot opens has
``idle_in_transaction_session_timeout``, so the server ends the frozen transaction, frees the
lock for the other processes, and the frozen one's work is rolled back, not half-done."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import DBAPIError

from bot.store import engine_postgres
from bot.store.database import Database, StoreError


async def test_every_session_has_the_idle_in_transaction_timeout(postgres_url: str) -> None:
    async with await Database.open(postgres_url) as db:
        assert await db.fetch_value("SHOW idle_in_transaction_session_timeout") == "15s"
        async with db.transaction() as conn:
            rows = await conn.execute_fetchall("SHOW idle_in_transaction_session_timeout")
        assert rows[0][0] == "15s"
        async with db.snapshot() as conn:
            rows = await conn.execute_fetchall("SHOW idle_in_transaction_session_timeout")
        assert rows[0][0] == "15s"


async def test_a_frozen_writer_loses_the_write_lock_and_its_work(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_postgres, "IDLE_IN_TRANSACTION_TIMEOUT", 0.5)
    async with (
        await Database.open(postgres_url) as frozen,
        await Database.open(postgres_url, busy_timeout=5.0) as other,
    ):
        async with other.transaction() as conn:
            await conn.execute("CREATE TABLE counter (value INTEGER NOT NULL)")
            await conn.execute("INSERT INTO counter VALUES (0)")
        holding = asyncio.Event()

        async def freeze() -> None:
            async with frozen.transaction() as conn:
                await conn.execute("UPDATE counter SET value = 100")
                holding.set()
                await asyncio.sleep(2.0)  # stopped mid-transaction, the write lock held
                await conn.execute("UPDATE counter SET value = value + 1")

        stuck = asyncio.create_task(freeze())
        await holding.wait()
        # Waits for the lock (up to its 5 s busy timeout), which the server frees at 0.5 s.
        async with asyncio.timeout(4.0), other.transaction() as conn:
            await conn.execute("UPDATE counter SET value = value + 1")
        with pytest.raises((DBAPIError, StoreError)):
            await stuck  # it wakes up to a closed session: nothing of it was committed
        assert await other.fetch_value("SELECT value FROM counter") == 1
