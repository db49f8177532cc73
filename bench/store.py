"""Store latency: the reads an interaction makes, and a small write, on each engine.

What a command handler pays for its database work (the fan commands answer from memory; the
server settings, the newsroom and the outbox read and write the store). On a migrated
database with 200 subscribed servers: ``fetch_one`` of one server's settings by key, 3,000
times one after another and 3,000 times 50 at once; and a one-row upsert in its own
transaction (``MetaTable.set``), 500 times. SQLite always; PostgreSQL too: the empty database
``GH_BENCH_POSTGRES_URL`` (or ``--postgres-url``) names, else a throwaway local cluster
(tests/postgres_cluster.py) when PostgreSQL is installed.

Figures: p50/p99 in microseconds per call; for PostgreSQL also its read p99 ÷ SQLite's.

Run: ``python -m bench.store [--postgres-url URL]``. The same file runs against another
checkout's code (``PYTHONPATH=<checkout> python bench/store.py``) for a before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.record import Figure, percentile
from bot.store.database import Database
from bot.store.meta import MetaTable
from bot.store.migrate import migrate

SERVERS = 200
READS = 3_000
BURST = 50
WRITES = 500
READ = "SELECT * FROM guild_settings WHERE guild_id = ?"


async def _fill(db: Database) -> None:
    async with db.transaction() as conn:
        for n in range(SERVERS):
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, channel_id, channel_kind, role_id, "
                "language, created_at, updated_at) VALUES (?, ?, 'text', NULL, 'en', 1.0, 1.0)",
                (10_000 + n, 20_000 + n),
            )


async def _timed_read(db: Database, n: int) -> float:
    started = time.perf_counter()
    row = await db.fetch_one(READ, (10_000 + n % SERVERS,))
    elapsed = time.perf_counter() - started
    assert row is not None
    return elapsed * 1e6


async def measure(target: Path | str, label: str) -> dict[str, list[float]]:
    async with await Database.open(target) as db:
        await migrate(db)
        await _fill(db)
        for n in range(200):  # warm caches and prepared statements
            await _timed_read(db, n)
        sequential = [await _timed_read(db, n) for n in range(READS)]
        concurrent: list[float] = []
        for start in range(0, READS, BURST):
            concurrent += await asyncio.gather(
                *(_timed_read(db, n) for n in range(start, start + BURST))
            )
        meta = MetaTable(db)
        writes: list[float] = []
        for n in range(WRITES):
            started = time.perf_counter()
            await meta.set("bench", str(n))
            writes.append((time.perf_counter() - started) * 1e6)
    return {"read": sequential, "read x50": concurrent, "write": writes}


def _figures(label: str, samples: dict[str, list[float]]) -> list[Figure]:
    figures = []
    for kind, values in samples.items():
        for q in (50, 99):
            figures.append(
                Figure(f"store {label} {kind} p{q}", round(percentile(values, q), 1), "µs")
            )
    return figures


async def run_async(postgres_url: str | None = None) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        sqlite = await measure(Path(tmp) / "store.sqlite3", "sqlite")
    figures = _figures("sqlite", sqlite)
    url = postgres_url or os.environ.get("GH_BENCH_POSTGRES_URL")
    with contextlib.ExitStack() as stack:
        if not url:
            url = _throwaway_database(stack)
        if url:
            postgres = await measure(url, "postgresql")
            figures += _figures("postgresql", postgres)
            ratio = percentile(postgres["read"], 99) / percentile(sqlite["read"], 99)
            figures.append(Figure("store read p99 postgresql ÷ sqlite", round(ratio, 2), "×"))
    return figures


def _throwaway_database(stack: contextlib.ExitStack) -> str | None:
    """An empty database in a local throwaway cluster, or None without PostgreSQL."""
    try:
        from tests.postgres_cluster import PostgresCluster, PostgresUnavailable
    except ImportError:  # a production install has no tests
        return None
    try:
        cluster = stack.enter_context(PostgresCluster.start())
    except PostgresUnavailable as exc:
        print(f"store: PostgreSQL figures skipped ({exc})")
        return None
    return cluster.create_database()


def run(postgres_url: str | None = None) -> list[dict[str, Any]]:
    return [f.as_dict() for f in asyncio.run(run_async(postgres_url))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    records = run(args.postgres_url)
    for record in records:
        print(f"{record['name']:<45} {record['value']:>10} {record['unit']}")
    if not args.no_save:
        from bench.__main__ import merge_results

        merge_results("store", records)


if __name__ == "__main__":
    main()
