"""Interaction latency on PostgreSQL ÷ on SQLite: the same bot, the same commands, one run.

Two Golden Hour bots run as child processes, each against its own double in this process: one
on a SQLite file (the default), one on a fresh database of a throwaway PostgreSQL server
(bench/postgres.py; ``DATABASE_URL``). Workloads are the latency benchmark's /cast, /awards
and /renewal (bench/latency.py), the same calls for both bots (one seed), taking turns across
both bots so the machine's noise hits them alike: ``SEQUENTIAL`` calls one at a time, then
``CONCURRENT`` calls 50 at a time. Latency is the double's: INTERACTION_CREATE sent → the
bot's first callback received.

Figures: p99 per command and engine, and PostgreSQL p99 ÷ SQLite p99 (target ≤ 1.5: running
on PostgreSQL must not make fans wait noticeably longer). Not measured (with the reason) when
PostgreSQL cannot start.

Run: ``python -m bench.engines [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from pathlib import Path
from typing import Any

from discord_double import DiscordDouble

from bench.harness import (
    child_env,
    ms,
    populate,
    quiet_discord_logs,
    ratio_figure,
    running_bot,
    unexpected_error_prefix,
    wait_until_serving,
)
from bench.latency import CONCURRENCY, SEED, Workload, golden_workloads, interleaved, warm_up
from bench.postgres import not_measured, throwaway_postgres
from bench.record import Figure

SEQUENTIAL = 300
CONCURRENT = 300
COMMANDS = ("/cast", "/awards", "/renewal")
RATIO_TARGET = 1.5
ENGINES = ("SQLite", "PostgreSQL")


def workloads_for(double: DiscordDouble, channel: Any, engine: str) -> list[Workload]:
    chosen = [
        w for w in golden_workloads(double, channel, random.Random(SEED)) if w.name in COMMANDS
    ]
    for workload in chosen:
        workload.name = f"{engine} {workload.name}"
    return chosen


def ratio_name(command: str, label: str) -> str:
    return f"engines: latency {command}, {label}: p99 PostgreSQL ÷ SQLite"


def figures_of(workloads: list[Workload], sequential: int, concurrent: int) -> list[Figure]:
    by_name = {w.name: w for w in workloads}
    figures: list[Figure] = []
    for is_sequential, count in ((True, sequential), (False, concurrent)):
        label = f"{count} sequential" if is_sequential else f"{count} {CONCURRENCY} at a time"
        for command in COMMANDS:
            p99 = {}
            clean = True
            for engine in ENGINES:
                workload = by_name[f"{engine} {command}"]
                samples = workload.sequential if is_sequential else workload.concurrent
                clean = clean and samples.unanswered == 0 and samples.errors == 0
                p99[engine] = samples.p(99)
                figures.append(
                    Figure(
                        f"engines: latency {command}, {label}, {engine}: p99",
                        ms(samples.p(99)),
                        "ms",
                        note=f"p50 {ms(samples.p(50)):.2f} ms; {samples.describe()}",
                    )
                )
            figures.append(
                ratio_figure(
                    ratio_name(command, label),
                    p99["PostgreSQL"],
                    p99["SQLite"],
                    RATIO_TARGET,
                    ok=clean,
                    note=f"{ms(p99['PostgreSQL']):.2f} ms vs {ms(p99['SQLite']):.2f} ms",
                )
            )
    return figures


async def measure(sequential: int = SEQUENTIAL, concurrent: int = CONCURRENT) -> list[Figure]:
    quiet_discord_logs()
    error_prefix = unexpected_error_prefix()
    with (
        tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp,
        throwaway_postgres() as postgres,
    ):
        if not postgres.available:
            return [
                not_measured(
                    ratio_name(command, label), "×", f"≤ {RATIO_TARGET:g}×", postgres.reason
                )
                for label in (f"{sequential} sequential", f"{concurrent} {CONCURRENCY} at a time")
                for command in COMMANDS
            ]
        work = Path(tmp)
        url = postgres.create_database()
        async with DiscordDouble() as on_sqlite, DiscordDouble() as on_postgres:
            sqlite_channel = populate(on_sqlite, 1)[0]
            postgres_channel = populate(on_postgres, 1)[0]
            sqlite_env = child_env(on_sqlite, work / "sqlite" / "golden.sqlite3")
            postgres_env = child_env(
                on_postgres, work / "postgres" / "unused.sqlite3", extra={"DATABASE_URL": url}
            )
            async with (
                running_bot("golden", sqlite_env, work / "sqlite" / "bot.log") as sqlite_bot,
                running_bot("golden", postgres_env, work / "postgres" / "bot.log") as pg_bot,
            ):
                await wait_until_serving(on_sqlite, sqlite_bot, sqlite_channel)
                await wait_until_serving(on_postgres, pg_bot, postgres_channel)
                workloads = [
                    *workloads_for(on_sqlite, sqlite_channel, "SQLite"),
                    *workloads_for(on_postgres, postgres_channel, "PostgreSQL"),
                ]
                await warm_up(workloads)
                await interleaved(workloads, sequential, 1, error_prefix)
                await interleaved(workloads, concurrent, CONCURRENCY, error_prefix)
    return figures_of(workloads, sequential, concurrent)


def run(*, quick: bool = False) -> list[dict[str, Any]]:
    counts = (100, 100) if quick else (SEQUENTIAL, CONCURRENT)
    return [f.as_dict() for f in asyncio.run(measure(*counts))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engines", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 calls per mode, not 300")
    args = parser.parse_args()
    from bench.__main__ import print_table

    print_table(run(quick=args.quick))


if __name__ == "__main__":
    main()
