"""The floor every Golden Hour figure is compared with: a bare discord.py bot.

Same library, same intents (GUILDS only), same automatic sharding and IDENTIFY pacing, same
way of being pointed at Discord or the double (``DISCORD_TOKEN``, ``DISCORD_API_BASE``,
``DISCORD_GATEWAY_URL``), one slash command ``/ping``
that answers a constant string. It syncs its commands on every start, before connecting to the
gateway, like Golden Hour does on a fresh database.

Run: ``python -m bench.bare_bot`` (the benchmarks start it as a child process).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_endpoints import point_discord_at
from bot.sharding import IdentifyPacer

PING_COMMAND = "ping"
PING_ANSWER = "pong"


def bare_intents() -> discord.Intents:
    """The same intents as ``bot.app.bot_intents``: GUILDS only."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class BareBot(commands.AutoShardedBot):
    """Auto-sharded like Golden Hour: a single shard may not hold more than 2,500 servers, so
    the 10,000-server start-up needs it; shards start as fast as ``max_concurrency`` allows."""

    def __init__(self) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=bare_intents())
        self._identify_pacer = IdentifyPacer()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self._identify_pacer.wait(self, shard_id)

    async def setup_hook(self) -> None:
        @app_commands.command(name=PING_COMMAND, description="Constant answer")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(PING_ANSWER)

        self.tree.add_command(ping)
        await self.tree.sync()


async def serve(token: str) -> None:
    bot = BareBot()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(token)


def main() -> int:
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        print("error: DISCORD_TOKEN is not set", file=sys.stderr)
        return 78
    api_base = os.environ.get("DISCORD_API_BASE")
    gateway_url = os.environ.get("DISCORD_GATEWAY_URL")
    if api_base and gateway_url:
        point_discord_at(api_base, gateway_url)
    asyncio.run(serve(token))
    return 0


if __name__ == "__main__":
    sys.exit(main())
