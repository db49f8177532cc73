"""Claim throughput: outbox rows one sender claims and records per second, on each engine.

What the delivery worker does with the outbox, without Discord: ``repo_claims.claim_due`` for
a batch of ``max_in_flight`` rows (25, the worker's default), then ``repo_results.record_sent``
for each row of the batch at once (the worker records each send as its request ends, with up
to 25 in flight), until the update's ``ROWS`` rows are all sent. SQLite (a temporary file) is
measured in the same run as the floor and comparison; PostgreSQL on a throwaway server
(bench/postgres.py), reported as not measured when it cannot start.

Figures: rows/s per engine (target ≥ 50/s: the sender must keep up with Discord's global
limit, so the store is never what slows fan-out), and PostgreSQL ÷ SQLite.

Run: ``python -m bench.claims [--rows 2000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.fanout import DRAFT
from bench.postgres import not_measured, throwaway_postgres
from bench.record import Figure
from bot.production import repo_claims, repo_previews, repo_results, repo_settings
from bot.production.models import Published
from bot.production.repo_rows import DeliveryKey
from bot.production.worker import WorkerConfig
from bot.store.database import Database
from bot.store.migrate import migrate

ROWS = 2_000
BATCH = WorkerConfig().max_in_flight
LEASE = WorkerConfig().lease
TARGET = 50.0  # rows/s: Discord's global limit, the pace one sender must keep
WORKER = "bench:1:0:0:0"


async def prepare(db: Database, rows: int) -> None:
    """``rows`` subscribed servers and one published update: ``rows`` outbox rows."""
    await migrate(db)
    now = time.time()
    for n in range(rows):
        await repo_settings.save_guild_settings(
            db,
            guild_id=1_000_000 + n,
            channel_id=2_000_000 + n,
            channel_kind="text",
            role_id=None,
            language="en",
            now=now,
        )
    token = f"bench-{time.time_ns()}"
    await repo_previews.create_preview(db, token=token, author_id=1, draft=DRAFT, now=now)
    published = await repo_previews.publish_preview(db, token, now)
    if not isinstance(published, Published) or published.deliveries != rows:
        raise RuntimeError(f"publishing the benchmark update failed: {published!r}")


async def drain(db: Database, rows: int) -> float:
    """Seconds to claim and record every row, batch by batch."""
    message_ids = iter(range(10**9, 10**10))
    done = 0
    began = time.perf_counter()
    while done < rows:
        batch = await repo_claims.claim_due(
            db, worker_id=WORKER, now=time.time(), lease=LEASE, limit=BATCH
        )
        if not batch:
            raise RuntimeError(f"claim_due returned nothing after {done} of {rows} rows")
        recorded = await asyncio.gather(
            *(
                repo_results.record_sent(
                    db,
                    DeliveryKey.of(row),
                    worker_id=WORKER,
                    message_id=next(message_ids),
                    revision=row.wanted_revision,
                    ping_issue=None,
                    now=time.time(),
                )
                for row in batch
            )
        )
        if not all(recorded):
            raise RuntimeError("record_sent refused a row this worker had claimed")
        done += len(batch)
    return time.perf_counter() - began


async def measure(target: Path | str, rows: int) -> float:
    """Rows per second on one engine."""
    async with await Database.open(target) as db:
        await prepare(db, rows)
        return rows / await drain(db, rows)


def engine_figure(engine: str, rate: float, rows: int, version: str = "") -> Figure:
    return Figure(
        f"claims: outbox rows claimed + recorded per second, one sender, {engine}",
        rate,
        "rows/s",
        f"≥ {TARGET:g}/s",
        rate >= TARGET,
        f"{version}{rows:,} rows, claim_due batches of {BATCH}, record_sent for a batch at once",
    )


async def run_async(*, rows: int = ROWS) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-claims-") as tmp:
        sqlite = await measure(Path(tmp) / "claims.sqlite3", rows)
    figures = [engine_figure("SQLite", sqlite, rows)]
    ratio_name = "claims: rows/s PostgreSQL ÷ SQLite"
    with throwaway_postgres() as postgres:
        if not postgres.available:
            name = "claims: outbox rows claimed + recorded per second, one sender, PostgreSQL"
            return [
                *figures,
                not_measured(name, "rows/s", f"≥ {TARGET:g}/s", postgres.reason),
                not_measured(ratio_name, "×", "", postgres.reason),
            ]
        rate = await measure(postgres.create_database(), rows)
        figures.append(engine_figure("PostgreSQL", rate, rows, f"PostgreSQL {postgres.version}; "))
    figures.append(
        Figure(ratio_name, rate / sqlite, "×", note=f"{rate:,.0f} vs {sqlite:,.0f} rows/s")
    )
    return figures


def run(*, rows: int = ROWS) -> list[dict[str, Any]]:
    return [f.as_dict() for f in asyncio.run(run_async(rows=rows))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.claims", description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    from bench.__main__ import print_table

    print_table(run(rows=args.rows))


if __name__ == "__main__":
    main()
