"""The outbox on PostgreSQL: claims lock rows with ``FOR UPDATE SKIP LOCKED`` instead of the
store-wide write lock, so claimers in several processes (each its own ``Database``, i.e. its
own pool) never get the same row, together drain the outbox, and never wait for each other;
and whatever queues rows wakes the sender through ``NOTIFY`` on commit, over a listening
connection that comes back after a drop."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.production import repo_claims, repo_deliveries, repo_results, repo_updates
from bot.production.models import Edited, LocalizedText
from bot.production.outbox_wake import OUTBOX_CHANNEL, outbox_listener, outbox_queued
from bot.production.repo_rows import DeliveryKey
from bot.store.database import Database
from bot.store.migrate import migrate
from bot.store.notify import NoWakeSource, PostgresListener
from bot.store.url import StoreUrl
from tests.unit.test_production_worker import DRAFT, FakeClock, publish, subscribe

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
                "SELECT guild_id FROM production_deliveries ORDER BY guild_id LIMIT 10 FOR UPDATE"
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


class Wakes:
    """Counts wake-ups and lets a test wait for the next one."""

    def __init__(self) -> None:
        self.count = 0
        self._event = asyncio.Event()

    def __call__(self) -> None:
        self.count += 1
        self._event.set()

    async def next(self, within: float = 5.0) -> None:
        await asyncio.wait_for(self._event.wait(), within)
        self._event.clear()

    async def none_for(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return True
        return False


@pytest.fixture
async def listening(
    pg: Database, postgres_url: str
) -> AsyncIterator[tuple[Wakes, PostgresListener]]:
    """The sender's side in another process: its own Database, listening for outbox work."""
    sender_db = await Database.open(postgres_url)
    source = outbox_listener(sender_db)
    assert isinstance(source, PostgresListener)
    wakes = Wakes()
    await source.start(wakes)
    await wakes.next()  # the first wake-up comes with the LISTEN (missed nothing yet)
    yield wakes, source
    await source.stop()
    await sender_db.close()


async def test_every_write_that_queues_work_wakes_the_listener_on_commit(
    pg: Database, listening: tuple[Wakes, PostgresListener]
) -> None:
    wakes, _ = listening
    clock = FakeClock()
    await subscribe(pg, 3, clock)
    assert await wakes.none_for(0.3), "subscribing queues nothing"
    published = await publish(pg, clock)
    await wakes.next()
    update_id = published.update.update_id
    for row in await repo_claims.claim_due(pg, worker_id="w", now=clock(), lease=60.0, limit=9):
        await repo_results.record_failed(
            pg,
            DeliveryKey.of(row),
            worker_id="w",
            attempts=1,
            code=None,
            error="gone",
            attention=False,
            now=clock(),
        )
    assert await wakes.none_for(0.3), "the sender's own results queue nothing new"
    requeued = await repo_deliveries.requeue_failed(pg, update_id, now=clock())
    assert requeued.sends == 3
    await wakes.next()  # /production retry
    corrected = replace(
        DRAFT, body=LocalizedText("Filming began on Monday.", "월요일에 시작됐어요.")
    )
    edited = await repo_updates.edit_update(
        pg, update_id, corrected, editor_id=1, now=clock(), expected_revision=1
    )
    assert isinstance(edited, Edited)
    await wakes.next()  # /production edit
    await repo_updates.retract_update(pg, update_id, reason="wrong", retracted_by=1, now=clock())
    await wakes.next()  # /production retract


async def test_nothing_is_notified_when_the_transaction_rolls_back(
    pg: Database, listening: tuple[Wakes, PostgresListener]
) -> None:
    wakes, _ = listening
    with pytest.raises(RuntimeError):
        async with pg.transaction() as conn:
            await outbox_queued(conn, 1)
            raise RuntimeError("changed my mind")
    assert await wakes.none_for(0.5)
    async with pg.transaction() as conn:
        await outbox_queued(conn, 1)
        assert await wakes.none_for(0.2), "not before the commit"
    await wakes.next()


async def test_the_listener_reconnects_after_its_session_is_killed_with_one_line(
    pg: Database,
    listening: tuple[Wakes, PostgresListener],
    caplog: pytest.LogCaptureFixture,
) -> None:
    wakes, source = listening
    source.retry_first = 0.05
    caplog.set_level(logging.INFO, logger="bot.store.notify")
    killed = await pg.fetch_value(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'goldenhour-listen'"
    )
    assert killed == 1
    await wakes.next()  # reconnected: it wakes once for whatever it may have missed
    assert source.connects == 2
    async with pg.transaction() as conn:
        await outbox_queued(conn, 7)
    await wakes.next()
    lost = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(lost) == 1 and "lost the PostgreSQL connection listening" in lost[0].getMessage()
    assert lost[0].exc_info is None and OUTBOX_CHANNEL in lost[0].getMessage()


async def test_on_sqlite_nothing_listens_and_nothing_is_sent(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "golden.db")
    try:
        assert isinstance(outbox_listener(db), NoWakeSource)
        async with db.transaction() as conn:
            await outbox_queued(conn, 1)  # no statement on SQLite
    finally:
        await db.close()


async def test_a_server_that_is_down_is_one_line_and_retried_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])  # nothing listens once the socket is closed
    url = StoreUrl.parse(f"postgresql://gh:secret-pw@127.0.0.1:{port}/golden")
    source = PostgresListener(url, OUTBOX_CHANNEL, retry_first=0.02, retry_max=0.05)
    caplog.set_level(logging.INFO, logger="bot.store.notify")
    await source.start(Wakes())
    await asyncio.sleep(0.5)  # several attempts
    await source.stop()
    lines = [r for r in caplog.records if r.name == "bot.store.notify"]
    assert len(lines) == 1 and lines[0].exc_info is None, lines
    message = lines[0].getMessage()
    assert f"127.0.0.1:{port}" in message and "secret-pw" not in message
    assert source.connects == 0
