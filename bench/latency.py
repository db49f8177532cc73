"""Command latency: Golden Hour against a bare discord.py bot, side by side in one run.

Both bots run as child processes, each against its own double in this process. Latency is the
double's: from dispatching INTERACTION_CREATE to the bot's first callback arriving. Workloads:
/cast with random names from the labelled query set, /awards and /renewal with random options,
and /cast autocomplete keystrokes (each prefix of a name is one keystroke). Each runs 500 times
sequentially and 500 times 50 at once. The floor is the bare bot's constant-string /ping, in
the same run. To spread the machine's noise evenly, the workloads take turns: one call each
when sequential, one burst of 50 each when concurrent.

Figures: p50/p99 per workload, and p99 ÷ floor p99 (target ≤ 1.5). Then the slowest command
(highest sequential p99) is profiled with pyinstrument and saved as ``bench/profile-<name>.html``.

Run: ``python -m bench.latency [--quick] [--no-profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from discord_double import Channel, DiscordDouble

from bench.harness import (
    QUERIES,
    SEEDS,
    Invoke,
    Samples,
    child_env,
    golden_in_process,
    golden_settings,
    ms,
    populate,
    quiet_discord_logs,
    ratio_figure,
    run_calls,
    running_bot,
    unexpected_error_prefix,
    wait_until_serving,
)
from bench.record import Figure

SEQUENTIAL = 500
CONCURRENT = 500
CONCURRENCY = 50
WARM_UP = 20  # calls per workload before measuring (imports, caches, first connections)
P99_RATIO_TARGET = 1.5
PROFILE_CALLS = 300
GC_PAUSE_CALLS = 250  # calls between two collections of this process (see below)
RESULTS_DIR = Path(__file__).resolve().parent
SEED = 20250124  # fixed: every run asks the same things in the same order


def query_names(path: Path = QUERIES) -> list[str]:
    """The labelled query set's queries that Discord would accept as an option value."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [q["q"] for q in data["queries"] if q["q"].strip() and len(q["q"]) <= 100]


def keystrokes(names: list[str], rng: random.Random) -> list[str]:
    """What a fan's autocomplete sends while typing names: every non-blank prefix, in turn."""
    shuffled = names[:]
    rng.shuffle(shuffled)
    return [
        name[:end] for name in shuffled for end in range(1, len(name) + 1) if name[:end].strip()
    ]


@dataclass(slots=True)
class Workload:
    """One kind of interaction, by one bot; ``make`` builds the next call."""

    name: str
    make: Callable[[], Invoke]
    sequential: Samples = field(default_factory=Samples)
    concurrent: Samples = field(default_factory=Samples)


def golden_workloads(double: DiscordDouble, channel: Channel, rng: random.Random) -> list[Workload]:
    """/cast, /awards, /renewal and /cast autocomplete as fans use them, against ``double``."""
    names = query_names()
    strokes = keystrokes(names, rng)
    stroke_index = 0
    # /awards: everything, one person, only wins, one person's wins.
    award_options: list[dict[str, Any]] = [
        {},
        {"who": ""},
        {"result": "won"},
        {"who": "", "result": "won"},
    ]
    renewal_options: list[dict[str, Any]] = [{}, {"season": 1}, {"season": 2}, {"season": 3}]

    def cast() -> Invoke:
        name = rng.choice(names)
        return lambda: double.invoke("cast", {"name": name}, channel=channel)

    def awards() -> Invoke:
        options = dict(rng.choice(award_options))
        if "who" in options:
            options["who"] = rng.choice(names)
        return lambda: double.invoke("awards", options, channel=channel)

    def renewal() -> Invoke:
        options = rng.choice(renewal_options)
        return lambda: double.invoke("renewal", options, channel=channel)

    def autocomplete() -> Invoke:
        nonlocal stroke_index
        typed = strokes[stroke_index % len(strokes)]
        stroke_index += 1
        return lambda: double.autocomplete_result(
            "cast", {"name": typed}, focused="name", channel=channel
        )

    return [
        Workload("/cast", cast),
        Workload("/awards", awards),
        Workload("/renewal", renewal),
        Workload("/cast autocomplete", autocomplete),
    ]


def floor_workload(double: DiscordDouble, channel: Channel) -> Workload:
    """The bare bot's constant-string /ping."""
    return Workload("floor /ping", lambda: lambda: double.invoke("ping", channel=channel))


async def warm_up(workloads: list[Workload]) -> None:
    for workload in workloads:
        await run_calls([workload.make() for _ in range(WARM_UP)], 1, Samples())


async def interleaved(
    workloads: list[Workload], total: int, concurrency: int, error_prefix: str
) -> None:
    """``total`` calls per workload; the workloads take turns, in a shuffled order each round.

    Sequential (``concurrency`` 1): one call per turn, so a slow spell of the shared machine
    hits every workload alike. Concurrent: a turn is ``concurrency`` calls dispatched at once.
    """
    sequential = concurrency == 1
    order = random.Random(SEED + concurrency)
    rounds = total // concurrency
    per_pause = max(1, GC_PAUSE_CALLS // (concurrency * len(workloads)))
    for first in range(0, rounds, per_pause):
        with instrument_gc_paused():
            for _ in range(min(per_pause, rounds - first)):
                turn = workloads[:]
                order.shuffle(turn)  # no workload always follows the same one
                for workload in turn:
                    samples = samples_of(workload, sequential)
                    calls = [workload.make() for _ in range(concurrency)]
                    await run_calls(calls, concurrency, samples, error_prefix)


@contextlib.contextmanager
def instrument_gc_paused() -> Iterator[None]:
    """Pause garbage collection in this process (the double, the instrument) for a while.

    The double keeps every interaction and message, so its collections grow long and would
    land on whichever workload is running. The bots' own collections are untouched: they run
    in their own processes.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def samples_of(workload: Workload, sequential: bool) -> Samples:
    return workload.sequential if sequential else workload.concurrent


def _figures(workloads: list[Workload], sequential: int, concurrent: int) -> list[Figure]:
    """p50/p99 of each workload, and each Golden Hour p99 ÷ the floor's (workloads[0])."""
    floor = workloads[0]
    figures: list[Figure] = []
    for is_sequential, count in ((True, sequential), (False, concurrent)):
        label = "sequential" if is_sequential else f"{CONCURRENCY} at a time"
        floor_p99 = samples_of(floor, is_sequential).p(99)
        for workload in workloads:
            samples = samples_of(workload, is_sequential)
            clean = samples.unanswered == 0 and samples.errors == 0
            prefix = f"latency {workload.name}, {count} {label}"
            figures.append(Figure(f"{prefix}: p50", ms(samples.p(50)), "ms"))
            figures.append(
                Figure(f"{prefix}: p99", ms(samples.p(99)), "ms", note=samples.describe())
            )
            if workload is floor:
                continue
            figures.append(
                ratio_figure(
                    f"{prefix}: p99 ÷ floor p99",
                    samples.p(99),
                    floor_p99,
                    P99_RATIO_TARGET,
                    ok=clean,
                    note=f"floor p99 {ms(floor_p99):.2f} ms; {samples.describe()}",
                )
            )
    return figures


async def measure(sequential: int = SEQUENTIAL, concurrent: int = CONCURRENT) -> list[Figure]:
    """Both bots, all workloads, sequential then concurrent; the figures and the slowest name."""
    quiet_discord_logs()
    error_prefix = unexpected_error_prefix()
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        work = Path(tmp)
        async with DiscordDouble() as golden, DiscordDouble() as bare:
            golden_channel = populate(golden, 1)[0]
            bare_channel = populate(bare, 1)[0]
            golden_env = child_env(golden, work / "golden" / "golden.sqlite3")
            bare_env = child_env(bare, work / "bare" / "bare.sqlite3")
            async with (
                running_bot("golden", golden_env, work / "golden" / "bot.log") as golden_bot,
                running_bot("bare", bare_env, work / "bare" / "bot.log") as bare_bot,
            ):
                await wait_until_serving(golden, golden_bot, golden_channel)
                await wait_until_serving(bare, bare_bot, bare_channel)
                rng = random.Random(SEED)
                workloads = [
                    floor_workload(bare, bare_channel),
                    *golden_workloads(golden, golden_channel, rng),
                ]
                await warm_up(workloads)
                await interleaved(workloads, sequential, 1, error_prefix)
                await interleaved(workloads, concurrent, CONCURRENCY, error_prefix)
    return _figures(workloads, sequential, concurrent)


def slowest_command(figures: list[Figure]) -> str | None:
    """The Golden Hour workload with the highest sequential p99 (its own cost, no queueing)."""
    p99s = {
        f.name.removeprefix("latency ").split(",")[0]: f.value
        for f in figures
        if "sequential: p99" in f.name and "floor" not in f.name and "÷" not in f.name
    }
    return max(p99s, key=lambda name: p99s[name]) if p99s else None


def profile_path(workload_name: str, suffix: str = "") -> Path:
    slug = "-".join(workload_name.strip("/").split())
    return RESULTS_DIR / f"profile-{slug}{suffix}.html"


async def profile(
    workload_name: str,
    calls: int = PROFILE_CALLS,
    *,
    seeds_dir: Path = SEEDS,
    title: str = "the slowest command",
    suffix: str = "",
) -> Figure:
    """Run one workload sequentially in this process under pyinstrument; save the HTML.

    In-process because a profiler must live in the bot's interpreter: the profile therefore
    also shows the double's own frames (``discord_double``), which are not the bot's cost.
    """
    from pyinstrument import Profiler

    quiet_discord_logs()
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        async with DiscordDouble() as double:
            channel = populate(double, 1)[0]
            settings = golden_settings(double, Path(tmp) / "golden.sqlite3", seeds_dir=seeds_dir)
            async with golden_in_process(double, settings):
                workloads = golden_workloads(double, channel, random.Random(SEED))
                workload = next(w for w in workloads if w.name == workload_name)
                await warm_up([workload])
                samples = Samples()
                profiler = Profiler(interval=0.0005, async_mode="disabled")
                began = time.perf_counter()
                profiler.start()
                await run_calls([workload.make() for _ in range(calls)], 1, samples)
                profiler.stop()
                elapsed = time.perf_counter() - began
    path = profile_path(workload_name, suffix)
    path.write_text(profiler.output_html(), encoding="utf-8")
    # A small text tree too, committed with the results so the next person sees it in review.
    path.with_suffix(".txt").write_text(
        profiler.output_text(unicode=True, color=False), encoding="utf-8"
    )
    return Figure(
        f"profile of {title} ({workload_name}), in-process",
        ms(elapsed / calls),
        "ms/call",
        note=f"{calls} sequential calls under pyinstrument, saved to {path.name} (+ .txt)",
    )


async def run_async(*, quick: bool = False, with_profile: bool = True) -> list[Figure]:
    sequential, concurrent = (100, 100) if quick else (SEQUENTIAL, CONCURRENT)
    figures = await measure(sequential, concurrent)
    slowest = slowest_command(figures)
    if with_profile and slowest is not None:
        figures.append(await profile(slowest, 50 if quick else PROFILE_CALLS))
    return figures


def run(*, quick: bool = False, with_profile: bool = True) -> list[dict[str, Any]]:
    return [f.as_dict() for f in asyncio.run(run_async(quick=quick, with_profile=with_profile))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 calls per mode, not 500")
    parser.add_argument("--no-profile", action="store_true", help="skip the pyinstrument run")
    args = parser.parse_args()
    from bench.__main__ import print_table

    print_table(run(quick=args.quick, with_profile=not args.no_profile))


if __name__ == "__main__":
    main()
