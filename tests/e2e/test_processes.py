"""Three real `python -m bot run` processes on one database, one shard each: a SQLite file
(300 servers) or a fresh PostgreSQL database (1,000 servers).

The double enforces what Discord does across all connections of one token: the guild limit per
shard, one IDENTIFY per `max_concurrency` bucket every 5 s, and one global 50/s limit. Fans get
answers from servers on every shard (each from the process holding that shard); a maintainer
publishes through whichever process holds the newsroom's shard; the one process holding the
sender lease sends, is killed with SIGKILL (or frozen with SIGSTOP) halfway, and another
process finishes the delivery: every server gets the update exactly once, with no 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from discord_double import DiscordDouble

from bot.app import GoldenHourBot
from bot.liveness import Liveness, read_beat
from bot.runner import open_services
from bot.store.database import Database
from bot.ui.production import DESK_COG
from tests.e2e.process_helpers import (
    bot_processes,
    double_undisturbed,
    freeze,
    log_text,
    rate_limit_report,
    sender_pid,
    wait_until_done,
)
from tests.e2e.production_helpers import (
    MESSAGES_ROUTE,
    FanServer,
    Newsroom,
    fast_delivery,
    wait_for,
)

SHARDS = 3
SERVERS = {"sqlite": 300, "postgresql": 1_000}


def shard_of(server: FanServer) -> int:
    return (server.guild.id >> 22) % SHARDS


@pytest.mark.parametrize("stop", ["kill", "hang"])
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_three_processes_share_the_shards_and_survive_the_senders_death(
    double: DiscordDouble, tmp_path: Path, request: pytest.FixtureRequest, engine: str, stop: str
) -> None:
    """``kill``: SIGKILL, noticed at the next lease look (the pid is gone). ``hang``: SIGSTOP,
    alive but silent, replaced once its lease expires; resumed afterwards, it sends nothing.
    On PostgreSQL the hang is the worst moment: inside a write, holding the advisory lock."""
    total = SERVERS[engine]
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(total)
    by_shard = {shard: [s for s in servers if shard_of(s) == shard] for shard in range(SHARDS)}
    assert all(by_shard.values()), "the servers should spread over every shard"
    database_url = request.getfixturevalue("postgres_url") if engine == "postgresql" else None
    settings = room.settings(database_url=database_url)
    async with open_services(settings) as services:  # migrated and seeded once, up front
        assert services.db.dialect == engine
        await room.subscribe(services.db, servers)

    # The process holding the newsroom's shard, which the maintainer reaches, is the sender:
    # killing it also kills the task that followed the maintainer's message there.
    newsroom_shard = (room.desk.id >> 22) % SHARDS
    db = await Database.open(settings.database)
    async with (
        db,
        double_undisturbed() as stalls,
        bot_processes(settings, tmp_path, db, SHARDS, newsroom_shard) as processes,
    ):
        await wait_for(
            lambda: all("Logged in as" in log_text(tmp_path, n) for n in range(SHARDS)),
            within=120.0,
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
            lambda: posts() >= total // 2, within=120.0, what="half the servers to get the post"
        )
        if stop == "kill":
            os.kill(sender, signal.SIGKILL)
        else:
            await freeze(sender, db)
        stopped_at = time.monotonic()
        if stop == "kill":
            await next(p for p in processes if p.pid == sender).wait()

        counts = await wait_until_done(db, 1, within=3 * total / 50 + 90.0)
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
                within=30.0,
                what="the resumed sender to step down",
            )
        # The maintainer's message follows the delivery to its end although the process the
        # maintainer reached was the sender that died (or hung): the new sender finishes it.
        await wait_for(
            lambda: "Delivery finished." in (published.content or ""),
            within=30.0,
            what="the maintainer's report",
        )
        sends_after = len(double.requests_to(MESSAGES_ROUTE))

    assert (counts.total, counts.delivered, counts.failed) == (total, total, 0)
    for server in servers:
        assert len(room.posts(server)) == 1, server.guild.name  # none lost, none doubled
    assert sends_after == sends_before, "the old sender sent after it lost the lease"
    assert double.stats.rate_limited == 0, rate_limit_report(double, stalls)
    assert double.stats.identifies == SHARDS
    assert new_sender != sender
    assert resumed - stopped_at < 30.0, f"fail-over took {resumed - stopped_at:.1f} s"
    logs = [log_text(tmp_path, n) for n in range(SHARDS)]
    assert sum("is now the sender (lease took over from" in text for text in logs) == 1
    assert sum("is now the sender" in text for text in logs) == 2
    assert sum("standby: " in text for text in logs) >= 2


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
