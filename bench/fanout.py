"""Fan-out: one production update delivered to 100, 1,000 and 5,000 servers.

The double enforces Discord's ceilings: 50 requests/s per bot and 5 messages per 5 s per channel.
Each server has one text channel and a ``guild_settings`` row; the update is published into the
outbox (``repo_previews.publish_preview``) before the bot starts, so the bot's delivery worker
picks it up at start-up exactly as it resumes after a crash. The bot is a child process:
``python -m bot run`` when a cog starts the delivery worker, otherwise (``--runner worker``)
the real ``DeliveryWorker`` + ``DiscordTransport`` + ``SendLimiter`` in a plain discord.py
client, started by this module with ``--worker-child``.

Figures per size: completion time (first send request → last message created, read from the
double) ÷ the theoretical minimum ``servers / 50`` s (target ≤ 1.1), 429s received (target 0),
duplicates (channels with more than one copy) and losses (channels without one) (target 0).
Then the same for 1,000 servers with a ``kill -9`` when half the messages are out and an
immediate restart: the restarted worker releases the dead process's claims at once (same host,
pid gone) and finishes the job.

Run: ``python -m bench.fanout [--quick] [--runner auto|bot|worker] [--sizes 100 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import discord
from discord_double import Channel, DiscordDouble

from bench.harness import (
    REPO,
    BotKind,
    BotProcess,
    child_env,
    populate,
    quiet_discord_logs,
)
from bench.record import Figure
from bot.app import MAX_RATELIMIT_WAIT, bot_intents
from bot.production import repo_ledger, repo_previews, repo_settings
from bot.production.discord_transport import DiscordTransport
from bot.production.limiter import SendLimiter
from bot.production.models import LocalizedText, Published, UpdateDraft
from bot.production.worker import DeliveryWorker
from bot.runner import configure_endpoints
from bot.settings import load_settings
from bot.store.database import Database
from bot.store.migrate import migrate

SIZES = (100, 1_000, 5_000)
KILL_SIZE = 1_000
KILL_AT = 0.5  # share of the messages out when the process is killed
GLOBAL_RATE = 50.0  # requests/s, Discord's per-bot ceiling
CHANNEL_LIMIT = (5, 5.0)  # messages per seconds, per channel
RATIO_TARGET = 1.1
POLL = 0.05  # s between looks at the double and the outbox
SEND_ROUTE = "POST /channels/{channel_id}/messages"
Runner = Literal["bot", "worker"]

DRAFT = UpdateDraft(
    title=LocalizedText("Season 2: filming has wrapped", "시즌 2 촬영 종료"),
    body=LocalizedText(
        "Netflix confirmed that filming of season 2 has wrapped.",
        "넷플릭스가 시즌 2 촬영이 끝났다고 밝혔다.",
    ),
    confidence="official",
    source_url="https://about.netflix.com/en/newsroom",
)


def delivery_cog_present(cogs_dir: Path = REPO / "cogs") -> bool:
    """Whether a cog runs the delivery worker inside ``python -m bot run``."""
    return any("DeliveryWorker" in path.read_text() for path in cogs_dir.glob("*.py"))


def runner_kind(runner: Runner) -> BotKind:
    return "golden" if runner == "bot" else "worker"


async def subscribe_servers(db: Database, channels: list[Channel], now: float) -> None:
    """Each channel's server subscribed in English, no ping role."""
    for channel in channels:
        assert channel.guild_id is not None
        await repo_settings.save_guild_settings(
            db,
            guild_id=channel.guild_id,
            channel_id=channel.id,
            channel_kind="text",
            role_id=None,
            language="en",
            now=now,
        )


async def prepare_outbox(database: Path, channels: list[Channel]) -> int:
    """Subscribe every channel's server and publish one update; returns its id."""
    db = await Database.open(database)
    try:
        await migrate(db)
        now = time.time()
        await subscribe_servers(db, channels, now)
        token = f"bench-{time.time_ns()}"
        await repo_previews.create_preview(db, token=token, author_id=1, draft=DRAFT, now=now)
        published = await repo_previews.publish_preview(db, token, now)
    finally:
        await db.close()
    if not isinstance(published, Published) or published.deliveries != len(channels):
        raise RuntimeError(f"publishing the benchmark update failed: {published!r}")
    return published.update.update_id


@dataclass(frozen=True, slots=True)
class FanoutResult:
    servers: int
    completion: float  # s, first send request → last message created
    spawn_to_first_send: float
    rate_limited: int  # 429s served, all routes
    duplicates: int  # copies beyond the first, summed over channels
    losses: int  # channels without a copy
    repeats_absorbed: int  # sends answered with an earlier message (same nonce)
    finished: bool  # the outbox had nothing left to do before the timeout
    killed_at: float | None = None  # s after the first send
    restart_to_done: float | None = None


def _copies(double: DiscordDouble, channels: list[Channel]) -> list[int]:
    return [len(double.messages(channel)) for channel in channels]


async def _outbox_finished(database: Path, update_id: int) -> bool:
    db = await Database.open(database)
    try:
        counts = await repo_ledger.delivery_counts(db, update_id)
    finally:
        await db.close()
    return counts.finished


async def deliver(
    servers: int, runner: Runner, work: Path, *, kill_at: float | None = None
) -> FanoutResult:
    """One fan-out through a fresh double; with ``kill_at``, SIGKILL and restart midway."""
    async with DiscordDouble(
        global_rate_limit=GLOBAL_RATE, channel_message_limit=CHANNEL_LIMIT
    ) as double:
        channels = populate(double, servers)
        database = work / "bot.sqlite3"
        update_id = await prepare_outbox(database, channels)
        env = child_env(double, database)
        log = work / "bot.log"
        bot = BotProcess(runner_kind(runner), env, log)
        await bot.start()
        spawned = bot.started_at
        killed_wall: float | None = None
        restarted: float | None = None
        minimum = servers / GLOBAL_RATE
        # Generous: if dead-claim recovery ever fails, the claims wait out their 90 s lease.
        deadline = time.monotonic() + 3 * minimum + 60 + (150 if kill_at is not None else 0)
        finished = False
        next_outbox_look = 0.0
        try:
            while time.monotonic() < deadline:
                await asyncio.sleep(POLL)
                if bot.exited:
                    raise bot.failure("exited during the fan-out")
                delivered = sum(1 for n in _copies(double, channels) if n)
                if kill_at is not None and killed_wall is None and delivered >= kill_at * servers:
                    await bot.kill()
                    killed_wall = time.monotonic()
                    bot = BotProcess(runner_kind(runner), env, log)
                    await bot.start()
                    restarted = bot.started_at
                    continue
                # The outbox has the last word (a failed row leaves its channel empty);
                # it is a file shared with the bot, so look at it at most once a second.
                if delivered == servers or time.monotonic() >= next_outbox_look:
                    next_outbox_look = time.monotonic() + 1.0
                    finished = await _outbox_finished(database, update_id)
                    if finished:
                        break
            await asyncio.sleep(0.5)  # a late duplicate would land now
        finally:
            await bot.stop()
        return _result(double, channels, spawned, finished, killed_wall, restarted)


def _result(
    double: DiscordDouble,
    channels: list[Channel],
    spawned: float,
    finished: bool,
    killed: float | None,
    restarted: float | None,
) -> FanoutResult:
    """What the double saw: copies per channel, send requests and their timing, 429s."""
    copies = _copies(double, channels)
    sends = double.requests_to(SEND_ROUTE)
    ok = [r for r in sends if 200 <= r.status < 300]
    first = min(r.started for r in sends) if sends else spawned
    last = max(r.started + r.duration for r in ok) if ok else first
    nonces = Counter(str((r.json or {}).get("nonce")) for r in ok)
    return FanoutResult(
        servers=len(channels),
        completion=last - first,
        spawn_to_first_send=first - spawned,
        rate_limited=double.rate_limited_count,
        duplicates=sum(max(n - 1, 0) for n in copies),
        losses=sum(1 for n in copies if n == 0),
        repeats_absorbed=sum(n - 1 for n in nonces.values()),
        finished=finished,
        killed_at=None if killed is None else killed - first,
        restart_to_done=None if restarted is None else last - restarted,
    )


def figures_for(result: FanoutResult, runner: Runner) -> list[Figure]:
    n = result.servers
    minimum = n / GLOBAL_RATE
    ratio = result.completion / minimum
    who = "python -m bot run" if runner == "bot" else "DeliveryWorker in a plain client"
    label = f"fan-out {n:,} servers"
    if result.killed_at is not None:
        label += f", kill -9 at {KILL_AT:.0%} + restart"
    time_note = (
        f"{result.completion:.1f} s vs {minimum:.1f} s; spawn → first send "
        f"{result.spawn_to_first_send:.1f} s; {who}"
    )
    if result.killed_at is not None:
        time_note += (
            f"; killed {result.killed_at:.1f} s after the first send, restart → done "
            f"{result.restart_to_done or 0:.1f} s"
        )
    if not result.finished:
        time_note += "; the outbox was NOT finished before the timeout"
    clean = result.finished
    return [
        Figure(
            f"{label}: completion ÷ theoretical minimum",
            ratio,
            "×",
            f"≤ {RATIO_TARGET:g}×",
            clean and ratio <= RATIO_TARGET,
            time_note,
        ),
        Figure(f"{label}: 429s received", result.rate_limited, "", "0", result.rate_limited == 0),
        Figure(
            f"{label}: duplicates",
            result.duplicates,
            "",
            "0",
            result.duplicates == 0,
            f"{result.repeats_absorbed} repeated sends answered by the nonce with the first copy",
        ),
        Figure(f"{label}: losses", result.losses, "", "0", result.losses == 0),
    ]


async def run_async(
    *,
    sizes: tuple[int, ...] = SIZES,
    kill_size: int | None = KILL_SIZE,
    runner: Runner | None = None,
) -> list[Figure]:
    quiet_discord_logs()
    chosen: Runner = runner or ("bot" if delivery_cog_present() else "worker")
    figures: list[Figure] = []
    runs: list[tuple[int, float | None]] = [(n, None) for n in sizes]
    if kill_size:
        runs.append((kill_size, KILL_AT))
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        for index, (servers, kill_at) in enumerate(runs):
            work = Path(tmp) / f"run-{index}"
            work.mkdir()
            result = await deliver(servers, chosen, work, kill_at=kill_at)
            figures.extend(figures_for(result, chosen))
            print(f"   fan-out to {servers:,} servers done", flush=True)
    return figures


def run(
    *,
    sizes: tuple[int, ...] = SIZES,
    kill_size: int | None = KILL_SIZE,
    runner: Runner | None = None,
) -> list[dict[str, Any]]:
    figures = asyncio.run(run_async(sizes=sizes, kill_size=kill_size, runner=runner))
    return [f.as_dict() for f in figures]


# --------------------------------------------------------------------------- the worker child


class _WorkerClient(discord.Client):
    """Golden Hour's intents and rate-limit settings; its only job is the delivery worker."""

    def __init__(self, db: Database) -> None:
        super().__init__(
            intents=bot_intents(),
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.worker = DeliveryWorker(db, DiscordTransport(self), SendLimiter())

    async def setup_hook(self) -> None:
        await self.worker.start()

    async def close(self) -> None:
        await self.worker.stop()
        await super().close()


async def worker_child() -> None:
    """The stand-in for a bot while no cog runs the worker (``--worker-child``)."""
    settings = load_settings()
    token = settings.require_token()
    configure_endpoints(settings)
    db = await Database.open(settings.database_path)
    try:
        await migrate(db)
        client = _WorkerClient(db)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: loop.create_task(client.close()))
        async with client:
            await client.start(token)
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 servers, kill run at 100")
    parser.add_argument("--runner", choices=["auto", "bot", "worker"], default="auto")
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--kill-size", type=int, default=None, help="0: no kill -9 run")
    parser.add_argument("--worker-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_child:
        asyncio.run(worker_child())
        return
    sizes = tuple(args.sizes) if args.sizes is not None else ((100,) if args.quick else SIZES)
    kill_size = args.kill_size if args.kill_size is not None else (100 if args.quick else KILL_SIZE)
    runner: Runner | None = None if args.runner == "auto" else args.runner
    from bench.__main__ import print_table

    print_table(run(sizes=sizes, kill_size=kill_size or None, runner=runner))


if __name__ == "__main__":
    main()
