"""The bot's life cycle as an operator sees it: `python -m bot run` against the double,
commands synced only when their definitions change, and a clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from discord_double import DiscordDouble
from discord_double.client_runner import run_client

from bot.app import GoldenHourBot, discover_extensions
from bot.runner import open_services
from tests.e2e.golden import REPO, golden_settings, start_golden

GLOBAL_SYNC = "PUT /applications/{application_id}/commands"
GUILD_SYNC = "PUT /applications/{application_id}/guilds/{guild_id}/commands"


def sync_count(double: DiscordDouble, route: str = GLOBAL_SYNC) -> int:
    return len(double.requests_to(route))


async def test_commands_sync_only_when_their_definitions_change(
    double: DiscordDouble, tmp_path: Path
) -> None:
    double.add_guild("fans")
    settings = golden_settings(double, tmp_path / "gh.sqlite3")

    async with start_golden(double, settings):
        pass
    assert sync_count(double) == 1  # first start: nothing synced yet

    async with start_golden(double, settings):
        pass
    assert sync_count(double) == 1  # same definitions: no PUT on a restart

    async with open_services(settings) as services:
        fewer = [name for name in discover_extensions() if name != "cogs.info"]
        bot = GoldenHourBot(services, extensions=fewer)
        async with run_client(bot, double):
            pass
    assert sync_count(double) == 2  # a command went away: synced again
    assert {c.name for c in double.commands()}.isdisjoint({"show", "help"})

    async with start_golden(double, settings) as bot:
        results = await bot.sync_commands(force=True)
    assert [r.synced for r in results] == [True]
    assert sync_count(double) == 4  # restored set (changed) + the forced sync
    assert {"show", "help", "cast"} <= {c.name for c in double.commands()}


async def test_reconnect_does_not_resync(double: DiscordDouble, tmp_path: Path) -> None:
    double.add_guild("fans")
    async with start_golden(double, golden_settings(double, tmp_path / "gh.sqlite3")):
        await double.gateway_reconnect()
        await double.gateway_invalidate(resumable=True)
    assert sync_count(double) == 1


async def test_dev_guild_gets_the_commands_instead_of_global(
    double: DiscordDouble, tmp_path: Path
) -> None:
    dev = double.add_guild("dev")
    settings = golden_settings(double, tmp_path / "gh.sqlite3", dev_guild_id=dev.id)
    async with start_golden(double, settings):
        pass
    assert sync_count(double) == 0
    assert sync_count(double, GUILD_SYNC) == 1
    assert "cast" in {c.name for c in double.commands(dev)}


async def _wait_for(predicate: object, within: float, process: asyncio.subprocess.Process) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():  # type: ignore[operator]
        if process.returncode is not None:
            raise AssertionError(f"the bot exited early with {process.returncode}")
        if loop.time() > deadline:
            raise TimeoutError("the bot did not get ready")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_cli_run_serves_and_stops_cleanly_on_signal(
    double: DiscordDouble, tmp_path: Path, signum: signal.Signals
) -> None:
    guild = double.add_guild("fans")
    channel = double.add_channel(guild, "general")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env.update(
        DISCORD_TOKEN=double.token,
        DISCORD_API_BASE=double.api_base,
        DISCORD_GATEWAY_URL=double.gateway_url,
        DATABASE_PATH=str(tmp_path / "gh.sqlite3"),
        LOG_LEVEL="INFO",
        PYTHONPATH=str(REPO),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _wait_for(lambda: sync_count(double) == 1, 60, process)
        await double.wait_for_session(within=30)
        answer = await double.invoke("help", guild=guild, channel=channel)
        assert answer.embeds and answer.ephemeral is not None
        process.send_signal(signum)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "shutting down" in log and "stopped cleanly" in log
    assert "Traceback" not in log
    assert double.token not in log  # the secret never reaches the logs
