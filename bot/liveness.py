"""Liveness for the service manager, and periodic backups while the bot runs.

Every few seconds the bot writes a small JSON heartbeat file saying whether it is healthy:
the gateway is connected and the delivery worker's loop is advancing. `python -m bot health`
reads it (Docker's HEALTHCHECK, a systemd timer, a monitoring agent) and fails when the file
says unhealthy or has not been written for a while (the process hung or died). A file, not a
port: nothing listens, so nothing needs guarding.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discord.ext import commands

from bot.settings import Settings
from bot.store.backup import backup_database, backup_name, prune_backups
from bot.ui.production import DESK_COG

log = logging.getLogger(__name__)

BEAT_EVERY = 10.0  # seconds between heartbeats
STALE_AFTER = 60.0  # a heartbeat older than this means the process is hung or gone
WORKER_STALLED_AFTER = 120.0  # the worker's loop turns at least every poll interval (5 s)
GATEWAY_GRACE = 90.0  # a reconnect normally takes seconds; after this long it is an outage


@dataclass(frozen=True, slots=True)
class Beat:
    time: float
    healthy: bool
    reason: str


def assess(
    bot: commands.AutoShardedBot | commands.Bot,
    now: float,
    down_since: float | None,
    *,
    gateway_grace: float = GATEWAY_GRACE,
    worker_stalled_after: float = WORKER_STALLED_AFTER,
) -> tuple[bool, str]:
    """(healthy, reason) from what the process can see of itself."""
    if down_since is not None and now - down_since > gateway_grace:
        return False, f"gateway disconnected for {now - down_since:.0f} s"
    cog = bot.get_cog(DESK_COG)
    worker: Any = getattr(cog, "worker", None)
    sender: Any = getattr(cog, "sender", None)
    if sender is not None:
        idle = now - sender.last_tick
        if idle > worker_stalled_after:
            return False, f"sender lease loop stalled for {idle:.0f} s"
        if not sender.sending:
            # Another process sends fan-out (or takes over when its lease lapses): an idle
            # worker here is the design, not a fault.
            seen = sender.sender_seen or "nobody yet"
            return True, f"standby, sender is {seen}" + (
                "" if down_since is None else "; gateway reconnecting"
            )
    if worker is not None:
        if not worker.running:
            return False, "delivery worker is not running"
        idle = now - worker.last_loop
        if idle > worker_stalled_after:
            return False, f"delivery worker stalled for {idle:.0f} s"
    return True, "ok" if down_since is None else "gateway reconnecting"


def write_beat(path: Path, beat: Beat) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(
        json.dumps({"time": beat.time, "healthy": beat.healthy, "reason": beat.reason})
    )
    os.replace(partial, path)  # a reader never sees half a file


def read_beat(path: Path, now: float | None = None) -> tuple[bool, str]:
    """(healthy, one line) for `python -m bot health`."""
    now = time.time() if now is None else now
    try:
        data = json.loads(path.read_text())
        beat = Beat(float(data["time"]), bool(data["healthy"]), str(data["reason"]))
    except FileNotFoundError:
        return False, f"no heartbeat at {path}: the bot is not running (or HEARTBEAT_FILE differs)"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return False, f"unreadable heartbeat {path}: {exc}"
    age = now - beat.time
    if age > STALE_AFTER:
        return False, f"heartbeat {path} is {age:.0f} s old: the bot is hung or stopped"
    if not beat.healthy:
        return False, f"unhealthy: {beat.reason} (heartbeat {age:.0f} s old)"
    return True, f"healthy: {beat.reason} (heartbeat {age:.0f} s old)"


class Liveness:
    """Follows the gateway through discord.py's connect/disconnect events and writes a beat
    every ``every`` seconds while :meth:`running`."""

    def __init__(
        self,
        bot: commands.AutoShardedBot | commands.Bot,
        path: Path,
        *,
        every: float = BEAT_EVERY,
        gateway_grace: float = GATEWAY_GRACE,
        worker_stalled_after: float = WORKER_STALLED_AFTER,
    ) -> None:
        self.bot = bot
        self.path = path
        self.every = every
        self.gateway_grace = gateway_grace
        self.worker_stalled_after = worker_stalled_after
        # Not connected yet counts as down from now: the grace covers a normal start.
        self.down_since: float | None = None if bot.is_ready() else time.monotonic()
        self._last_reason = ""
        for event in ("on_connect", "on_ready", "on_resumed"):
            bot.add_listener(self._gateway_up, event)
        bot.add_listener(self._gateway_down, "on_disconnect")

    async def _gateway_up(self) -> None:
        self.down_since = None

    async def _gateway_down(self) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()

    def beat(self) -> Beat:
        healthy, reason = assess(
            self.bot,
            time.monotonic(),
            self.down_since,
            gateway_grace=self.gateway_grace,
            worker_stalled_after=self.worker_stalled_after,
        )
        if reason != self._last_reason and not healthy:
            log.warning("liveness: %s", reason)
        self._last_reason = reason
        beat = Beat(time.time(), healthy, reason)
        try:
            write_beat(self.path, beat)
        except OSError as exc:
            log.warning("cannot write heartbeat %s: %s", self.path, exc)
        return beat

    async def _loop(self) -> None:
        while True:
            self.beat()
            await asyncio.sleep(self.every)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self._loop(), name="liveness")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            with contextlib.suppress(OSError):
                write_beat(self.path, Beat(time.time(), False, "stopped"))


@contextlib.asynccontextmanager
async def periodic_backups(settings: Settings) -> AsyncIterator[None]:
    """Every BACKUP_INTERVAL_HOURS a backup into BACKUP_DIR, keeping the newest BACKUP_KEEP."""
    if settings.backup_interval_hours <= 0:
        yield
        return
    if settings.on_postgresql:
        log.warning(
            "BACKUP_INTERVAL_HOURS is set but the database is on PostgreSQL: the bot copies "
            "only SQLite files; schedule pg_dump (or your provider's backups) instead"
        )
        yield
        return
    task = asyncio.create_task(_backup_loop(settings), name="periodic backups")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _backup_loop(settings: Settings) -> None:
    interval = settings.backup_interval_hours * 3600
    while True:
        await asyncio.sleep(interval)
        try:
            target = settings.backup_dir / backup_name("auto")
            result = await asyncio.to_thread(backup_database, settings.database_path, target)
            removed = prune_backups(settings.backup_dir, settings.backup_keep, reason="auto")
            log.info("periodic backup: %s; %d old backup(s) removed", result, len(removed))
        except Exception as exc:  # a failed backup must not stop the bot; say why, try later
            log.error("periodic backup failed: %s", exc)
