"""Scheduled posts and corrections go out at their time (``bot.production.scheduler``).

Starts with the bot (catching up at once on anything that fell due while it was down) and
stops with it. When a schedule fires, the delivery worker is woken so the copies leave through
the same outbox and pacing as a post published by hand; /renewal's timeline is refreshed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands

from bot.production.schedule import Fired
from bot.production.scheduler import Scheduler, SchedulerConfig
from bot.ui.production import desk_of
from bot.ui.schedule import SCHEDULER_COG

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

log = logging.getLogger(__name__)


class SchedulerCog(commands.Cog, name=SCHEDULER_COG):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot
        options = bot.services.delivery
        self.scheduler = Scheduler(
            bot.services.db,
            clock=options.clock,
            on_fired=self._fired,
            config=SchedulerConfig(poll_interval=options.schedule_poll_interval),
        )

    async def cog_load(self) -> None:
        await self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()

    def rearm(self) -> None:
        self.scheduler.rearm()

    def _fired(self, fired: list[Fired]) -> None:
        self.bot.services.timeline.invalidate()  # a season status may have joined /renewal
        desk = desk_of(self.bot)
        if desk is not None and any(item.queued for item in fired):
            desk.wake()


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(SchedulerCog(bot))
