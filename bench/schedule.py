"""Scheduled posts: how late does a scheduled post start going out?

``python -m bot run`` against the double (Discord's 50 requests/s and 5 messages per 5 s per
channel enforced), 10 subscribed servers. Once the bot answers commands, 20 posts are
scheduled straight into its database (as another process on the same file would: the bot
learns of them through its safety-net look every 5 s, then sleeps until each one's time), due
1.5 s apart from 7 s ahead (1.5 s keeps each channel under Discord's 5 messages per 5 s, so
the per-channel pacing does not delay a post's start).

Figures: lateness = the double's receipt of a post's first send request − its scheduled time,
p50 and p99 over the 20 posts (target p99 < 2 s); context: the last copy's lateness, posts
sent before their time (target 0), duplicates and losses (target 0).

Run: ``python -m bench.schedule [--posts 20] [--servers 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from discord_double import Channel, DiscordDouble
from discord_double.backend import RecordedRequest

from bench.fanout import CHANNEL_LIMIT, GLOBAL_RATE, SEND_ROUTE
from bench.harness import (
    BotProcess,
    child_env,
    populate,
    quiet_discord_logs,
    wait_until_serving,
)
from bench.record import Figure, percentile
from bot.production import repo_schedule, repo_settings
from bot.production.models import LocalizedText, UpdateDraft
from bot.production.schedule import Confirmed
from bot.store.database import Database
from bot.store.migrate import migrate

POSTS = 20
SERVERS = 10
FIRST_DUE = 7.0  # s after scheduling: past the bot's 5 s look for other processes' schedules
SPACING = 1.5  # s between two posts' times
P99_TARGET = 2.0


def title(index: int) -> str:
    return f"Scheduled post {index:02d}"


def wall(request: RecordedRequest) -> float:
    """The wall-clock time the double received ``request`` (it records monotonic time)."""
    return time.time() - (time.monotonic() - request.started)


async def subscribe(database: Path, channels: list[Channel]) -> None:
    db = await Database.open(database)
    try:
        await migrate(db)
        for channel in channels:
            assert channel.guild_id is not None
            await repo_settings.save_guild_settings(
                db, guild_id=channel.guild_id, channel_id=channel.id, channel_kind="text",
                role_id=None, language="en", now=time.time(),
            )  # fmt: skip
    finally:
        await db.close()


async def schedule_posts(database: Path, posts: int) -> list[float]:
    """``posts`` confirmed schedules, 1.5 s apart; returns their due times."""
    db = await Database.open(database)
    dues: list[float] = []
    try:
        start = time.time() + FIRST_DUE
        for index in range(posts):
            due = start + index * SPACING
            token = f"bench-schedule-{index:04d}"
            draft = UpdateDraft(
                title=LocalizedText(title(index)),
                body=LocalizedText("Netflix shows the teaser now."),
                confidence="official",
            )
            await repo_schedule.create_draft(
                db, token=token, kind="post", author_id=1, draft=draft, due_at=due,
                timezone="Asia/Seoul", now=time.time(),
            )  # fmt: skip
            confirmed = await repo_schedule.confirm(db, token, time.time())
            if not isinstance(confirmed, Confirmed):
                raise RuntimeError(f"scheduling a benchmark post failed: {confirmed!r}")
            dues.append(due)
    finally:
        await db.close()
    return dues


def sends_by_post(double: DiscordDouble, posts: int) -> dict[int, list[RecordedRequest]]:
    found: dict[int, list[RecordedRequest]] = {index: [] for index in range(posts)}
    for request in double.requests_to(SEND_ROUTE):
        body = json.dumps(request.json, ensure_ascii=False)
        for index in range(posts):
            if title(index) in body:
                found[index].append(request)
                break
    return found


async def measure(posts: int, servers: int, work: Path) -> list[Figure]:
    async with DiscordDouble(
        global_rate_limit=GLOBAL_RATE, channel_message_limit=CHANNEL_LIMIT
    ) as double:
        channels = populate(double, servers)
        probe = double.add_channel(double.add_guild("probe"), "general")
        database = work / "bot.sqlite3"
        await subscribe(database, channels)
        bot = BotProcess("golden", child_env(double, database), work / "bot.log")
        await bot.start()
        try:
            await wait_until_serving(double, bot, probe)
            dues = await schedule_posts(database, posts)
            deadline = dues[-1] + 60.0
            while time.time() < deadline:
                copies = [len(double.messages(c)) for c in channels]
                if all(n >= posts for n in copies):
                    break
                if bot.exited:
                    raise bot.failure("exited while posting")
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # a late duplicate would land now
        finally:
            await bot.stop()
        sent = sends_by_post(double, posts)
        copies = [len(double.messages(c)) for c in channels]
    starts = [min(wall(r) for r in sent[i]) - dues[i] for i in range(posts) if sent[i]]
    ends = [max(wall(r) for r in sent[i]) - dues[i] for i in range(posts) if sent[i]]
    early = sum(1 for lateness in starts if lateness < 0)
    duplicates = sum(max(n - posts, 0) for n in copies)
    losses = sum(max(posts - n, 0) for n in copies)
    if not starts:
        raise bot.failure("sent none of the scheduled posts")
    p99 = percentile(starts, 99)
    return [
        Figure(
            "schedule lateness p50",
            percentile(starts, 50),
            "s",
            note=f"{posts} posts, {servers} servers each; first send − scheduled time",
        ),
        Figure(
            "schedule lateness p99",
            p99,
            "s",
            f"< {P99_TARGET:g} s",
            p99 < P99_TARGET,
            note=f"{len(starts)} of {posts} posts went out",
        ),
        Figure(
            "schedule last copy lateness p99",
            percentile(ends, 99),
            "s",
            note="last of a post's sends − its time (pacing of 50 requests/s included)",
        ),
        Figure("schedule posts sent early", early, "posts", "0", early == 0),
        Figure(
            "schedule duplicates + losses",
            duplicates + losses,
            "copies",
            "0",
            duplicates + losses == 0,
        ),
    ]


async def run_async(posts: int = POSTS, servers: int = SERVERS) -> list[Figure]:
    quiet_discord_logs()
    with tempfile.TemporaryDirectory(prefix="bench-schedule-") as tmp:
        return await measure(posts, servers, Path(tmp))


def run(posts: int = POSTS, servers: int = SERVERS) -> list[dict[str, Any]]:
    return [f.as_dict() for f in asyncio.run(run_async(posts, servers))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.schedule", description=__doc__)
    parser.add_argument("--posts", type=int, default=POSTS)
    parser.add_argument("--servers", type=int, default=SERVERS)
    args = parser.parse_args()
    from bench.__main__ import merge_results, print_table

    records = run(args.posts, args.servers)
    print_table(records)
    merge_results("schedule", records)


if __name__ == "__main__":
    main()
