"""Real ``python -m bot run`` processes on one database (SQLite file or PostgreSQL), for the
several-processes tests: their environment, start and stop, their logs, the sender lease, and
freezing a process (SIGSTOP) at the moment that is worst for the others on each engine."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from discord_double import DiscordDouble

from bot.production import repo_lease, repo_ledger
from bot.production.models import DeliveryCounts
from bot.settings import Settings
from bot.store.database import Database
from tests.e2e.golden import REPO
from tests.e2e.production_helpers import MESSAGES_ROUTE


def process_env(settings: Settings, shard: int, shards: int, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ADMIN_"))}
    env.pop("DATABASE_URL", None)
    assert settings.discord_api_base and settings.discord_gateway_url
    env.update(
        {
            "DISCORD_TOKEN": settings.require_token(),
            "DATABASE_PATH": str(settings.database_path),
            "SEEDS_DIR": str(settings.seeds_dir),
            "DISCORD_API_BASE": settings.discord_api_base,
            "DISCORD_GATEWAY_URL": settings.discord_gateway_url,
            "MAINTAINER_IDS": ",".join(map(str, settings.maintainer_ids)),
            "ADMIN_GUILD_ID": str(settings.admin_guild_id),
            "HEARTBEAT_FILE": str(tmp_path / "heartbeat"),
            "SHARD_COUNT": str(shards),
            "SHARD_IDS": str(shard),
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(REPO),
        }
    )
    if settings.database_url is not None:
        env["DATABASE_URL"] = settings.database_url
    return env


@contextlib.asynccontextmanager
async def bot_processes(
    settings: Settings, tmp_path: Path, db: Database, shards: int, sender_shard: int
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """One process per shard, indexed by shard; ``sender_shard``'s starts first and takes the
    sender lease before the others start."""
    processes: dict[int, asyncio.subprocess.Process] = {}
    try:
        order = [sender_shard, *(n for n in range(shards) if n != sender_shard)]
        for shard in order:
            with (tmp_path / f"shard-{shard}.log").open("wb") as log:
                command = (sys.executable, "-m", "bot", "run")
                env = process_env(settings, shard, shards, tmp_path)
                processes[shard] = await asyncio.create_subprocess_exec(
                    *command, cwd=tmp_path, env=env, stdout=log, stderr=log
                )
            if shard == sender_shard:
                first = processes[shard]
                await wait_until_sender(db, first, tmp_path / f"shard-{shard}.log", within=90.0)
        yield [processes[n] for n in range(shards)]
    finally:
        for process in processes.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGCONT)  # a frozen one must hear the SIGTERM
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                await asyncio.wait_for(process.wait(), 20.0)
            except TimeoutError:
                process.kill()
                await process.wait()


def log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def log_text(tmp_path: Path, shard: int) -> str:
    return (tmp_path / f"shard-{shard}.log").read_text(errors="replace")


async def sender_pid(db: Database) -> int:
    lease = await repo_lease.current(db)
    assert lease is not None, "no process took the sender lease"
    return holder_pid(lease.holder)


def holder_pid(holder: str) -> int:
    return int(holder.rsplit(":", 4)[1])


async def wait_until_sender(
    db: Database, process: asyncio.subprocess.Process, log: Path, within: float
) -> None:
    deadline = time.monotonic() + within
    while True:
        lease = await repo_lease.current(db)
        if lease is not None and holder_pid(lease.holder) == process.pid:
            return
        if process.returncode is not None:
            raise AssertionError(f"process {process.pid} exited at start:\n{log_tail(log)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{process.pid} did not take the lease:\n{log_tail(log)}")
        await asyncio.sleep(0.1)


async def wait_until_done(db: Database, update_id: int, within: float) -> DeliveryCounts:
    deadline = time.monotonic() + within
    while True:
        counts = await repo_ledger.delivery_counts(db, update_id)
        if counts.finished:
            return counts
        assert time.monotonic() < deadline, f"update {update_id} not finished: {counts}"
        await asyncio.sleep(0.2)


async def freeze(pid: int, db: Database) -> None:
    """SIGSTOP ``pid`` at the moment that is worst for the other processes yet survivable.

    SQLite: outside a write transaction. A process frozen inside one keeps the file's lock and
    every other process waits until it resumes or dies (docs/OPERATIONS.md says so): no lease
    can help there. PostgreSQL: *inside* one, holding the store's advisory write lock; the
    server ends that session after idle_in_transaction_session_timeout, which frees the lock.
    """
    if db.dialect == "sqlite":
        await freeze_outside_a_write(pid, db.path)
    else:
        await freeze_holding_the_write_lock(pid, db)


async def freeze_outside_a_write(pid: int, database: Path) -> None:
    """SIGSTOP ``pid`` at a moment it holds no SQLite write lock."""
    for _attempt in range(200):
        os.kill(pid, signal.SIGSTOP)
        # timeout=0: a lock held now fails at once (this loop also runs the double).
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return
        except sqlite3.OperationalError:
            os.kill(pid, signal.SIGCONT)  # frozen mid-write: let it finish, try again
            await asyncio.sleep(0.01)
        finally:
            probe.close()
    raise AssertionError(f"process {pid} never left a write transaction")


async def freeze_holding_the_write_lock(pid: int, db: Database) -> None:
    """SIGSTOP ``pid`` (on PostgreSQL) at a moment one of its sessions holds the advisory
    write lock. Its sessions are told apart by their client ports (TCP on 127.0.0.1)."""
    for _attempt in range(2000):
        os.kill(pid, signal.SIGSTOP)
        ports = sorted(local_tcp_ports(pid))
        held = ports and await db.fetch_value(
            "SELECT COUNT(*) FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            f"AND a.client_port IN ({', '.join('?' * len(ports))})",
            tuple(ports),
        )
        if held:
            return
        os.kill(pid, signal.SIGCONT)  # not inside a write now: let it run a little, try again
        await asyncio.sleep(0.003)
    raise AssertionError(f"process {pid} was never caught holding the write lock")


def local_tcp_ports(pid: int) -> set[int]:
    """The local ports of ``pid``'s IPv4 TCP sockets (Linux: its fds' inodes in /proc/net/tcp)."""
    inodes = set()
    fds = Path(f"/proc/{pid}/fd")
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    ports = set()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes:
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@contextlib.asynccontextmanager
async def double_undisturbed(over: float = 0.05) -> AsyncIterator[list[str]]:
    """Pause garbage collection in this process, where the double runs, while the bots send;
    yield the stalls of its event loop longer than ``over`` seconds that happen anyway
    (``"+12.3 s: 80 ms"`` from the start), for the message of an unexpected 429.

    The double keeps every request and message; a full collection of that heap stalls its
    event loop, and requests that arrive meanwhile are then counted in one burst against the
    global limit: a 429 the bots did not cause. The bots' own processes collect as usual.
    """
    stalls: list[str] = []
    began = time.monotonic()

    async def watch() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            late = time.monotonic() - before - 0.01
            if late > over:
                stalls.append(f"+{before - began:.1f} s: {late * 1000:.0f} ms")

    gc.collect()
    gc.freeze()  # what exists now (the servers, members, roles) is never scanned again
    gc.disable()
    watcher = asyncio.create_task(watch())
    try:
        yield stalls
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        gc.enable()
        gc.unfreeze()


def rate_limit_report(double: DiscordDouble, stalls: list[str]) -> str:
    """Why the double served 429s: how requests bunched up in the second before each, and the
    stalls of the double's own loop (which would bunch them up on arrival)."""
    sent = sorted(r.started for r in double.requests_to(MESSAGES_ROUTE))
    lines = []
    for limited in (r for r in double.requests_to(MESSAGES_ROUTE) if r.status == 429):
        window = [t for t in sent if limited.started - 1.0 < t <= limited.started]
        tight = [t for t in window if t > limited.started - 0.1]
        others = [
            r.route
            for r in double.requests
            if r.route != MESSAGES_ROUTE and limited.started - 1.0 < r.started <= limited.started
        ]
        lines.append(
            f"429 with {len(window)} sends in the second before it, {len(tight)} in its last "
            f"100 ms, and other requests {others}"
        )
    return "; ".join(lines) + f"; the double's loop stalled over 50 ms: {stalls or 'never'}"
