"""Benchmarks of the local Discord double: is it ever the bottleneck of an end-to-end test?

- start-up of a double, READY with 1,000 guilds to a bare discord.py bot (time to on_ready);
- 1,000 slash commands answered by a bare bot with a constant string, sequentially and 50
  at a time: latency from dispatching INTERACTION_CREATE to the callback arriving;
- the double's own CPU time per interaction (its REST handlers + building and dispatching
  the interaction), next to the whole process's CPU per interaction;
- the same 1,000 interactions answered by a minimal raw websocket/HTTP client (no discord.py),
  which shows the floor the double itself sets.

`python -m bench.devserver` prints the figures; `run()` returns them for `python -m bench`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands
from discord_double import DiscordDouble
from discord_double.models import Channel

from bench.record import Figure, median, percentile
from bot.discord_endpoints import point_discord_at, point_discord_at_discord

GUILDS = 1000
INTERACTIONS = 1000
CONCURRENCY = 50
READY_WAIT = 0.05  # guild_ready_timeout given to the bot: discord.py's wait after the last guild


class _PingBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=READY_WAIT
        )

    async def setup_hook(self) -> None:
        @app_commands.command(description="Constant answer")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        self.tree.add_command(ping)


async def _start_bot(bot: discord.Client, double: DiscordDouble) -> asyncio.Task[None]:
    point_discord_at(double.api_base, double.gateway_url)
    runner = asyncio.create_task(bot.start(double.token))
    while not bot.is_ready():
        if runner.done():
            runner.result()
            raise RuntimeError("bot stopped before it was ready")
        await asyncio.sleep(0.001)
    return runner


async def _stop_bot(bot: discord.Client, runner: asyncio.Task[None]) -> None:
    await bot.close()
    await runner
    point_discord_at_discord()


async def bench_start() -> list[Figure]:
    samples = []
    for _ in range(5):
        began = time.perf_counter()
        double = DiscordDouble()
        await double.start()
        samples.append(time.perf_counter() - began)
        await double.stop()
    start_ms = median(samples) * 1000
    return [Figure("double start", start_ms, "ms", "< 100 ms", start_ms < 100)]


async def bench_ready() -> list[Figure]:
    double = DiscordDouble()
    for index in range(GUILDS):
        guild = double.add_guild(f"guild {index}")
        double.add_channel(guild, "general")
        double.add_role(guild, "subscribers", mentionable=True)
    await double.start()
    bot = _PingBot()
    began = time.perf_counter()
    runner = await _start_bot(bot, double)
    ready_s = time.perf_counter() - began
    cached = len(bot.guilds)
    await _stop_bot(bot, runner)
    await double.stop()
    ready_cpu_ms = double.gateway.ready_cpu_seconds * 1000
    return [
        Figure(
            f"READY + {GUILDS} GUILD_CREATE to on_ready",
            ready_s,
            "s",
            "< 3 s",
            ready_s < 3 and cached == GUILDS,
            note=f"bare bot, {cached} guilds cached, includes guild_ready_timeout {READY_WAIT} s",
        ),
        Figure(
            f"double CPU building READY for {GUILDS} guilds",
            ready_cpu_ms,
            "ms",
            "< 500 ms",
            ready_cpu_ms < 500,
        ),
    ]


async def _measure(
    double: DiscordDouble,
    invoke: Callable[[], Awaitable[float | None]],
    count: int,
    concurrency: int,
) -> tuple[list[float], float, float, int]:
    """Latencies (s), double CPU (s), process CPU (s) and unanswered count for `count` calls."""
    stats = double.stats
    double_cpu_before = stats.handler_seconds + stats.driver_seconds
    process_before = time.process_time()
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    unanswered = 0

    async def one() -> None:
        nonlocal unanswered
        async with gate:
            latency = await invoke()
        if latency is None:
            unanswered += 1
        else:
            latencies.append(latency)

    await asyncio.gather(*(one() for _ in range(count)))
    double_cpu = stats.handler_seconds + stats.driver_seconds - double_cpu_before
    return latencies, double_cpu, time.process_time() - process_before, unanswered


# Sequential: the double must add next to nothing. Concurrent: 50 interactions queue on one
# event loop shared by the double and the bot, so latency is mostly queueing; the bar is to
# stay far below Discord's 3 s deadline so no test ever fails because of the double.
_TARGETS_MS = {1: (20.0, 100.0), CONCURRENCY: (100.0, 300.0)}


def _latency_figures(
    label: str, latencies: list[float], unanswered: int, concurrency: int
) -> list[Figure]:
    p50 = percentile(latencies, 50) * 1000
    p99 = percentile(latencies, 99) * 1000
    p50_target, p99_target = _TARGETS_MS[concurrency]
    return [
        Figure(
            f"{label} p50 latency",
            p50,
            "ms",
            f"< {p50_target:.0f} ms",
            p50 < p50_target and unanswered == 0,
        ),
        Figure(
            f"{label} p99 latency",
            p99,
            "ms",
            f"< {p99_target:.0f} ms",
            p99 < p99_target and unanswered == 0,
            note=f"{len(latencies)} answered, {unanswered} unanswered",
        ),
    ]


async def bench_bare_bot() -> list[Figure]:
    double = DiscordDouble()
    guild = double.add_guild("bench")
    channel = double.add_channel(guild, "general")
    await double.start()
    bot = _PingBot()
    runner = await _start_bot(bot, double)
    await bot.tree.sync()

    async def invoke() -> float | None:
        return (await double.invoke("ping", channel=channel)).latency

    figures: list[Figure] = []
    cpu_share: list[float] = []
    runs = (("bare bot, sequential", 1), (f"bare bot, {CONCURRENCY} concurrent", CONCURRENCY))
    for label, concurrency in runs:
        began = time.perf_counter()
        latencies, double_cpu, process_cpu, unanswered = await _measure(
            double, invoke, INTERACTIONS, concurrency
        )
        rate = INTERACTIONS / (time.perf_counter() - began)
        figures.extend(_latency_figures(label, latencies, unanswered, concurrency))
        figures.append(Figure(f"{label}: throughput", rate, "/s", note="interactions answered"))
        per_double = double_cpu / INTERACTIONS * 1000
        per_process = process_cpu / INTERACTIONS * 1000
        cpu_share.append(double_cpu / process_cpu if process_cpu else 0.0)
        figures.append(
            Figure(
                f"{label}: double CPU per interaction",
                per_double,
                "ms",
                "< 1 ms",
                per_double < 1,
                note=f"whole process (double + discord.py bot + aiohttp): {per_process:.3f} ms",
            )
        )
    await _stop_bot(bot, runner)
    await double.stop()
    worst_share = max(cpu_share) * 100
    figures.append(
        Figure(
            "double's share of the process CPU",
            worst_share,
            "%",
            "< 25 %",
            worst_share < 25,
            note="the rest is discord.py, the bot and aiohttp on both ends",
        )
    )
    return figures


async def bench_raw_client() -> list[Figure]:
    """A minimal client: identify, then answer every INTERACTION_CREATE with a constant."""
    double = DiscordDouble()
    guild = double.add_guild("bench")
    channel: Channel = double.add_channel(guild, "general")
    await double.start()
    auth = {"Authorization": f"Bot {double.token}"}
    async with aiohttp.ClientSession() as http:
        put = f"{double.api_base}/applications/{double.application_id}/commands"
        body = [{"name": "ping", "description": "Constant answer", "type": 1}]
        async with http.put(put, json=body, headers=auth) as response:
            response.raise_for_status()
        ws = await http.ws_connect(f"{double.gateway_url}?v=10&encoding=json")
        await ws.receive_json()  # HELLO
        await ws.send_json({"op": 2, "d": {"token": double.token, "intents": 1}})
        answering = asyncio.create_task(_answer_forever(ws, http, double.api_base))
        await double.wait_for_session()

        async def invoke() -> float | None:
            return (await double.invoke("ping", channel=channel)).latency

        figures: list[Figure] = []
        latencies, double_cpu, process_cpu, unanswered = await _measure(
            double, invoke, INTERACTIONS, 1
        )
        figures.extend(_latency_figures("raw client, sequential", latencies, unanswered, 1))
        per_double = double_cpu / INTERACTIONS * 1000
        figures.append(
            Figure(
                "raw client: process CPU per interaction",
                process_cpu / INTERACTIONS * 1000,
                "ms",
                note=f"double's own part {per_double:.3f} ms; the rest is aiohttp on both ends",
            )
        )
        answering.cancel()
        await ws.close()
    await double.stop()
    return figures


async def _answer_forever(
    ws: aiohttp.ClientWebSocketResponse, http: aiohttp.ClientSession, api_base: str
) -> None:
    answer = json.dumps({"type": 4, "data": {"content": "pong"}})
    headers = {"Content-Type": "application/json"}
    async for frame in ws:
        event = json.loads(frame.data)
        if event.get("t") != "INTERACTION_CREATE":
            continue
        data = event["d"]
        url = f"{api_base}/interactions/{data['id']}/{data['token']}/callback"
        async with http.post(url, data=answer, headers=headers) as response:
            await response.read()


async def _run_all() -> list[Figure]:
    # discord.py warns about voice libraries and message content; not this benchmark's business.
    logging.getLogger("discord").setLevel(logging.ERROR)
    figures: list[Figure] = []
    for bench in (bench_start, bench_ready, bench_bare_bot, bench_raw_client):
        figures.extend(await bench())
    return figures


def run() -> list[dict[str, Any]]:
    return [figure.as_dict() for figure in asyncio.run(_run_all())]


if __name__ == "__main__":
    for record in run():
        met = {True: "met", False: "MISSED", None: ""}[record["met"]]
        print(
            f"{record['name']:<52} {record['value']:>10.3f} {record['unit']:<3} "
            f"{record['target']:<10} {met:<6} {record['note']}"
        )
