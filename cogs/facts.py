"""Keeps the fact index in step with the database: a seed by another process (``python -m bot
seed``) is served within about a second, without a restart (see ``bot.facts_reload``)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from discord.ext import commands

from bot.facts_reload import FactsWatcher

if TYPE_CHECKING:
    from bot.app import GoldenHourBot


class FactsCog(commands.Cog, name="Facts"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot
        self.watcher = FactsWatcher(bot.services, interval=bot.services.facts_poll_interval)
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self._task = asyncio.create_task(self.watcher.run(), name="watch the seeded facts")

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(FactsCog(bot))
