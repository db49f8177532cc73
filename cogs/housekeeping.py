"""Periodic clean-up of runtime tables: expired previews are purged at start-up and hourly.

A preview is a maintainer's draft awaiting Publish or Cancel; most are published, but one that
was forgotten (or cancelled) would otherwise stay in ``production_previews`` for good. Published
previews stay: they name their update, so a late second Publish still answers 'already
published'.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from discord.ext import commands
from sqlalchemy.exc import DBAPIError

from bot.production import repo_previews, repo_writing
from bot.store.database import StoreError

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

log = logging.getLogger(__name__)


class HousekeepingCog(commands.Cog, name="Housekeeping"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self._task = asyncio.create_task(self._run(), name="purge expired previews")

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def purge_previews(self) -> int:
        """Delete expired open or cancelled previews; a database fault is one log line."""
        services = self.bot.services
        try:
            now = services.delivery.clock()
            purged = await repo_previews.purge_previews(services.db, now)
            # Retractions nobody confirmed within the preview's lifetime, too.
            purged += await repo_writing.purge_retractions(services.db, now)
        except (StoreError, DBAPIError) as error:
            log.warning("could not purge expired previews (%s); will try again later", error)
            return 0
        if purged:
            log.info("purged %d expired previews", purged)
        return purged

    async def _run(self) -> None:
        interval = self.bot.services.delivery.preview_purge_interval
        while True:
            await self.purge_previews()
            await asyncio.sleep(interval)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(HousekeepingCog(bot))
