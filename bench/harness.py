"""Shared start-up for the benchmarks: populated doubles, bots as child processes, probes.

Bots run as child processes (``python -m bot run`` for Golden Hour, ``python -m bench.bare_bot``
for the floor) so each has its own interpreter and event loop, like in production, and so its
memory can be read from ``/proc`` and it can be killed with SIGKILL. The double lives in the
benchmark's process and times everything with one monotonic clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from discord_double import Channel, DiscordDouble, InteractionResult

from bench.record import Figure, percentile
from bot.app import GoldenHourBot
from bot.discord_endpoints import point_discord_at, point_discord_at_discord
from bot.i18n.catalogue import Catalogue
from bot.runner import open_services
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
QUERIES = REPO / "tests" / "data" / "resolver_queries.yaml"
PYTHON = sys.executable

# golden: the real bot; bare: the floor; worker: the fan-out benchmark's stand-in for a bot
# whose delivery cog is missing (the real DeliveryWorker in a plain discord.py client).
BotKind = Literal["golden", "bare", "worker"]
MODULE_ARGS: dict[BotKind, tuple[str, ...]] = {
    "golden": ("-m", "bot", "run"),
    "bare": ("-m", "bench.bare_bot"),
    "worker": ("-m", "bench.fanout", "--worker-child"),
}
# The cheapest command of each bot: answering it proves the bot reads its gateway again.
PROBE_COMMAND: dict[BotKind, str] = {"golden": "show", "bare": "ping"}
# Every variable Settings reads: none may leak in from the benchmark's own environment.
SETTING_VARIABLES = (
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "DATABASE_URL",
    "SEEDS_DIR",
    "MAINTAINER_IDS",
    "ADMIN_GUILD_ID",
    "DEV_GUILD_ID",
    "LOG_LEVEL",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "SHARD_COUNT",
    "SHARD_IDS",
    "HEARTBEAT_FILE",
)

Invoke = Callable[[], Awaitable[InteractionResult]]


class BotFailed(RuntimeError):
    """The child bot exited, or never became ready; the message ends with its log's tail."""


def quiet_discord_logs() -> None:
    # discord.py warns about voice support and the like: not a benchmark's business.
    logging.getLogger("discord").setLevel(logging.ERROR)


def populate(double: DiscordDouble, guilds: int, *, prefix: str = "server") -> list[Channel]:
    """``guilds`` servers with one text channel each; the channels in creation order."""
    channels = []
    for index in range(guilds):
        guild = double.add_guild(f"{prefix} {index}")
        channels.append(double.add_channel(guild, "general"))
    return channels


def child_env(
    double: DiscordDouble,
    database: Path,
    *,
    seeds_dir: Path = SEEDS,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment ``python -m bot run`` (or the bare bot) reads, pointed at ``double``."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_VARIABLES}
    env.update(
        DISCORD_TOKEN=double.token,
        DATABASE_PATH=str(database),
        SEEDS_DIR=str(seeds_dir),
        DISCORD_API_BASE=double.api_base,
        DISCORD_GATEWAY_URL=double.gateway_url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    env.update(extra or {})
    return env


@dataclass(frozen=True, slots=True)
class Memory:
    rss_mb: float  # resident now
    peak_mb: float  # high-water mark since start


def read_memory(pid: int) -> Memory:
    """VmRSS and VmHWM of a process, from /proc (Linux)."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return Memory(values["VmRSS"], values["VmHWM"])


class BotProcess:
    """One bot as a child process; its output goes to ``log_path``.

    The working directory is the log's folder, so no developer's ``.env`` is ever read.
    """

    def __init__(self, kind: BotKind, env: Mapping[str, str], log_path: Path) -> None:
        self.kind = kind
        self.env = dict(env)
        self.log_path = log_path
        self.started_at = 0.0
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("the bot was not started")
        return self._proc.pid

    @property
    def exited(self) -> bool:
        return self._proc is not None and self._proc.returncode is not None

    async def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.started_at = time.monotonic()
            self._proc = await asyncio.create_subprocess_exec(
                PYTHON,
                *MODULE_ARGS[self.kind],
                env=self.env,
                cwd=self.log_path.parent,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )

    def memory(self) -> Memory:
        return read_memory(self.pid)

    async def kill(self) -> None:
        """SIGKILL: no clean-up, no unfinished work handed back."""
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGKILL)
            await self._proc.wait()

    async def stop(self, within: float = 15.0) -> None:
        """SIGTERM (the bot closes cleanly), then SIGKILL if it takes longer than ``within``."""
        if self._proc is None or self._proc.returncode is not None:
            return
        self._proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self._proc.wait(), within)
        except TimeoutError:
            await self.kill()

    def log_tail(self, lines: int = 15) -> str:
        if not self.log_path.exists():
            return "(no output)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def failure(self, what: str) -> BotFailed:
        return BotFailed(
            f"{self.kind} bot {what}; its log {self.log_path} ends:\n{self.log_tail()}"
        )


@contextlib.asynccontextmanager
async def running_bot(
    kind: BotKind, env: Mapping[str, str], log_path: Path
) -> AsyncIterator[BotProcess]:
    bot = BotProcess(kind, env, log_path)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


def has_command(double: DiscordDouble, name: str) -> bool:
    return any(command.name == name for command in double.commands())


async def wait_until_serving(
    double: DiscordDouble,
    bot: BotProcess,
    channel: Channel,
    *,
    within: float = 180.0,
    spacing: float = 0.1,
) -> float:
    """Seconds from spawning ``bot`` until it answered a slash command.

    Readiness is taken from the double, not from the bot's word: the commands were synced
    (the probe command is registered), the gateway sent READY and every GUILD_CREATE, and a
    probe dispatched after them was answered. Gateway frames arrive in order, so that answer
    means the bot has read every GUILD_CREATE. Probes go out every ``spacing`` seconds without
    waiting for each other; the earliest accepted answer's time counts.
    """
    command = PROBE_COMMAND.get(bot.kind)
    if command is None:
        raise ValueError(f"a {bot.kind} process answers no slash command")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    probes: list[asyncio.Task[InteractionResult]] = []
    try:
        while True:
            answered = [
                task.result().record.responded_at
                for task in probes
                if task.done() and task.exception() is None and task.result().answered
            ]
            stamps = [stamp for stamp in answered if stamp is not None]
            if stamps:
                return min(stamps) - bot.started_at
            if bot.exited:
                raise bot.failure("exited before it answered a command")
            if loop.time() > deadline:
                raise bot.failure(f"answered no command within {within:g} s")
            if double.gateway.session_ready.is_set() and has_command(double, command):
                probes.append(
                    asyncio.create_task(double.invoke(command, channel=channel, settle=False))
                )
            await asyncio.sleep(spacing)
    finally:
        for task in probes:
            task.cancel()
        await asyncio.gather(*probes, return_exceptions=True)


# --------------------------------------------------------------------------- latency samples


def unexpected_error_prefix() -> str:
    """How Golden Hour's 'something went wrong' reply starts (a fast wrong answer is no win)."""
    return Catalogue.load().t("en", "error.unexpected", ref="\0").split("\0")[0]


@dataclass(slots=True)
class Samples:
    """Latencies (s) of answered interactions, and what went wrong with the others."""

    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    errors: int = 0

    def add(self, result: InteractionResult, error_prefix: str) -> None:
        latency = result.latency
        if latency is None:
            self.unanswered += 1
            return
        self.latencies.append(latency)
        content = result.content or ""
        if result.violations or (error_prefix and content.startswith(error_prefix)):
            self.errors += 1

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) if self.latencies else float("nan")

    def describe(self) -> str:
        return f"{len(self.latencies)} answered, {self.unanswered} unanswered, {self.errors} errors"


async def run_calls(
    calls: Sequence[Invoke], concurrency: int, samples: Samples, error_prefix: str = ""
) -> None:
    """Run ``calls`` with at most ``concurrency`` in flight; all start at once when equal."""
    gate = asyncio.Semaphore(concurrency)

    async def one(call: Invoke) -> None:
        async with gate:
            result = await call()
        samples.add(result, error_prefix)

    await asyncio.gather(*(one(call) for call in calls))


def ms(seconds: float) -> float:
    return seconds * 1000


def ratio_figure(
    name: str, value: float, floor: float, limit: float, *, note: str = "", ok: bool = True
) -> Figure:
    """``value ÷ floor`` against an upper ``limit``; ``ok`` False marks it missed regardless."""
    ratio = value / floor if floor > 0 else float("inf")
    return Figure(name, ratio, "×", f"≤ {limit:g}×", ok and ratio <= limit, note)


# --------------------------------------------------------------------------- in-process bot


def golden_settings(double: DiscordDouble, database: Path, **overrides: Any) -> Settings:
    """Settings for an in-process Golden Hour bot against ``double`` (never reads ``.env``)."""
    values: dict[str, Any] = {
        "discord_token": double.token,
        "database_path": database,
        "seeds_dir": SEEDS,
        "discord_api_base": double.api_base,
        "discord_gateway_url": double.gateway_url,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@contextlib.asynccontextmanager
async def golden_in_process(
    double: DiscordDouble, settings: Settings, *, within: float = 60.0
) -> AsyncIterator[GoldenHourBot]:
    """The start-up path of ``python -m bot run`` inside this process (for profiling)."""
    async with open_services(settings) as services:
        bot = GoldenHourBot(services)
        point_discord_at(double.api_base, double.gateway_url)
        bot._connection.guild_ready_timeout = 0.01  # discord.py's wait after the last guild
        runner = asyncio.create_task(bot.start(double.token))
        try:
            deadline = time.monotonic() + within
            while not bot.is_ready():
                if runner.done():
                    runner.result()
                    raise RuntimeError("the bot stopped before it was ready")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the bot was not ready within {within:g} s")
                await asyncio.sleep(0.005)
            yield bot
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
            point_discord_at_discord()
