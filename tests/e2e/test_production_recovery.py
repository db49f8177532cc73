"""Restarts, crashes and a second instance: nothing lost, nothing posted twice.

The crash is real: the first bot runs as its own process (``python -m bot run``) and is killed
with SIGKILL while it holds claimed rows, some of its posts in flight (stuck behind a 20 s rate
limit) and some delivered by Discord without the bot hearing back. A second bot on the same
database file starts right away, on the real clock: it sees that the claims' process is gone
and finishes the job without waiting for their 90 s leases.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from pathlib import Path

import pytest
from discord_double import DiscordDouble

from bot.production import repo_previews
from bot.production.limiter import SendLimiter
from bot.production.models import LocalizedText, Published, UpdateDraft
from bot.production.worker import DeliveryWorker
from bot.runner import open_services
from bot.settings import Settings
from bot.store.database import Database
from tests.e2e.golden import REPO
from tests.e2e.production_helpers import (
    MESSAGES_ROUTE,
    FanServer,
    Newsroom,
    fast_delivery,
    wait_for,
    wait_until_finished,
)


async def publish_directly(room: Newsroom, db: Database, servers: list[FanServer]) -> int:
    """Subscribe and publish through the repository (what Publish does), sending nothing."""
    await room.subscribe(db, servers)
    draft = UpdateDraft(
        title=LocalizedText("Season 2 confirmed"),
        body=LocalizedText("Netflix confirmed the second season."),
        confidence="official",
    )
    await repo_previews.create_preview(
        db, token="crash-test-token", author_id=1, draft=draft, now=room.clock()
    )
    result = await repo_previews.publish_preview(db, "crash-test-token", room.clock())
    assert isinstance(result, Published)
    return result.update.update_id


def bot_process_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ADMIN_"))}
    assert settings.discord_api_base and settings.discord_gateway_url
    env.update(
        {
            "DISCORD_TOKEN": settings.require_token(),
            "DATABASE_PATH": str(settings.database_path),
            "SEEDS_DIR": str(settings.seeds_dir),
            "DISCORD_API_BASE": settings.discord_api_base,
            "DISCORD_GATEWAY_URL": settings.discord_gateway_url,
            "MAINTAINER_IDS": "",
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(REPO),
        }
    )
    return env


async def test_a_crash_mid_delivery_then_a_restart_posts_everywhere_exactly_once(
    double: DiscordDouble, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(30)
    slow, fast = servers[::2], servers[1::2]
    lost = fast[:3]
    settings = room.settings()
    async with open_services(settings) as services:
        update_id = await publish_directly(room, services.db, servers)
    for server in slow:  # these sends hang in discord.py's rate-limit wait when the bot dies
        double.faults.rate_limit(
            MESSAGES_ROUTE, retry_after=20.0, times=None, channel=server.channel
        )
    for server in lost:  # Discord posts these, but the answer never reaches the bot
        double.faults.drop_connection(
            MESSAGES_ROUTE, after_commit=True, times=None, channel=server.channel
        )

    log_path = tmp_path / "first-bot.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=tmp_path, env=bot_process_env(settings), stdout=log, stderr=log,
        )  # fmt: skip
        try:
            await wait_for(
                lambda: (
                    all(room.posts(s) for s in fast) and all(room.send_requests(s) for s in slow)
                ),
                within=30.0,
                what="the first bot to post in the fast servers (see first-bot.log)",
            )
        finally:
            process.kill()  # SIGKILL: no clean hand-back of claimed rows
            await process.wait()

    double.faults.clear()
    async with open_services(settings) as services:
        in_flight = await services.db.fetch_value(
            """SELECT COUNT(*) FROM production_deliveries
               WHERE claimed_by IS NOT NULL AND message_id IS NULL"""
        )
    assert in_flight >= len(slow), "the crash should leave claimed, undelivered rows"
    assert not any(room.posts(s) for s in slow)

    # No clock tricks: the dead bot's leases (90 s) are far from over when this one starts.
    with caplog.at_level(logging.INFO, logger="bot.production"):
        async with room.start() as bot:
            counts = await wait_until_finished(bot.services.db, update_id)
    assert (counts.total, counts.delivered, counts.failed) == (30, 30, 0)
    # The dead bot was the sender: taking its lease over (its pid is gone) frees its claims.
    dead = f"{socket.gethostname()}:{process.pid}:"
    assert f"is now the sender (lease took over from {dead}" in caplog.text
    assert f"rows claimed by the previous sender {dead}" in caplog.text, "claims not recovered"
    for server in servers:
        assert len(room.posts(server)) == 1, server.guild.name  # no duplicates, no losses
    for server in lost:
        nonces = {r.json["nonce"] for r in room.send_requests(server)}
        assert len(room.send_requests(server)) >= 2 and len(nonces) == 1


async def test_two_bots_on_one_database_only_the_lease_holder_sends(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(40)
    limiter = SendLimiter()  # one per process, shared by both bots' workers
    first_options = fast_delivery(room.clock, max_in_flight=10)
    second_options = fast_delivery(room.clock, max_in_flight=10)
    first_options.limiter = second_options.limiter = limiter
    # Two processes on one token: Discord would make the second wait 5 s to IDENTIFY.
    double.config.identify_interval = 0.0
    async with room.start(first_options) as first, room.start(second_options) as second:
        # No interactions here: both bots would answer them. Publish as the button does,
        # then wake both workers: only the sender-lease holder (the first to start) sends.
        update_id = await publish_directly(room, first.services.db, servers)
        # (Extensions are loaded as fresh modules: reach the worker by attribute.)
        workers = [getattr(bot.get_cog("Delivery"), "worker", None) for bot in (first, second)]
        for worker in workers:
            assert isinstance(worker, DeliveryWorker)
            worker.wake()
        counts = await wait_until_finished(first.services.db, update_id)
        sent_by = [w.stats.sent for w in workers if isinstance(w, DeliveryWorker)]
    assert (counts.total, counts.delivered) == (40, 40)
    assert sent_by == [40, 0]
    for server in servers:
        assert len(room.send_requests(server)) == 1  # claimed once: not even a deduped retry
        assert len(room.posts(server)) == 1


async def test_a_preview_survives_a_restart_and_publishes_once(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(3)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        preview = await room.preview()
    async with room.start() as bot:
        published = await room.publish(preview)
        assert "Published as update #1" in (published.content or "")
        await wait_until_finished(bot.services.db, 1)
    assert all(len(room.posts(s)) == 1 for s in servers)
