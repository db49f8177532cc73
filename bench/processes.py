"""Several bot processes on one database: fan-out pace with 1, 2 and 4 processes, and how long
the delivery stops when the sender dies.

Each run starts P real ``python -m bot run`` processes on one database, SHARD_COUNT=P and one
shard each, against a fresh double (50 requests/s per token across all connections, 5 messages
per 5 s per channel). Once every process has logged in, one update is published into the outbox
(what Publish does in whichever process a maintainer reaches); the sender-lease holder sends it.

Figures:
- completion (first send request → last message created) ÷ ``servers / 50`` s, for P = 1, 2, 4
  (target ≤ 1.1, and flat: more processes must not send faster than the token allows, nor
  slower), with 429s, duplicates and losses (target 0);
- sender fail-over: the sender is killed with SIGKILL halfway through a fan-out; the time from
  the kill to the next send request (by another process) (target < 30 s), and the delivery's
  duplicates and losses. ``kill -9`` on one machine is noticed at the next lease look (the pid
  is gone); a sender that hangs instead (SIGSTOP: alive, not provably dead) is replaced once its
  lease expires: measured too, and the hung process, resumed, must send nothing more.

Every run happens on a SQLite file, then on a fresh database of a throwaway PostgreSQL server
(bench/postgres.py; ``DATABASE_URL``), whose figures are named "processes (PostgreSQL): …"
and reported as not measured when the server cannot start.

Run: ``python -m bench.processes [--servers 1000] [--processes 1 2 4] [--engines sqlite
postgresql]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from discord_double import Channel, DiscordDouble

from bench.fanout import DRAFT, SEND_ROUTE, subscribe_servers
from bench.harness import BotProcess, child_env, populate, quiet_discord_logs
from bench.postgres import Postgres, not_measured, throwaway_postgres
from bench.record import Figure
from bot.production import repo_lease, repo_ledger, repo_previews
from bot.production.models import Published
from bot.store.database import Database
from bot.store.migrate import migrate

SERVERS = 1_000
PROCESSES = (1, 2, 4)
FAILOVER_PROCESSES = 3
GLOBAL_RATE = 50.0
CHANNEL_LIMIT = (5, 5.0)
RATIO_TARGET = 1.1
FAILOVER_TARGET = 30.0
POLL = 0.05
Stop = Literal["kill", "hang"]
Engine = Literal["sqlite", "postgresql"]
ENGINES: tuple[Engine, ...] = ("sqlite", "postgresql")
Target = Path | str  # a SQLite file or a postgresql:// URL


@dataclass(frozen=True, slots=True)
class Run:
    servers: int
    processes: int
    completion: float
    rate_limited: int
    duplicates: int
    losses: int
    repeats_absorbed: int
    finished: bool
    failover: float | None = None  # s from the sender's kill/stop to the next send request
    late_sends: int = 0  # send requests a hung sender made after it was resumed


async def prepare(database: Target, channels: list[Channel]) -> None:
    db = await Database.open(database)
    try:
        await migrate(db)
        await subscribe_servers(db, channels, time.time())
    finally:
        await db.close()


async def publish(database: Target, servers: int) -> int:
    db = await Database.open(database)
    try:
        token = f"bench-{time.time_ns()}"
        now = time.time()
        await repo_previews.create_preview(db, token=token, author_id=1, draft=DRAFT, now=now)
        published = await repo_previews.publish_preview(db, token, now)
    finally:
        await db.close()
    if not isinstance(published, Published) or published.deliveries != servers:
        raise RuntimeError(f"publishing the benchmark update failed: {published!r}")
    return published.update.update_id


async def sender_pid(database: Target) -> int:
    db = await Database.open(database)
    try:
        lease = await repo_lease.current(db)
    finally:
        await db.close()
    if lease is None:
        raise RuntimeError("no process holds the sender lease")
    return int(lease.holder.rsplit(":", 4)[1])


async def finished(database: Target, update_id: int) -> bool:
    db = await Database.open(database)
    try:
        return (await repo_ledger.delivery_counts(db, update_id)).finished
    finally:
        await db.close()


async def deliver(
    servers: int,
    processes: int,
    work: Path,
    *,
    stop: Stop | None = None,
    database_url: str | None = None,
) -> Run:
    async with DiscordDouble(
        global_rate_limit=GLOBAL_RATE,
        channel_message_limit=CHANNEL_LIMIT,
        max_concurrency=16,  # a large bot: every process's shard has its own IDENTIFY bucket
    ) as double:
        channels = populate(double, servers)
        sqlite_file = work / "bot.sqlite3"
        database: Target = database_url or sqlite_file
        await prepare(database, channels)
        url = {"DATABASE_URL": database_url} if database_url else {}
        bots = []
        for shard in range(processes):
            env = child_env(
                double,
                sqlite_file,
                extra={
                    **url,
                    "SHARD_COUNT": str(processes),
                    "SHARD_IDS": str(shard),
                    "LOG_LEVEL": "INFO",
                    "HEARTBEAT_FILE": str(work / "heartbeat"),
                },
            )
            bots.append(BotProcess("golden", env, work / f"shard-{shard}.log"))
        try:
            for bot in bots:
                await bot.start()
            deadline = time.monotonic() + 120
            while not all("Logged in as" in bot.log_tail(400) for bot in bots):
                if any(bot.exited for bot in bots):
                    raise next(b for b in bots if b.exited).failure("exited at start-up")
                if time.monotonic() > deadline:
                    raise bots[0].failure("did not log in within 120 s")
                await asyncio.sleep(0.2)
            update_id = await publish(database, servers)
            sender = await sender_pid(database)
            stopped_at: float | None = None
            hung: BotProcess | None = None
            done = False
            deadline = time.monotonic() + 3 * servers / GLOBAL_RATE + 120
            next_look = 0.0
            while time.monotonic() < deadline:
                await asyncio.sleep(POLL)
                delivered = sum(1 for c in channels if double.messages(c))
                if stop is not None and stopped_at is None and delivered >= servers // 2:
                    os.kill(sender, signal.SIGKILL if stop == "kill" else signal.SIGSTOP)
                    stopped_at = time.monotonic()
                    hung = next(b for b in bots if b.pid == sender) if stop == "hang" else None
                    continue
                if delivered == servers or time.monotonic() >= next_look:
                    next_look = time.monotonic() + 1.0
                    done = await finished(database, update_id)
                    if done:
                        break
            late = 0
            if hung is not None:
                before = len(double.requests_to(SEND_ROUTE))
                os.kill(sender, signal.SIGCONT)  # it wakes up with a lapsed lease
                await asyncio.sleep(5.0)
                late = len(double.requests_to(SEND_ROUTE)) - before
            await asyncio.sleep(0.5)  # a late duplicate would land now
        finally:
            for bot in bots:
                await bot.stop()
        return result(double, channels, processes, done, stopped_at, late)


def result(
    double: DiscordDouble,
    channels: list[Channel],
    processes: int,
    done: bool,
    stopped_at: float | None,
    late: int,
) -> Run:
    copies = [len(double.messages(channel)) for channel in channels]
    sends = double.requests_to(SEND_ROUTE)
    ok = [r for r in sends if 200 <= r.status < 300]
    first = min((r.started for r in sends), default=0.0)
    last = max((r.started + r.duration for r in ok), default=first)
    nonces = Counter(str((r.json or {}).get("nonce")) for r in ok)
    failover = None
    if stopped_at is not None:
        after = [r.started for r in sends if r.started > stopped_at]
        failover = (min(after) - stopped_at) if after else float("inf")
    return Run(
        servers=len(channels),
        processes=processes,
        completion=last - first,
        rate_limited=double.rate_limited_count,
        duplicates=sum(max(n - 1, 0) for n in copies),
        losses=sum(1 for n in copies if n == 0),
        repeats_absorbed=sum(n - 1 for n in nonces.values()),
        finished=done,
        failover=failover,
        late_sends=late,
    )


def prefix(engine: Engine) -> str:
    """SQLite's figures keep the names they had before PostgreSQL was measured too."""
    return "processes" if engine == "sqlite" else "processes (PostgreSQL)"


def pace_label(engine: Engine, servers: int, processes: int) -> str:
    label = f"{prefix(engine)}: fan-out {servers:,} servers, {processes} process"
    return label + ("" if processes == 1 else "es")


def failover_label(engine: Engine, stop: Stop, servers: int) -> str:
    how = "kill -9" if stop == "kill" else "hang (SIGSTOP)"
    return (
        f"{prefix(engine)}: sender {how} at 50% of {servers:,} servers, "
        f"{FAILOVER_PROCESSES} processes"
    )


def pace_figures(run: Run, engine: Engine = "sqlite") -> list[Figure]:
    minimum = run.servers / GLOBAL_RATE
    ratio = run.completion / minimum
    label = pace_label(engine, run.servers, run.processes)
    clean = run.finished and run.duplicates == 0 and run.losses == 0
    return [
        Figure(
            f"{label}: completion ÷ theoretical minimum",
            ratio,
            "×",
            f"≤ {RATIO_TARGET:g}×",
            clean and ratio <= RATIO_TARGET,
            f"{run.completion:.1f} s vs {minimum:.1f} s; 429s {run.rate_limited}, duplicates "
            f"{run.duplicates}, losses {run.losses}"
            + ("" if run.finished else "; the outbox was NOT finished before the timeout"),
        ),
        Figure(f"{label}: 429s received", run.rate_limited, "", "0", run.rate_limited == 0),
    ]


def failover_figures(run: Run, stop: Stop, engine: Engine = "sqlite") -> list[Figure]:
    how = "kill -9" if stop == "kill" else "hang (SIGSTOP)"
    label = failover_label(engine, stop, run.servers)
    failover = run.failover if run.failover is not None else float("inf")
    clean = run.finished and run.duplicates == 0 and run.losses == 0 and run.late_sends == 0
    note = (
        f"next send by another process {failover:.1f} s after the {how}; completion "
        f"{run.completion:.1f} s; duplicates {run.duplicates}, losses {run.losses}, 429s "
        f"{run.rate_limited}, repeated sends absorbed by the nonce {run.repeats_absorbed}"
    )
    if stop == "hang":
        note += f"; sends by the hung sender after it resumed: {run.late_sends}"
    return [
        Figure(
            f"{label}: fail-over time",
            failover,
            "s",
            f"< {FAILOVER_TARGET:g} s",
            clean and failover < FAILOVER_TARGET,
            note,
        ),
        Figure(
            f"{label}: duplicates + losses",
            run.duplicates + run.losses,
            "",
            "0",
            run.duplicates + run.losses == 0,
        ),
    ]


async def run_async(
    *,
    servers: int = SERVERS,
    processes: tuple[int, ...] = PROCESSES,
    failover: tuple[Stop, ...] = ("kill", "hang"),
    engines: tuple[Engine, ...] = ENGINES,
) -> list[Figure]:
    quiet_discord_logs()
    figures: list[Figure] = []
    runs: list[tuple[int, Stop | None]] = [(p, None) for p in processes]
    runs += [(FAILOVER_PROCESSES, stop) for stop in failover]
    with tempfile.TemporaryDirectory(prefix="bench-processes-") as tmp:
        for engine in engines:
            if engine == "sqlite":
                figures += await engine_runs(engine, runs, servers, Path(tmp) / engine, None)
                continue
            with throwaway_postgres() as postgres:
                if not postgres.available:
                    figures += unmeasured(runs, servers, postgres.reason)
                    continue
                work = Path(tmp) / engine
                figures += await engine_runs(engine, runs, servers, work, postgres)
    return figures


async def engine_runs(
    engine: Engine,
    runs: list[tuple[int, Stop | None]],
    servers: int,
    work: Path,
    postgres: Postgres | None,
) -> list[Figure]:
    """Every run on one engine, each on a fresh database."""
    figures: list[Figure] = []
    for index, (count, stop) in enumerate(runs):
        folder = work / f"run-{index}"
        folder.mkdir(parents=True)
        url = postgres.create_database() if postgres is not None else None
        run = await deliver(servers, count, folder, stop=stop, database_url=url)
        if stop is None:
            figures.extend(pace_figures(run, engine))
        else:
            figures.extend(failover_figures(run, stop, engine))
        print(f"   {engine}, {count} process(es){f', {stop}' if stop else ''}: done", flush=True)
    return figures


def unmeasured(runs: list[tuple[int, Stop | None]], servers: int, reason: str) -> list[Figure]:
    figures: list[Figure] = []
    for count, stop in runs:
        if stop is None:
            label = pace_label("postgresql", servers, count)
            figures.append(
                not_measured(
                    f"{label}: completion ÷ theoretical minimum",
                    "×",
                    f"≤ {RATIO_TARGET:g}×",
                    reason,
                )
            )
        else:
            label = failover_label("postgresql", stop, servers)
            target = f"< {FAILOVER_TARGET:g} s"
            figures.append(not_measured(f"{label}: fail-over time", "s", target, reason))
    return figures


def run(**options: Any) -> list[dict[str, Any]]:
    return [f.as_dict() for f in asyncio.run(run_async(**options))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.processes", description=__doc__)
    parser.add_argument("--servers", type=int, default=SERVERS)
    parser.add_argument("--processes", type=int, nargs="*", default=list(PROCESSES))
    parser.add_argument("--failover", choices=["kill", "hang"], nargs="*", default=None)
    parser.add_argument("--engines", choices=list(ENGINES), nargs="*", default=list(ENGINES))
    args = parser.parse_args()
    from bench.__main__ import print_table

    failover = tuple(args.failover) if args.failover is not None else ("kill", "hang")
    print_table(
        run(
            servers=args.servers,
            processes=tuple(args.processes),
            failover=failover,
            engines=tuple(args.engines),
        )
    )


if __name__ == "__main__":
    main()
