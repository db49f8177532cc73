"""The Database wrapper: pragmas, transactions, concurrency, the meta table.

The fixture ``db`` runs each test on both engines (SQLite and PostgreSQL); the tests of
SQLite's own mechanics (pragmas, another process holding the file's lock, cancellation
while a statement runs on aiosqlite's thread) use SQLite only.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.store.database import Connection, Database, StoreError
from bot.store.engine_sqlite import SQLiteEngine
from bot.store.meta import MetaTable


@pytest.fixture
def target(store_target: Path | str) -> Path | str:
    return store_target


@pytest.fixture
async def db(target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(target)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """For the tests of SQLite's own mechanics."""
    database = await Database.open(tmp_path / "golden.db")
    try:
        yield database
    finally:
        await database.close()


def strict(db: Database) -> str:
    """SQLite tables are STRICT (typed like PostgreSQL's); PostgreSQL has no such keyword."""
    return " STRICT" if db.dialect == "sqlite" else ""


def sqlite_of(db: Database) -> SQLiteEngine:
    engine = db.sqlite
    assert engine is not None
    return engine


async def make_counter(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)" + strict(db)
        )
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
        await conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)" + strict(db))
        await conn.execute(
            "CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent (id))" + strict(db)
        )
    with pytest.raises(IntegrityError, match=r"(?i)FOREIGN KEY"):
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


async def writer_in_transaction(db: Database) -> bool:
    """Whether the writer's driver connection has a transaction open (after a cancellation
    SQLAlchemy may have closed it; the next use reconnects)."""
    return await sqlite_of(db).in_transaction()


async def trace(conn: Connection, callback: Callable[[str], None] | None) -> None:
    """Set a trace callback on the aiosqlite connection under a transaction or snapshot."""
    raw = await conn.sa.get_raw_connection()
    await raw.driver_connection.set_trace_callback(callback)


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
            assert not await writer_in_transaction(db), "a transaction was left open"
            # (a) the other process can write at once: the bot holds no lock.
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE counter SET value = 10")
            other.execute("COMMIT")
        finally:
            other.close()
        # (b) the bot's next write works.
        await increment(db)
        assert await db.fetch_value("SELECT value FROM counter") == 11


async def test_cancel_during_commit_finishes_it_and_leaves_the_writer_clean(
    sqlite_db: Database,
) -> None:
    db = sqlite_db
    await make_counter(db)
    task: list[asyncio.Task[None]] = []
    on_commit = cancel_when(task, "COMMIT", asyncio.get_running_loop())

    async def write() -> None:
        async with db.transaction() as conn:
            await trace(conn, on_commit)
            await conn.execute("UPDATE counter SET value = 42")

    task.append(asyncio.create_task(write()))
    # The task sees its cancellation (not a failed ROLLBACK issued while COMMIT was running).
    with pytest.raises(asyncio.CancelledError):
        await task[0]
    async with db.transaction() as conn:
        await trace(conn, None)
    assert not await writer_in_transaction(db)
    # COMMIT had started: it completes, so the work is there.
    assert await db.fetch_value("SELECT value FROM counter") == 42
    await increment(db)
    assert await db.fetch_value("SELECT value FROM counter") == 43


@pytest.mark.parametrize("schema_change", [False, True], ids=["plain", "schema-change"])
async def test_cancel_while_a_statement_of_the_body_runs_rolls_back(
    sqlite_db: Database, schema_change: bool
) -> None:
    db = sqlite_db
    await make_counter(db)
    task: list[asyncio.Task[None]] = []
    update = "UPDATE counter SET value = 99"
    on_update = cancel_when(task, update, asyncio.get_running_loop())

    async def write() -> None:
        async with db.transaction(schema_change=schema_change) as conn:
            await trace(conn, on_update)
            await conn.execute(update)
            await conn.execute("UPDATE counter SET value = 100")

    task.append(asyncio.create_task(write()))
    with pytest.raises(asyncio.CancelledError):
        await task[0]
    assert not await writer_in_transaction(db)
    async with db.transaction() as conn:
        await trace(conn, None)
        async with conn.execute("PRAGMA foreign_keys") as cursor:
            assert tuple(await cursor.fetchone() or ()) == (1,)
    assert await db.fetch_value("SELECT value FROM counter") == 0
    await increment(db)
    assert await db.fetch_value("SELECT value FROM counter") == 1


async def test_cancel_while_a_snapshot_begins_leaves_no_read_open(sqlite_db: Database) -> None:
    db = sqlite_db
    await make_counter(db)
    task: list[asyncio.Task[None]] = []
    on_begin = cancel_when(task, "BEGIN", asyncio.get_running_loop())
    async with db.snapshot() as reader:
        await trace(reader, on_begin)

    async def read() -> None:
        async with db.snapshot():
            pass

    task.append(asyncio.create_task(read()))
    with pytest.raises(asyncio.CancelledError):
        await task[0]
    async with db.snapshot() as reader:  # BEGIN would fail on a read left open
        await trace(reader, None)
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
            with pytest.raises(OperationalError, match="locked"):
                await increment(db)
            other.execute("COMMIT")
        finally:
            other.close()
        assert not await writer_in_transaction(db)
        assert await db.fetch_value("SELECT value FROM counter") == 1


async def test_concurrent_writers_are_serialised(db: Database) -> None:
    await make_counter(db)
    writers = 40
    await asyncio.gather(*(increment(db) for _ in range(writers)))
    assert await db.fetch_value("SELECT value FROM counter") == writers


async def test_two_handles_on_one_database_wait_for_each_other(target: Path | str) -> None:
    """Like the bot and `python -m bot seed` at once, or two bot processes on PostgreSQL:
    the read-modify-writes never interleave (SQLite's write lock, PostgreSQL's advisory
    lock), and waiting is not an error."""
    async with await Database.open(target) as first, await Database.open(target) as second:
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


async def test_the_reader_refuses_writes(sqlite_db: Database) -> None:
    db = sqlite_db
    await make_counter(db)
    with pytest.raises(OperationalError, match="readonly"):
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


async def test_schema_change_checks_foreign_keys_before_commit(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "golden.db")
    try:
        await schema_change_checks_foreign_keys_before_commit(db)
    finally:
        await db.close()


async def schema_change_checks_foreign_keys_before_commit(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT")
        await conn.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id)) STRICT")
    with pytest.raises(StoreError, match="foreign key violation"):
        async with db.transaction(schema_change=True) as conn:
            await conn.execute("INSERT INTO child (parent_id) VALUES (1)")
    assert await db.fetch_value("SELECT count(*) FROM child") == 0
    # Enforcement is back on for ordinary transactions.
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO child (parent_id) VALUES (1)")


async def test_close_is_idempotent_and_final(target: Path | str) -> None:
    database = await Database.open(target)
    await database.close()
    await database.close()
    with pytest.raises(StoreError, match="closed"):
        await database.fetch_value("SELECT 1")
    with pytest.raises(StoreError, match="closed"):
        async with database.transaction():
            pass


async def test_meta_table_set_get_delete_and_persist(target: Path | str) -> None:
    path = target
    async with await Database.open(path) as database:
        async with database.transaction() as conn:
            await conn.execute(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)" + strict(database)
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


@pytest.fixture
async def pg_db(postgres_url: str) -> AsyncIterator[Database]:
    database = await Database.open(postgres_url, busy_timeout=0.5)
    try:
        yield database
    finally:
        await database.close()


async def test_postgresql_writers_of_two_processes_take_turns_then_time_out(
    pg_db: Database, postgres_url: str
) -> None:
    """Another process's exclusive transaction holds the store's advisory lock: a write waits
    for it like SQLite's BEGIN IMMEDIATE waits for the file lock, and gives up after the busy
    timeout with the lock free again."""
    db = pg_db
    await make_counter(db)
    async with await Database.open(postgres_url) as other:
        holding, release = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with other.transaction() as conn:
                await conn.execute("UPDATE counter SET value = value + 10")
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        await holding.wait()
        waiting = asyncio.create_task(increment(db))
        await asyncio.sleep(0.2)
        assert not waiting.done(), "the write should wait for the other process"
        release.set()
        await asyncio.gather(holder, waiting)
        assert await db.fetch_value("SELECT value FROM counter") == 11

        holding.clear()
        release.clear()
        holder = asyncio.create_task(hold())
        await holding.wait()
        with pytest.raises(DBAPIError, match="lock timeout"):
            await increment(db)
        release.set()
        await holder
    await increment(db)  # nothing of the timed-out attempt is left holding the lock
    assert await db.fetch_value("SELECT value FROM counter") == 22


async def test_postgresql_cancelled_wait_for_the_lock_leaves_nothing_held(
    pg_db: Database, postgres_url: str
) -> None:
    db = pg_db
    await make_counter(db)
    async with await Database.open(postgres_url, busy_timeout=30) as other:
        holding, release = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with db.transaction():
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        await holding.wait()
        waiting = asyncio.create_task(increment(other))
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        release.set()
        await holder
        await asyncio.wait_for(increment(other), timeout=5)
    assert await db.fetch_value("SELECT value FROM counter") == 1


async def test_postgresql_non_exclusive_transactions_do_not_wait_for_the_lock(
    pg_db: Database,
) -> None:
    """``exclusive=False`` (row locks instead, e.g. FOR UPDATE SKIP LOCKED) runs while an
    exclusive transaction holds the store's lock."""
    db = pg_db
    await make_counter(db)
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with db.transaction():
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await holding.wait()
    try:
        async with asyncio.timeout(2), db.transaction(exclusive=False) as conn:
            await conn.execute("UPDATE counter SET value = 3")
    finally:
        release.set()
        await holder
    assert await db.fetch_value("SELECT value FROM counter") == 3


async def test_postgresql_snapshot_is_read_only(pg_db: Database) -> None:
    await make_counter(pg_db)
    with pytest.raises(Exception, match="read-only transaction"):
        async with pg_db.snapshot() as conn:
            await conn.execute("UPDATE counter SET value = 3")
    assert await pg_db.fetch_value("SELECT value FROM counter") == 0
