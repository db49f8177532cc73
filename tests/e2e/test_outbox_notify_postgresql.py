"""Two bots on one PostgreSQL database (two processes' worth: separate pools, separate shards):
a publish through the bot that does not send reaches the servers at once, because the commit
NOTIFYs the sender's listening connection — its poll is set to 30 s here, so without the
NOTIFY the delivery would wait for that."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from discord_double import DiscordDouble

from bot.app import GoldenHourBot
from bot.production.worker import DeliveryWorker
from bot.store.notify import PostgresListener
from tests.e2e.production_helpers import Newsroom, fast_delivery, wait_until_finished

SLOW_POLL = 30.0


def worker_of(bot: GoldenHourBot) -> DeliveryWorker:
    # (Extensions are loaded as fresh modules: reach the worker by attribute.)
    worker = getattr(bot.get_cog("Delivery"), "worker", None)
    assert isinstance(worker, DeliveryWorker)
    return worker


async def test_a_publish_through_the_other_process_is_sent_at_once_not_at_the_next_poll(
    double: DiscordDouble, tmp_path: Path, postgres_url: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(4)
    # Two processes on one token: Discord would make the second wait 5 s to IDENTIFY.
    double.config.identify_interval = 0.0
    # The maintainers' server is on the second bot's shard: its /production goes there.
    desk_shard = (room.desk.id >> 22) % 2
    shards = {"database_url": postgres_url, "shard_count": 2}
    sender_options = fast_delivery(room.clock, poll_interval=SLOW_POLL)
    other_options = fast_delivery(room.clock, poll_interval=SLOW_POLL)
    async with (
        room.start(sender_options, shard_ids=(1 - desk_shard,), **shards) as sender,
        room.start(other_options, shard_ids=(desk_shard,), **shards) as other,
    ):
        sending, idle = worker_of(sender), worker_of(other)
        assert sending.running and not idle.running  # the first to start holds the lease
        listener = sending.wakeups
        assert isinstance(listener, PostgresListener)
        await asyncio.wait_for(listener.listening.wait(), 10.0)
        await room.subscribe(other.services.db, servers)
        await asyncio.sleep(0.5)  # the sender's loop is now in its 30 s wait

        preview = await room.preview(title="Season 2 starts filming")
        published = await room.publish(preview)
        assert "Published as update #1" in (published.content or "")
        started = time.monotonic()
        counts = await wait_until_finished(other.services.db, 1, within=5.0)
        took = time.monotonic() - started
    assert (counts.total, counts.delivered) == (4, 4)
    assert sending.stats.sent == 4 and idle.stats.sent == 0
    assert took < 5.0  # the poll alone would have taken up to 30 s
    for server in servers:
        assert len(room.posts(server)) == 1
    assert double.rate_limited_count == 0
