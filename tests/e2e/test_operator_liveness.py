"""Liveness: the heartbeat turns unhealthy when the gateway stays down or the delivery worker
stops, and `python -m bot health` says so in one line; periodic backups keep BACKUP_KEEP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from discord_double import DiscordDouble

from bot.liveness import Liveness, periodic_backups, read_beat
from bot.ui.production import DESK_COG
from tests.e2e.golden import Golden
from tests.e2e.operator_helpers import bot_env, integrity, run_cli_async


async def wait_until(predicate: Callable[[], bool], within: float = 30) -> None:
    """Poll a condition another part of the system changes (no event to wait on)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        if predicate():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def test_heartbeat_goes_unhealthy_when_the_gateway_stays_down(
    golden: Golden, double: DiscordDouble, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "heartbeat"
    liveness = Liveness(golden.bot, heartbeat, gateway_grace=0.5)
    assert liveness.beat().healthy
    env = bot_env(golden.database, HEARTBEAT_FILE=str(heartbeat))
    ok = await run_cli_async("health", env=env, cwd=tmp_path)
    assert ok.code == 0 and ok.stdout.startswith("healthy"), ok.stderr

    await double.stop()  # Discord unreachable: the gateway drops and cannot come back
    await wait_until(lambda: liveness.down_since is not None)
    await asyncio.sleep(0.6)
    beat = liveness.beat()
    assert not beat.healthy and "gateway disconnected" in beat.reason
    down = await run_cli_async("health", env=env, cwd=tmp_path)
    assert "gateway disconnected" in down.one_line_error(1)


async def test_heartbeat_goes_unhealthy_when_the_delivery_worker_stops(
    golden: Golden, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "heartbeat"
    liveness = Liveness(golden.bot, heartbeat, worker_stalled_after=1.0)
    assert liveness.beat().healthy
    worker = golden.bot.get_cog(DESK_COG).worker  # type: ignore[union-attr]
    await worker.stop()
    beat = liveness.beat()
    assert not beat.healthy and beat.reason == "delivery worker is not running"
    assert read_beat(heartbeat) == (False, f"unhealthy: {beat.reason} (heartbeat 0 s old)")


async def test_periodic_backups_keep_the_newest(golden: Golden, tmp_path: Path) -> None:
    settings = golden.services.settings.model_copy(
        update={
            "backup_dir": tmp_path / "auto",
            "backup_interval_hours": 0.5 / 3600,  # every half second
            "backup_keep": 2,
        }
    )
    async with periodic_backups(settings):
        await wait_until(lambda: len(list((tmp_path / "auto").glob("*-auto.sqlite3"))) >= 2)
        await asyncio.sleep(2.5)  # a few more rounds: still only the newest two
    kept = sorted((tmp_path / "auto").glob("*-auto.sqlite3"))
    assert len(kept) == 2
    assert all(integrity(path) == "ok" for path in kept)
