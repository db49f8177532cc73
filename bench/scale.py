"""Scale: memory and start-up with many servers, and latency with a 100× larger data pack.

1. Start-up and memory. Golden Hour (``python -m bot run``) and the bare bot
   (``python -m bench.bare_bot``, same intents) start against a double holding 1, 1,000 and
   10,000 servers. Start-up is the time from spawning the process until it answered a slash
   command after its commands were synced and READY plus every GUILD_CREATE were sent (see
   ``harness.wait_until_serving``); Golden Hour starts cold: fresh database, migrations,
   seeding, command sync. Memory is VmRSS once the bot has been serving for ``SETTLE`` s
   (VmHWM, the peak, in the note). The two bots take turns; figures are medians over the
   repeats, and each Golden Hour figure is divided by the bare bot's (target ≤ 1.3×).
2. Data pack size. Two Golden Hour processes run side by side, one with ``seeds/`` and one with
   a synthetic pack 100× larger (``bench.synthetic_pack``); both get the same /cast names and
   autocomplete keystrokes, taking turns call by call. Target: p99 grows less than 2×.

At 10,000 servers both bots run 10 shards (``start-up with automatic sharding``).

Run: ``python -m bench.scale [--quick] [--sharding REPEATS]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import math
import random
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discord_double import Channel, DiscordDouble

from bench.harness import (
    BotKind,
    Memory,
    child_env,
    ms,
    populate,
    quiet_discord_logs,
    ratio_figure,
    running_bot,
    unexpected_error_prefix,
    wait_until_serving,
)
from bench.latency import (
    PROFILE_CALLS,
    SEED,
    Workload,
    golden_workloads,
    interleaved,
    profile,
    warm_up,
)
from bench.record import Figure
from bench.synthetic_pack import FACTOR, write_synthetic_pack

GUILD_COUNTS = (1, 1_000, 10_000)
# Starts are short (a few seconds with the settle time), so medians of several are cheap.
REPEATS = {1: 5, 1_000: 5, 10_000: 3}
SETTLE = 2.5  # s of serving before memory is read (discord.py finishes READY 2 s after it)
RATIO_TARGET = 1.3
PACK_CALLS = 500
GROWTH_TARGET = 2.0
PACK_WORKLOADS = ("/cast", "/cast autocomplete")
# Discord's "large bot sharding" value: 10 shards at 10,000 servers start in one 5 s slot.
# With 1 (small bots) both bots would spend 45 s in the same IDENTIFY waits.
MAX_CONCURRENCY = 16
SHARDED_GUILDS = 10_000


@dataclass(frozen=True, slots=True)
class Start:
    seconds: float  # cold: fresh database, commands synced
    memory: Memory
    warm_seconds: float | None = None  # Golden Hour again on its database: nothing to sync


async def start_once(kind: BotKind, guilds: int, work: Path) -> Start:
    """A cold start of ``kind`` against a double with ``guilds`` servers; Golden Hour then
    restarts once on the same database and double (a restart: migrated, seeded, synced).

    Both bots are auto-sharded (the double refuses a shard above 2,500 servers); the double
    advertises ``max_concurrency`` ``MAX_CONCURRENCY`` so the shards may start together."""
    async with DiscordDouble(max_concurrency=MAX_CONCURRENCY) as double:
        channels = populate(double, guilds)
        env = child_env(double, work / "bot.sqlite3")
        async with running_bot(kind, env, work / "bot.log") as bot:
            seconds = await wait_until_serving(double, bot, channels[0])
            await asyncio.sleep(SETTLE)
            memory = bot.memory()
        if kind != "golden":
            return Start(seconds, memory)
        double.gateway.session_ready.clear()  # wait for the new process's READY
        async with running_bot(kind, env, work / "bot.log") as bot:
            warm = await wait_until_serving(double, bot, channels[0])
    return Start(seconds, memory, warm)


def _start_figures(guilds: int, starts: dict[BotKind, list[Start]]) -> list[Figure]:
    def median_of(kind: BotKind, value: str) -> float:
        samples = starts[kind]
        if value == "seconds":
            return statistics.median(s.seconds for s in samples)
        if value == "rss":
            return statistics.median(s.memory.rss_mb for s in samples)
        return statistics.median(s.memory.peak_mb for s in samples)

    repeats = len(starts["golden"])
    label = f"{guilds:,} server{'s' if guilds != 1 else ''}"
    golden_s, bare_s = median_of("golden", "seconds"), median_of("bare", "seconds")
    golden_rss, bare_rss = median_of("golden", "rss"), median_of("bare", "rss")
    golden_peak, bare_peak = median_of("golden", "peak"), median_of("bare", "peak")
    golden_warm = statistics.median(s.warm_seconds or 0.0 for s in starts["golden"])
    note = f"median of {repeats} start{'s' if repeats != 1 else ''} each"
    shards = math.ceil(guilds / 1000)
    sharded: list[Figure] = []
    if shards > 1:
        sharded.append(
            ratio_figure(
                f"start-up with automatic sharding at {label}: Golden Hour ÷ bare bot",
                golden_s,
                bare_s,
                RATIO_TARGET,
                note=(
                    f"{shards} shards each (AutoShardedBot, IDENTIFYs paced by max_concurrency "
                    f"{MAX_CONCURRENCY}); the bare bot is auto-sharded too, as the double refuses "
                    "a shard above 2,500 servers; Golden Hour cold"
                ),
            )
        )
    return [
        *sharded,
        Figure(f"start-up to serving, {label}: Golden Hour (cold)", golden_s, "s", note=note),
        Figure(f"start-up to serving, {label}: bare bot", bare_s, "s", note=note),
        ratio_figure(
            f"start-up, {label}: Golden Hour ÷ bare bot",
            golden_s,
            bare_s,
            RATIO_TARGET,
            note="Golden Hour starts cold: migrations, seeding and command sync included",
        ),
        Figure(
            f"start-up to serving, {label}: Golden Hour restart (warm)",
            golden_warm,
            "s",
            note=(
                f"existing database, commands already synced; "
                f"{golden_warm / bare_s:.2f}× the bare bot's start; {note}"
            ),
        ),
        Figure(
            f"RSS serving, {label}: Golden Hour",
            golden_rss,
            "MB",
            note=f"peak (VmHWM) {golden_peak:.1f} MB; {note}",
        ),
        Figure(
            f"RSS serving, {label}: bare bot",
            bare_rss,
            "MB",
            note=f"peak (VmHWM) {bare_peak:.1f} MB; {note}",
        ),
        ratio_figure(
            f"RSS, {label}: Golden Hour ÷ bare bot",
            golden_rss,
            bare_rss,
            RATIO_TARGET,
            note=f"peak ratio {golden_peak / bare_peak:.2f}×",
        ),
    ]


async def startup_and_memory(
    work: Path, guild_counts: tuple[int, ...], repeats: dict[int, int]
) -> list[Figure]:
    figures: list[Figure] = []
    for guilds in guild_counts:
        starts: dict[BotKind, list[Start]] = {"golden": [], "bare": []}
        for repeat in range(repeats.get(guilds, 1)):
            # Alternate who goes first, so a slow spell on the machine hits both alike.
            turn: tuple[BotKind, ...] = (
                ("golden", "bare") if repeat % 2 == 0 else ("bare", "golden")
            )
            for kind in turn:
                starts[kind].append(
                    await start_once(kind, guilds, work / f"{kind}-{guilds}-{repeat}")
                )
        figures.extend(_start_figures(guilds, starts))
        print(f"   {guilds:,}-server starts done", flush=True)
    return figures


def _pack_workloads(double: DiscordDouble, channel: Channel, suffix: str) -> list[Workload]:
    # The same seed on both sides: both bots get exactly the same names and keystrokes.
    chosen = [
        w
        for w in golden_workloads(double, channel, random.Random(SEED))
        if w.name in PACK_WORKLOADS
    ]
    return [dataclasses.replace(w, name=f"{w.name} {suffix}") for w in chosen]


async def pack_growth(work: Path, calls: int, *, with_profile: bool = True) -> list[Figure]:
    """/cast and autocomplete p99 with the real pack and with one ``FACTOR`` times larger;
    then the slower of the two, with the large pack, under pyinstrument (like bench.latency)."""
    pack_dir = work / f"pack-{FACTOR}x"
    pack = write_synthetic_pack(pack_dir)
    error_prefix = unexpected_error_prefix()
    async with DiscordDouble() as small, DiscordDouble() as large:
        small_channel = populate(small, 1)[0]
        large_channel = populate(large, 1)[0]
        small_env = child_env(small, work / "pack-1x" / "bot.sqlite3")
        large_env = child_env(large, work / "pack-big" / "bot.sqlite3", seeds_dir=pack_dir)
        async with running_bot("golden", small_env, work / "pack-1x" / "bot.log") as small_bot:
            small_start = await wait_until_serving(small, small_bot, small_channel)
            async with running_bot("golden", large_env, work / "pack-big" / "bot.log") as big_bot:
                large_start = await wait_until_serving(large, big_bot, large_channel)
                small_memory, large_memory = small_bot.memory(), big_bot.memory()
                small_side = _pack_workloads(small, small_channel, "@ 1× pack")
                large_side = _pack_workloads(large, large_channel, f"@ {FACTOR}× pack")
                await warm_up(small_side + large_side)
                await interleaved(small_side + large_side, calls, 1, error_prefix)
    size = (
        f"{len(pack.people):,} people, {len(pack.characters):,} characters, "
        f"{len(pack.awards):,} award entries"
    )
    figures: list[Figure] = [
        Figure(
            f"start-up to serving, {FACTOR}× pack: Golden Hour (cold)",
            large_start,
            "s",
            note=f"1× pack: {small_start:.2f} s; the {FACTOR}× pack holds {size}",
        ),
        Figure(
            f"RSS serving, {FACTOR}× pack: Golden Hour",
            large_memory.rss_mb,
            "MB",
            note=f"1× pack: {small_memory.rss_mb:.1f} MB",
        ),
    ]
    for before, after in zip(small_side, large_side, strict=True):
        base = before.name.removesuffix(" @ 1× pack")
        clean = all(
            s.unanswered == 0 and s.errors == 0 for s in (before.sequential, after.sequential)
        )
        for workload in (before, after):
            samples = workload.sequential
            figures.append(
                Figure(f"latency {workload.name}, {calls} sequential: p50", ms(samples.p(50)), "ms")
            )
            figures.append(
                Figure(
                    f"latency {workload.name}, {calls} sequential: p99",
                    ms(samples.p(99)),
                    "ms",
                    note=samples.describe(),
                )
            )
        growth = after.sequential.p(99) / before.sequential.p(99)
        figures.append(
            Figure(
                f"{base} p99, {FACTOR}× pack ÷ 1× pack",
                growth,
                "×",
                f"< {GROWTH_TARGET:g}×",
                clean and growth < GROWTH_TARGET,
                note=f"the same {calls} queries to both, taking turns call by call",
            )
        )
    if with_profile:
        slowest = max(large_side, key=lambda w: w.sequential.p(99))
        name = slowest.name.removesuffix(f" @ {FACTOR}× pack")
        figures.append(
            await profile(
                name,
                min(calls, PROFILE_CALLS),
                seeds_dir=pack_dir,
                title=f"the {FACTOR}× pack's slowest command",
                suffix=f"-{FACTOR}x-pack",
            )
        )
    return figures


async def run_async(*, quick: bool = False) -> list[Figure]:
    quiet_discord_logs()
    guild_counts = (1, 1_000) if quick else GUILD_COUNTS
    repeats = {1: 1, 1_000: 1} if quick else REPEATS
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = Path(tmp)
        figures = await startup_and_memory(work, guild_counts, repeats)
        figures.extend(await pack_growth(work, 100 if quick else PACK_CALLS))
    return figures


def run(*, quick: bool = False) -> list[dict[str, Any]]:
    return [f.as_dict() for f in asyncio.run(run_async(quick=quick))]


async def sharded_startup(repeats: int) -> list[Figure]:
    """Only the 10,000-server (10-shard) start-up and memory figures."""
    quiet_discord_logs()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        return await startup_and_memory(Path(tmp), (SHARDED_GUILDS,), {SHARDED_GUILDS: repeats})


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="1 and 1,000 servers once each; 100 calls per pack"
    )
    parser.add_argument(
        "--sharding",
        type=int,
        metavar="REPEATS",
        help="only the 10,000-server sharded start-up; its figures replace those in results.json",
    )
    args = parser.parse_args()
    from bench.__main__ import merge_results, print_table

    if args.sharding:
        records = [f.as_dict() for f in asyncio.run(sharded_startup(args.sharding))]
        print_table(records)
        merge_results("scale", records)
        return
    print_table(run(quick=args.quick))


if __name__ == "__main__":
    main()
