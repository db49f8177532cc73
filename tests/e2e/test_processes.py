"""Three real `python -m bot run` processes on one SQLite file, one shard each.

The double enforces what Discord does across all connections of one token: the guild limit per
shard, one IDENTIFY per `max_concurrency` bucket every 5 s, and one global 50/s limit. Fans get
answers from servers on every shard (each from the process holding that shard); a maintainer
publishes through whichever process holds the newsroom's shard; the one process holding the
sender lease sends, is killed with SIGKILL halfway, and another process finishes the delivery:
every server gets the update exactly once, with no 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord_double import DiscordDouble

from bot.app import GoldenHourBot
from bot.liveness import Liveness, read_beat
from bot.production import repo_lease, repo_ledger
from bot.production.models import DeliveryCounts
from bot.runner import open_services
from bot.settings import Settings
from bot.store.database import Database
from bot.ui.production import DESK_COG
from tests.e2e.golden import REPO
from tests.e2e.production_helpers import (
    MESSAGES_ROUTE,
    FanServer,
    Newsroom,
    fast_delivery,
    wait_for,
)

SHARDS = 3
SERVERS = 300


def process_env(settings: Settings, shard: int, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ADMIN_"))}
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
            "SHARD_COUNT": str(SHARDS),
            "SHARD_IDS": str(shard),
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(REPO),
        }
    )
    return env


@contextlib.asynccontextmanager
async def bot_processes(
    settings: Settings, tmp_path: Path, db: Database, sender_shard: int
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """One process per shard, indexed by shard; ``sender_shard``'s starts first and takes the
    sender lease before the others start."""
    processes: dict[int, asyncio.subprocess.Process] = {}
    try:
        order = [sender_shard, *(n for n in range(SHARDS) if n != sender_shard)]
        for shard in order:
            with (tmp_path / f"shard-{shard}.log").open("wb") as log:
                command = (sys.executable, "-m", "bot", "run")
                env = process_env(settings, shard, tmp_path)
                processes[shard] = await asyncio.create_subprocess_exec(
                    *command, cwd=tmp_path, env=env, stdout=log, stderr=log
                )
            if shard == sender_shard:
                first = processes[shard].pid
                await wait_until_sender(db, first, within=60.0)
        yield [processes[n] for n in range(SHARDS)]
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                await asyncio.wait_for(process.wait(), 20.0)
            except TimeoutError:
                process.kill()
                await process.wait()


def log_text(tmp_path: Path, shard: int) -> str:
    return (tmp_path / f"shard-{shard}.log").read_text(errors="replace")


def shard_of(server: FanServer) -> int:
    return (server.guild.id >> 22) % SHARDS


async def sender_pid(db: Database) -> int:
    lease = await repo_lease.current(db)
    assert lease is not None, "no process took the sender lease"
    return holder_pid(lease.holder)


def holder_pid(holder: str) -> int:
    return int(holder.rsplit(":", 4)[1])


async def wait_until_sender(db: Database, pid: int, within: float) -> None:
    deadline = time.monotonic() + within
    while (lease := await repo_lease.current(db)) is None or holder_pid(lease.holder) != pid:
        assert time.monotonic() < deadline, f"process {pid} did not take the sender lease"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("stop", ["kill", "hang"])
async def test_three_processes_share_the_shards_and_survive_the_senders_death(
    double: DiscordDouble, tmp_path: Path, stop: str
) -> None:
    """``kill``: SIGKILL, noticed at the next lease look (the pid is gone). ``hang``: SIGSTOP,
    alive but silent, replaced once its lease expires; resumed afterwards, it sends nothing."""
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(SERVERS)
    by_shard = {shard: [s for s in servers if shard_of(s) == shard] for shard in range(SHARDS)}
    assert all(by_shard.values()), "the servers should spread over every shard"
    settings = room.settings()
    async with open_services(settings) as services:  # migrated and seeded once, up front
        await room.subscribe(services.db, servers)

    # The process holding the newsroom's shard, which the maintainer reaches, is the sender:
    # killing it also kills the task that followed the maintainer's message there.
    newsroom_shard = (room.desk.id >> 22) % SHARDS
    db = await Database.open(settings.database_path)
    async with db, bot_processes(settings, tmp_path, db, newsroom_shard) as processes:
        await wait_for(
            lambda: all("Logged in as" in log_text(tmp_path, n) for n in range(SHARDS)),
            within=90.0,
            what="every process to log in (see shard-N.log)",
        )
        # Each fan is answered by the process holding the shard of the fan's server.
        for shard, members in by_shard.items():
            server = members[0]
            answer = await double.invoke(
                "cast", {"name": "Baek Kang-hyuk"},
                guild=server.guild, channel=server.channel, user=server.fan,
            )  # fmt: skip
            assert answer.answered, f"no answer on shard {shard}"
            assert "Ju Ji-hoon" in answer.content + str(answer.embeds)

        preview = await room.preview()
        published = await room.publish(preview)
        assert "Published as update #1" in (published.content or ""), published.content

        sender = await sender_pid(db)
        assert sender == processes[newsroom_shard].pid
        posts = lambda: sum(1 for r in double.requests_to(MESSAGES_ROUTE) if r.status == 200)  # noqa: E731
        await wait_for(
            lambda: posts() >= SERVERS // 2, within=60.0, what="half the servers to get the post"
        )
        if stop == "kill":
            os.kill(sender, signal.SIGKILL)
        else:
            await freeze_outside_a_write(sender, settings.database_path)
        stopped_at = time.monotonic()
        if stop == "kill":
            await next(p for p in processes if p.pid == sender).wait()

        counts = await wait_until_done(db, 1, within=90.0)
        resumed = min(
            r.started for r in double.requests_to(MESSAGES_ROUTE) if r.started > stopped_at
        )
        new_sender = await sender_pid(db)
        sends_before = len(double.requests_to(MESSAGES_ROUTE))
        if stop == "hang":
            os.kill(sender, signal.SIGCONT)
            old = next(n for n, p in enumerate(processes) if p.pid == sender)
            await wait_for(
                lambda: "stopped being the sender" in log_text(tmp_path, old),
                within=15.0,
                what="the resumed sender to step down",
            )
        # The maintainer's message follows the delivery to its end although the process the
        # maintainer reached was the sender that died (or hung): the new sender finishes it.
        await wait_for(
            lambda: "Delivery finished." in (published.content or ""),
            within=10.0,
            what="the maintainer's report",
        )
        sends_after = len(double.requests_to(MESSAGES_ROUTE))

    assert (counts.total, counts.delivered, counts.failed) == (SERVERS, SERVERS, 0)
    for server in servers:
        assert len(room.posts(server)) == 1, server.guild.name  # none lost, none doubled
    assert sends_after == sends_before, "the old sender sent after it lost the lease"
    assert double.stats.rate_limited == 0
    assert double.stats.identifies == SHARDS
    assert new_sender != sender
    assert resumed - stopped_at < 30.0, f"fail-over took {resumed - stopped_at:.1f} s"
    logs = [log_text(tmp_path, n) for n in range(SHARDS)]
    assert sum("is now the sender (lease took over from" in text for text in logs) == 1
    assert sum("is now the sender" in text for text in logs) == 2
    assert sum("standby: " in text for text in logs) >= 2


async def freeze_outside_a_write(pid: int, database: Path) -> None:
    """SIGSTOP ``pid`` at a moment it holds no SQLite write lock.

    A process frozen inside a write transaction keeps the file's lock: on SQLite every other
    process then waits until it resumes or dies (docs/OPERATIONS.md says so; PostgreSQL ends
    such a session with idle_in_transaction_session_timeout). What this test checks is the
    lease: a sender hung anywhere else is replaced.
    """
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


async def wait_until_done(db: Database, update_id: int, within: float) -> DeliveryCounts:
    deadline = time.monotonic() + within
    while True:
        counts = await repo_ledger.delivery_counts(db, update_id)
        if counts.finished:
            return counts
        assert time.monotonic() < deadline, f"update {update_id} not finished: {counts}"
        await asyncio.sleep(0.2)


async def test_a_standby_process_is_healthy_and_takes_over_when_the_sender_stops(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    double.config.identify_interval = 0.0  # two clients of one token in this test
    first_options, second_options = fast_delivery(room.clock), fast_delivery(room.clock)
    second_options.sender_renew_every = 0.2
    async with contextlib.AsyncExitStack() as first_bot:
        first = await first_bot.enter_async_context(room.start(first_options))
        async with room.start(second_options) as second:
            heartbeat = tmp_path / "heartbeat"
            liveness = Liveness(second, heartbeat, worker_stalled_after=1.0)
            sender_id = desk(first).worker.worker_id
            await wait_for(lambda: desk(second).sender.sender_seen == sender_id, within=5.0)
            await asyncio.sleep(1.5)  # longer than worker_stalled_after: idle is not stalled
            beat = liveness.beat()
            assert beat.healthy and beat.reason == f"standby, sender is {sender_id}"
            await first_bot.aclose()  # a clean stop frees the lease: the standby sends now
            await wait_for(lambda: liveness.beat().reason == "ok", within=5.0, what="takeover")
            assert read_beat(heartbeat)[0]


def desk(bot: GoldenHourBot) -> Any:
    """The delivery cog (loaded as a fresh module per bot: reached by name)."""
    return bot.get_cog(DESK_COG)
