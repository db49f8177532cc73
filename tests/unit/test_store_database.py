"""The Database wrapper: pragmas, transactions, concurrency, the meta table."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.store.database import Database, StoreError
from bot.store.meta import MetaTable

COUNTER_TABLE = "CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL) STRICT"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "golden.db")
    try:
        yield database
    finally:
        await database.close()


async def make_counter(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(COUNTER_TABLE)
        await conn.execute("INSERT INTO counter (id, value) VALUES (1, 0)")


async def increment(db: Database) -> None:
    """Read-modify-write with a yield in between: interleaves if transactions are not serialised."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT value FROM counter WHERE id = 1") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        await asyncio.sleep(0)
        await conn.execute("UPDATE counter SET value = ? WHERE id = 1", (row[0] + 1,))


async def test_open_creates_the_parent_directory(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "golden.db"
    async with await Database.open(path) as database:
        assert await database.fetch_value("SELECT 1") == 1
    assert path.exists()


@pytest.mark.parametrize("reopen", [False, True], ids=["new-file", "existing-file"])
async def test_every_connection_has_the_pragmas(tmp_path: Path, reopen: bool) -> None:
    path = tmp_path / "golden.db"
    if reopen:
        async with await Database.open(path):
            pass
    async with await Database.open(path, busy_timeout=5.0) as database:
        expected = {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "synchronous": 1,
        }
        # The writer waits for other processes itself, cancellably (see _begin_immediate).
        writer_expected = {**expected, "busy_timeout": 0}
        async with database.transaction() as writer:
            for pragma, value in writer_expected.items():
                async with writer.execute(f"PRAGMA {pragma}") as cursor:
                    row = await cursor.fetchone()
                assert row is not None and row[0] == value, f"writer {pragma}"
        for pragma, value in expected.items():
            assert await database.fetch_value(f"PRAGMA {pragma}") == value, f"reader {pragma}"


async def test_foreign_keys_are_enforced(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT")
        await conn.execute(
            "CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent (id)) STRICT"
        )
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO child (parent_id) VALUES (42)")


async def test_transaction_commits_on_success(db: Database) -> None:
    await make_counter(db)
    async with db.transaction() as conn:
        await conn.execute("UPDATE counter SET value = 7")
    assert await db.fetch_value("SELECT value FROM counter") == 7


async def test_transaction_rolls_back_on_exception(db: Database) -> None:
    await make_counter(db)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction() as conn:
            await conn.execute("UPDATE counter SET value = 99")
            await conn.execute("INSERT INTO counter (id, value) VALUES (2, 5)")
            raise Boom
    assert [tuple(row) for row in await db.fetch_all("SELECT id, value FROM counter")] == [(1, 0)]
    # The writer is usable again: the lock was released and no transaction is left open.
    await increment(db)
    assert await db.fetch_value("SELECT value FROM counter") == 1


async def test_cancelled_transaction_rolls_back_and_releases_the_writer(db: Database) -> None:
    await make_counter(db)
    inside = asyncio.Event()

    async def interrupted() -> None:
        async with db.transaction() as conn:
            await conn.execute("UPDATE counter SET value = 99")
            inside.set()
            await asyncio.Event().wait()  # until cancelled

    task = asyncio.create_task(interrupted())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await increment(db)
    assert await db.fetch_value("SELECT value FROM counter") == 1


def other_process(path: Path) -> sqlite3.Connection:
    """A second connection, like `python -m bot seed` or a sqlite3 shell: no waiting at all."""
    return sqlite3.connect(path, isolation_level=None, timeout=0)


async def drain_writer(db: Database) -> None:
    """Let the writer's thread run whatever a cancelled await left queued (it runs in order)."""
    await db._writer.execute("SELECT 1")


def cancel_when(
    conn_task: list[asyncio.Task[None]], sql: str, loop: asyncio.AbstractEventLoop
) -> Callable[[str], None]:
    """A trace callback: when ``sql`` starts on the connection's thread, cancel the task and
    keep the statement running a little, so the cancellation lands while it is in flight."""

    def on_statement(statement: str) -> None:
        if statement == sql:
            loop.call_soon_threadsafe(conn_task[0].cancel)
            time.sleep(0.2)

    return on_statement


async def test_cancel_while_begin_waits_for_another_process_leaves_no_transaction(
    tmp_path: Path,
) -> None:
    path = tmp_path / "golden.db"
    async with await Database.open(path) as db:
        await make_counter(db)
        other = other_process(path)
        try:
            other.execute("BEGIN IMMEDIATE")  # the other process holds the write lock
            task = asyncio.create_task(increment(db))
            await asyncio.sleep(0.2)
            assert not task.done(), "the bot should be waiting for the lock"
            task.cancel()
            other.execute("COMMIT")  # ... and lets go
            with pytest.raises(asyncio.CancelledError):
                await task
            await drain_writer(db)
            assert not db._writer.in_transaction, "a transaction was left open on the writer"
            # (a) the other process can write at once: the bot holds no lock.
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE counter SET value = 10")
            other.execute("COMMIT")
        finally:
            other.close()
        # (b) the bot's next write works.
        await increment(db)
        assert await db.fetch_value("SELECT value FROM counter") == 11


async def test_cancel_during_commit_finishes_it_and_leaves_the_writer_clean(db: Database) -> None:
    await make_counter(db)
    task: list[asyncio.Task[None]] = []
    trace = cancel_when(task, "COMMIT", asyncio.get_running_loop())

    async def write() -> None:
        async with db.transaction() as conn:
            await conn.set_trace_callback(trace)
            await conn.execute("UPDATE counter SET value = 42")

    task.append(asyncio.create_task(write()))
    # The task sees its cancellation (not a failed ROLLBACK issued while COMMIT was running).
    with pytest.raises(asyncio.CancelledError):
        await task[0]
    async with db.transaction() as conn:
        await conn.set_trace_callback(None)
    assert not db._writer.in_transaction
    # COMMIT had started: it completes, so the work is there.
    assert await db.fetch_value("SELECT value FROM counter") == 42
    await increment(db)
    assert await db.fetch_value("SELECT value FROM counter") == 43


@pytest.mark.parametrize("schema_change", [False, True], ids=["plain", "schema-change"])
async def test_cancel_while_a_statement_of_the_body_runs_rolls_back(
    db: Database, schema_change: bool
) -> None:
    await make_counter(db)
    task: list[asyncio.Task[None]] = []
    update = "UPDATE counter SET value = 99"
    trace = cancel_when(task, update, asyncio.get_running_loop())

    async def write() -> None:
        async with db.transaction(schema_change=schema_change) as conn:
            await conn.set_trace_callback(trace)
            await conn.execute(update)
            await conn.execute("UPDATE counter SET value = 100")

    task.append(asyncio.create_task(write()))
    with pytest.raises(asyncio.CancelledError):
        await task[0]
    await drain_writer(db)
    assert not db._writer.in_transaction
    async with db.transaction() as conn:
        await conn.set_trace_callback(None)
        async with conn.execute("PRAGMA foreign_keys") as cursor:
            assert tuple(await cursor.fetchone() or ()) == (1,)
    assert await db.fetch_value("SELECT value FROM counter") == 0
    await increment(db)
    assert await db.fetch_value("SELECT value FROM counter") == 1


async def test_cancel_while_a_snapshot_begins_leaves_no_read_open(db: Database) -> None:
    await make_counter(db)
    task: list[asyncio.Task[None]] = []
    trace = cancel_when(task, "BEGIN", asyncio.get_running_loop())
    async with db.snapshot() as reader:
        await reader.set_trace_callback(trace)

    async def read() -> None:
        async with db.snapshot():
            pass

    task.append(asyncio.create_task(read()))
    with pytest.raises(asyncio.CancelledError):
        await task[0]
    await db.fetch_value("SELECT 1")  # the reader's thread has run what was queued
    assert not db._reader.in_transaction, "a read transaction was left open"
    async with db.snapshot() as reader:
        await reader.set_trace_callback(None)
    await increment(db)
    async with db.snapshot() as reader, reader.execute("SELECT value FROM counter") as cursor:
        assert tuple(await cursor.fetchone() or ()) == (1,)


async def test_a_write_waits_for_another_process_then_times_out(tmp_path: Path) -> None:
    """The writer's own wait keeps the busy timeout's meaning: it waits, then says so."""
    path = tmp_path / "golden.db"
    async with await Database.open(path, busy_timeout=0.3) as db:
        await make_counter(db)
        other = other_process(path)
        try:
            other.execute("BEGIN IMMEDIATE")
            waiting = asyncio.create_task(increment(db))
            await asyncio.sleep(0.1)
            other.execute("COMMIT")
            await waiting  # got the lock once it was free
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await increment(db)
            other.execute("COMMIT")
        finally:
            other.close()
        assert not db._writer.in_transaction
        assert await db.fetch_value("SELECT value FROM counter") == 1


async def test_concurrent_writers_are_serialised(db: Database) -> None:
    await make_counter(db)
    writers = 40
    await asyncio.gather(*(increment(db) for _ in range(writers)))
    assert await db.fetch_value("SELECT value FROM counter") == writers


async def test_two_handles_on_one_file_wait_for_each_other(tmp_path: Path) -> None:
    """Like the bot and `python -m bot seed` at once: the busy timeout, not an error."""
    path = tmp_path / "golden.db"
    async with await Database.open(path) as first, await Database.open(path) as second:
        await make_counter(first)
        per_handle = 15
        await asyncio.gather(
            *(increment(first) for _ in range(per_handle)),
            *(increment(second) for _ in range(per_handle)),
        )
        assert await second.fetch_value("SELECT value FROM counter") == 2 * per_handle


async def test_reads_proceed_while_a_write_transaction_is_open(db: Database) -> None:
    await make_counter(db)
    async with db.transaction() as conn:
        await conn.execute("UPDATE counter SET value = 5")
        # The reader answers at once, from the last committed state.
        assert await db.fetch_value("SELECT value FROM counter") == 0
        assert await db.fetch_one("SELECT value FROM counter") is not None
    assert await db.fetch_value("SELECT value FROM counter") == 5


async def test_writes_commit_while_a_read_snapshot_is_open(db: Database) -> None:
    """WAL: an open read does not hold up a commit (a rollback journal would wait, then fail)."""
    await make_counter(db)
    async with db.snapshot() as reader:
        async with reader.execute("SELECT value FROM counter") as cursor:
            before = await cursor.fetchone()
        await increment(db)
        async with reader.execute("SELECT value FROM counter") as cursor:
            during = await cursor.fetchone()
        assert before is not None and during is not None
        assert during[0] == before[0] == 0  # the snapshot stays consistent
    assert await db.fetch_value("SELECT value FROM counter") == 1


async def test_the_reader_refuses_writes(db: Database) -> None:
    await make_counter(db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.fetch_all("UPDATE counter SET value = 3")
    assert await db.fetch_value("SELECT value FROM counter") == 0


async def test_fetch_helpers(db: Database) -> None:
    await make_counter(db)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO counter (id, value) VALUES (?, ?)", (2, 20))
    rows = await db.fetch_all("SELECT id, value FROM counter WHERE value >= ? ORDER BY id", (0,))
    assert [(row["id"], row["value"]) for row in rows] == [(1, 0), (2, 20)]
    assert await db.fetch_one("SELECT id FROM counter WHERE value = ?", (99,)) is None
    assert await db.fetch_value("SELECT value FROM counter WHERE id = :id", {"id": 2}) == 20
    assert await db.fetch_value("SELECT value FROM counter WHERE id = 3") is None


async def test_nested_transaction_fails_instead_of_deadlocking(db: Database) -> None:
    await make_counter(db)
    with pytest.raises(StoreError, match="already open"):
        async with db.transaction(), db.transaction():
            pass
    await increment(db)
    assert await db.fetch_value("SELECT value FROM counter") == 1


async def test_schema_change_checks_foreign_keys_before_commit(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT")
        await conn.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id)) STRICT")
    with pytest.raises(StoreError, match="foreign key violation"):
        async with db.transaction(schema_change=True) as conn:
            await conn.execute("INSERT INTO child (parent_id) VALUES (1)")
    assert await db.fetch_value("SELECT count(*) FROM child") == 0
    # Enforcement is back on for ordinary transactions.
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO child (parent_id) VALUES (1)")


async def test_close_is_idempotent_and_final(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "golden.db")
    await database.close()
    await database.close()
    with pytest.raises(StoreError, match="closed"):
        await database.fetch_value("SELECT 1")
    with pytest.raises(StoreError, match="closed"):
        async with database.transaction():
            pass


async def test_meta_table_set_get_delete_and_persist(tmp_path: Path) -> None:
    path = tmp_path / "golden.db"
    async with await Database.open(path) as database:
        async with database.transaction() as conn:
            await conn.execute(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"
            )
        meta = MetaTable(database)
        assert await meta.get("command_tree_hash") is None
        await meta.set("command_tree_hash", "abc")
        await meta.set("command_tree_hash", "def")
        await meta.set("other", "1")
        await meta.delete("other")
    async with await Database.open(path) as database:
        meta = MetaTable(database)
        assert await meta.get("command_tree_hash") == "def"
        assert await meta.get("other") is None
