"""The delivery worker's home in the bot, and the maintainers' live progress messages.

The worker runs while this process holds the sender lease (``bot.production.sender``): taken
with the cog (``cog_load``, i.e. at start-up, if no other process on the database sends;
starting is resuming whatever the outbox holds), given up with it (``cog_unload``, which the
bot runs on close before the HTTP session goes away). One :class:`SendLimiter` paces every send
of the process.

Progress: after Publish, an edit or a retraction, the maintainer's ephemeral message is
refreshed from the ledger ('Delivered 430 / 1,000 · 3 failed') until the job is finished, then
replaced by the delivery report. It polls the database rather than listening to this worker,
so rows delivered by another process on the same database count too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any, Final

import discord
from discord.ext import commands

from bot.i18n.catalogue import Catalogue, Lang
from bot.production import repo_ledger
from bot.production.discord_transport import DiscordTransport
from bot.production.limiter import SendLimiter
from bot.production.models import DeliveryCounts
from bot.production.sender import MARGIN, SenderLease
from bot.production.worker import DeliveryWorker
from bot.replies import NO_MENTIONS
from bot.store.database import Database
from bot.ui.notify import notify_view
from bot.ui.production import DESK_COG
from bot.ui.production_render import progress_text, report_embed, server_label

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

log = logging.getLogger(__name__)

# Interaction tokens live 15 minutes; stop editing a little before.
FOLLOW_FOR: Final = 14 * 60.0


class ProgressBoard:
    """Keeps each maintainer's progress message up to date, one task per followed job."""

    def __init__(
        self, bot: discord.Client, db: Database, texts: Catalogue, interval: float
    ) -> None:
        self.bot = bot
        self.db = db
        self.texts = texts
        self.interval = interval
        self._tasks: set[asyncio.Task[None]] = set()

    def track(
        self, interaction: discord.Interaction[Any], update_id: int, lang: Lang, lead: str
    ) -> None:
        task = asyncio.create_task(
            self._follow(interaction, update_id, lang, lead), name=f"progress {update_id}"
        )
        self._tasks.add(task)  # a strong reference until it ends
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def server_name(self, guild_id: int) -> str:
        return server_label(self.bot, guild_id)

    async def _follow(
        self, interaction: discord.Interaction[Any], update_id: int, lang: Lang, lead: str
    ) -> None:
        deadline = time.monotonic() + FOLLOW_FOR
        shown: DeliveryCounts | None = None
        try:
            while True:
                counts = await repo_ledger.delivery_counts(self.db, update_id)
                if counts.finished:
                    await self._final(interaction, update_id, lang, lead)
                    return
                if time.monotonic() >= deadline:
                    text = self.texts.t(lang, "newsroom.still_running", id=update_id)
                    await self._show(interaction, f"{lead}\n{text}")
                    return
                if counts != shown:
                    await self._show(
                        interaction, f"{lead}\n{progress_text(self.texts, lang, counts)}"
                    )
                    shown = counts
                await asyncio.sleep(self.interval)
        except discord.HTTPException:
            # The token expired or the message is gone: the ledger still has it all.
            log.info("stopped following update %s: its message can't be edited", update_id)
        except Exception:
            log.exception("progress of update %s failed", update_id)

    async def _show(self, interaction: discord.Interaction[Any], content: str) -> None:
        await interaction.edit_original_response(content=content, allowed_mentions=NO_MENTIONS)

    async def _final(
        self, interaction: discord.Interaction[Any], update_id: int, lang: Lang, lead: str
    ) -> None:
        report = await repo_ledger.delivery_report(self.db, update_id)
        content = f"{lead}\n{self.texts.t(lang, 'newsroom.finished')}"
        if report is None:
            await self._show(interaction, content)
            return
        embed = report_embed(self.texts, lang, report, self.server_name)
        await interaction.edit_original_response(
            content=content, embed=embed, view=None, allowed_mentions=NO_MENTIONS
        )


class DeliveryCog(commands.Cog, name=DESK_COG):
    """Runs the worker; the newsroom reaches it through :class:`bot.ui.production.DeliveryDesk`."""

    def __init__(self, bot: GoldenHourBot) -> None:
        services = bot.services
        options = services.delivery
        self.limiter = options.limiter or SendLimiter()
        self.worker = DeliveryWorker(
            services.db,
            DiscordTransport(bot, view_factory=notify_view),
            self.limiter,
            config=options.worker,
            clock=options.clock,
            worker_id=options.worker_id,
        )
        # Of all processes on the database, only the lease holder runs the send loop.
        self.sender = SenderLease(
            services.db,
            self.worker.worker_id,
            on_gain=self.worker.start,
            on_loss=self.worker.stop,
            ttl=options.sender_lease_ttl,
            renew_every=options.sender_renew_every,
            margin=min(MARGIN, options.sender_lease_ttl / 5),
        )
        self.worker.may_send = lambda: self.sender.holding
        self.board = ProgressBoard(bot, services.db, services.texts, options.progress_interval)

    async def cog_load(self) -> None:
        # Sends only while this process holds the sender lease (taken here if it is free).
        await self.sender.start()

    async def cog_unload(self) -> None:
        await self.board.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self.sender.stop()  # stops the worker if it runs here, frees the lease
        log.info("delivery worker %s stopped: %s", self.worker.worker_id, self.worker.stats)

    def wake(self) -> None:
        self.worker.wake()

    def track(
        self, interaction: discord.Interaction[Any], update_id: int, lang: Lang, lead: str
    ) -> None:
        self.board.track(interaction, update_id, lang, lead)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(DeliveryCog(bot))
