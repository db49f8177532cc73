"""Discord's 3-second deadline under load: a burst of interactions, and /cast during a fan-out.

Burst: ``python -m bot run`` against the double, then 2,000 /cast autocomplete keystrokes
dispatched at once (on this machine's 2 shared cores the bot cannot answer them all within
3 s). Figures: answered within the deadline, late answers sent (each a 404 "Unknown
interaction", 10062, counting toward Discord's invalid-request ban; target 0), dropped by the
bot (one log line each, counted from its log), tracebacks in its log (target 0), and whether
every interaction is accounted for.

Fan-out: the same bot with 5,000 subscribed servers at Discord's 50 requests/s. /cast p99
(sequential calls, 50 ms apart) while the delivery worker sends one update to all 5,000
servers, and while idle (half before the fan-out, half after it, so the shared machine's slow
spells weigh on both); target: busy p99 ÷ idle p99 ≤ 1.5.

Run: ``python -m bench.deadline [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from discord_double import Channel, DiscordDouble, InteractionResult

from bench.fanout import CHANNEL_LIMIT, DRAFT, GLOBAL_RATE, SEND_ROUTE, subscribe_servers
from bench.harness import (
    BotProcess,
    Samples,
    child_env,
    ms,
    populate,
    quiet_discord_logs,
    ratio_figure,
    running_bot,
    unexpected_error_prefix,
    wait_until_serving,
)
from bench.latency import keystrokes, query_names
from bench.record import Figure
from bot.production import repo_previews
from bot.production.models import Published
from bot.store.database import Database
from bot.store.migrate import migrate

BURST = 2_000
# Interactions built per turn of this process's loop: the double builds each payload here,
# and its gateway writer only sends between turns; without yielding, the bot would get the
# first frame only after all 2,000 were built (an artefact, not Discord's behaviour).
DISPATCH_CHUNK = 50
FANOUT_SERVERS = 5_000
CAST_CALLS = 600  # while the fan-out runs; as many while idle, half before and half after
CAST_SPACING = 0.05  # s between two /cast calls: a steady trickle spread over the fan-out
P99_RATIO_TARGET = 1.5
UNKNOWN_INTERACTION = 10062
DROPPED_MARK = " dropped "  # the bot's one line per dropped interaction (bot.deadline)
SEED = 20261206


def count_in_log(bot: BotProcess, needle: str) -> int:
    if not bot.log_path.exists():
        return 0
    return sum(needle in line for line in bot.log_path.read_text(errors="replace").splitlines())


def late_answers(double: DiscordDouble) -> int:
    """Answers Discord would have refused as too late (10062)."""
    return sum(1 for v in double.violations if v.code == UNKNOWN_INTERACTION)


# --------------------------------------------------------------------------- the burst


async def burst(size: int, work: Path) -> list[Figure]:
    error_prefix = unexpected_error_prefix()
    async with DiscordDouble() as double:
        channel = populate(double, 1)[0]
        env = child_env(double, work / "burst.sqlite3")
        async with running_bot("golden", env, work / "burst.log") as bot:
            await wait_until_serving(double, bot, channel)
            strokes = keystrokes(query_names(), random.Random(SEED))

            def keystroke(index: int) -> Any:
                typed = strokes[index % len(strokes)]
                return double.autocomplete_result(
                    "cast", {"name": typed}, focused="name", channel=channel
                )

            # Warm up (first imports, caches, connections), then forget what it cost.
            await asyncio.gather(*(keystroke(i) for i in range(20)))
            warm_late, warm_dropped = late_answers(double), count_in_log(bot, DROPPED_MARK)
            began = time.monotonic()
            tasks: list[asyncio.Task[InteractionResult]] = []
            for first in range(0, size, DISPATCH_CHUNK):
                chunk = range(first, min(first + DISPATCH_CHUNK, size))
                tasks += [asyncio.create_task(keystroke(i)) for i in chunk]
                await asyncio.sleep(0)  # the double's gateway writer streams what it has
            results = list(await asyncio.gather(*tasks))
            dispatched_in = max(r.record.dispatched_at for r in results) - began
            await asyncio.sleep(3.0)  # an answer sent late lands (and is refused) by now
            late = late_answers(double) - warm_late
            dropped = count_in_log(bot, DROPPED_MARK) - warm_dropped
            tracebacks = count_in_log(bot, "Traceback (most recent call last)")
    samples = Samples()
    for result in results:
        samples.add(result, error_prefix)
    answered = len(samples.latencies)
    accounted = answered + late + dropped
    label = f"burst of {size:,} autocompletes at once"
    context = f"dispatched within {dispatched_in:.2f} s; {samples.describe()}"
    return [
        Figure(
            f"{label}: answered within the deadline",
            answered,
            "",
            note=f"p50 {ms(samples.p(50)):.0f} ms, p99 {ms(samples.p(99)):.0f} ms; {context}",
        ),
        Figure(f"{label}: late answers sent (10062)", late, "", "0", late == 0, note=context),
        Figure(
            f"{label}: dropped by the bot (one log line each)",
            dropped,
            "",
            note="counted from the bot's log; Discord shows these users 'interaction failed'",
        ),
        Figure(f"{label}: tracebacks in the bot's log", tracebacks, "", "0", tracebacks == 0),
        Figure(
            f"{label}: accounted for (answered + late + dropped)",
            accounted,
            "",
            f"{size:,}",
            accounted == size,
        ),
    ]


# --------------------------------------------------------------------------- /cast during a fan-out


async def subscribe_all(database: Path, channels: list[Channel]) -> None:
    db = await Database.open(database)
    try:
        await migrate(db)
        await subscribe_servers(db, channels, time.time())
    finally:
        await db.close()


async def publish(database: Path, servers: int) -> None:
    """What Publish does, from this process: the running bot's worker picks it up."""
    db = await Database.open(database)
    try:
        now = time.time()
        token = f"bench-{time.time_ns()}"
        await repo_previews.create_preview(db, token=token, author_id=1, draft=DRAFT, now=now)
        published = await repo_previews.publish_preview(db, token, now)
    finally:
        await db.close()
    if not isinstance(published, Published) or published.deliveries != servers:
        raise RuntimeError(f"publishing the benchmark update failed: {published!r}")


async def cast_calls(
    double: DiscordDouble, channel: Channel, names: list[str], rng: random.Random, calls: int
) -> Samples:
    samples = Samples()
    error_prefix = unexpected_error_prefix()
    for _ in range(calls):
        name = rng.choice(names)
        samples.add(await double.invoke("cast", {"name": name}, channel=channel), error_prefix)
        await asyncio.sleep(CAST_SPACING)
    return samples


async def until_delivered(double: DiscordDouble, channels: list[Channel], within: float) -> None:
    """Until every channel has its copy (or ``within`` s passed: the idle calls go on)."""
    for _ in range(int(within / 0.5)):
        if all(double.messages(channel) for channel in channels):
            return
        await asyncio.sleep(0.5)


async def cast_during_fanout(servers: int, calls: int, work: Path) -> list[Figure]:
    async with DiscordDouble(
        global_rate_limit=GLOBAL_RATE, channel_message_limit=CHANNEL_LIMIT
    ) as double:
        channels = populate(double, servers)
        fans = channels[0]
        database = work / "fanout.sqlite3"
        await subscribe_all(database, channels)
        env = child_env(double, database)
        names = query_names()
        rng = random.Random(SEED)
        async with running_bot("golden", env, work / "fanout.log") as bot:
            await wait_until_serving(double, bot, fans, within=600.0)
            await cast_calls(double, fans, names, rng, 20)  # warm-up
            # Idle before and after the fan-out, so a slow spell of the shared machine
            # weighs on both sides of the ratio alike.
            idle = await cast_calls(double, fans, names, rng, calls // 2)
            await publish(database, servers)
            while not double.requests_to(SEND_ROUTE):  # the worker polls the outbox
                if bot.exited:
                    raise bot.failure("exited before the fan-out")
                await asyncio.sleep(0.05)
            sends_before = len(double.requests_to(SEND_ROUTE))
            busy = await cast_calls(double, fans, names, rng, calls)
            sends_during = len(double.requests_to(SEND_ROUTE)) - sends_before
            await until_delivered(double, channels[1:], within=servers / GLOBAL_RATE * 3 + 60)
            after = await cast_calls(double, fans, names, rng, calls - calls // 2)
            idle.latencies += after.latencies
            idle.unanswered += after.unanswered
            idle.errors += after.errors
    still_running = sends_during > 0 and sends_before + sends_during < servers
    label = f"/cast p99 during a {servers:,}-server fan-out"
    note = (
        f"busy p99 {ms(busy.p(99)):.2f} ms ({busy.describe()}), idle p99 {ms(idle.p(99)):.2f} ms "
        f"({idle.describe()}); {sends_during:,} sends during the busy calls"
    )
    if not still_running:
        note += "; the fan-out was NOT running throughout"
    clean = busy.unanswered == 0 and busy.errors == 0 and still_running
    return [
        Figure(f"{label}: idle p50", ms(idle.p(50)), "ms"),
        Figure(f"{label}: idle p99", ms(idle.p(99)), "ms", note=idle.describe()),
        Figure(f"{label}: busy p99", ms(busy.p(99)), "ms", note=busy.describe()),
        Figure(f"{label}: busy p50", ms(busy.p(50)), "ms"),
        ratio_figure(
            f"{label} ÷ idle p99", busy.p(99), idle.p(99), P99_RATIO_TARGET, ok=clean, note=note
        ),
    ]


async def run_async(*, quick: bool = False) -> list[Figure]:
    quiet_discord_logs()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-deadline-") as tmp:
        work = Path(tmp)
        figures += await burst(200 if quick else BURST, work)
        print("   burst done", flush=True)
        servers, calls = (500, 100) if quick else (FANOUT_SERVERS, CAST_CALLS)
        figures += await cast_during_fanout(servers, calls, work)
    return figures


def run(*, quick: bool = False) -> list[dict[str, Any]]:
    return [f.as_dict() for f in asyncio.run(run_async(quick=quick))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.deadline", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 at once, 500 servers")
    args = parser.parse_args()
    from bench.__main__ import print_table

    print_table(run(quick=args.quick))


if __name__ == "__main__":
    main()
