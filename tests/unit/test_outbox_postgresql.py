"""The outbox on PostgreSQL: claims lock rows with ``FOR UPDATE SKIP LOCKED`` instead of the
store-wide write lock, so claimers in several processes (each its own ``Database``, i.e. its
own pool) never get the same row, together drain the outbox, and never wait for each other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.production import repo_claims
from bot.store.database import Database
from bot.store.migrate import migrate
from tests.unit.test_production_worker import FakeClock, publish, subscribe

SERVERS = 120


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[Database]:
    database = await Database.open(postgres_url)
    await migrate(database)
    yield database
    await database.close()


async def processes(url: str, count: int) -> list[Database]:
    return [await Database.open(url) for _ in range(count)]


async def test_concurrent_claimers_never_share_a_row_and_claim_them_all(
    pg: Database, postgres_url: str
) -> None:
    clock = FakeClock()
    await subscribe(pg, SERVERS, clock)
    await publish(pg, clock)
    claimers = await processes(postgres_url, 6)
    claimed: dict[str, list[tuple[int, int]]] = {}

    async def drain(db: Database, name: str) -> None:
        mine = claimed.setdefault(name, [])
        while batch := await repo_claims.claim_due(
            db, worker_id=name, now=clock(), lease=60.0, limit=7
        ):
            mine.extend((d.update_id, d.guild_id) for d in batch)
            assert all(d.claimed_by == name for d in batch)

    try:
        await asyncio.gather(*(drain(db, f"p{i}") for i, db in enumerate(claimers)))
    finally:
        for db in claimers:
            await db.close()
    every = [key for keys in claimed.values() for key in keys]
    assert len(every) == SERVERS and len(set(every)) == SERVERS  # all, none twice
    assert sum(1 for keys in claimed.values() if keys) > 1  # really shared out
    holders = await pg.fetch_all(
        "SELECT claimed_by, COUNT(*) AS n FROM production_deliveries GROUP BY claimed_by"
    )
    assert {row["claimed_by"]: row["n"] for row in holders} == {
        name: len(keys) for name, keys in claimed.items() if keys
    }


async def test_a_claimer_skips_rows_locked_by_an_open_transaction_instead_of_waiting(
    pg: Database, postgres_url: str
) -> None:
    clock = FakeClock()
    await subscribe(pg, 30, clock)
    await publish(pg, clock)
    (other,) = await processes(postgres_url, 1)
    try:
        # Another process is in the middle of a write (the store's write lock held) and has
        # locked ten due rows, as its own claim would.
        async with pg.transaction() as conn:
            locked = await conn.execute_fetchall(
                "SELECT guild_id FROM production_deliveries ORDER BY guild_id LIMIT 10 "
                "FOR UPDATE"
            )
            # Without SKIP LOCKED (or under the write lock) this waits for the open
            # transaction and times out.
            batch = await asyncio.wait_for(
                repo_claims.claim_due(other, worker_id="b", now=clock(), lease=60.0, limit=50),
                timeout=3.0,
            )
            assert len(batch) == 20
            assert not {d.guild_id for d in batch} & {row["guild_id"] for row in locked}
            await conn.execute("SELECT 1")  # still open; it ends (changing nothing) here
        rest = await repo_claims.claim_due(other, worker_id="b", now=clock(), lease=60.0, limit=50)
        assert {d.guild_id for d in rest} == {row["guild_id"] for row in locked}
    finally:
        await other.close()
