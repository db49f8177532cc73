"""The delivery worker's home in the bot, and the maintainers' live progress messages.

The worker runs while this process holds the sender lease (``bot.production.sender``): taken
with the cog (``cog_load``, i.e. at start-up, if no other process on the database sends;
starting is resuming whatever the outbox holds), given up with it (``cog_unload``, which the
bot runs on close before the HTTP session goes away). One :class:`SendLimiter` paces every send
of the process.

Progress: after Publish, an edit or a retraction, the maintainer's ephemeral message is
refreshed from the ledger ('Delivered 430 / 1,000 · 3 failed') until the job is finished, then
replaced by the delivery report. The follow is recorded in the database and the sender edits
it, so the report arrives even when the process the maintainer reached has died; and it
polls the ledger, so rows delivered by another process count too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import discord
from discord.ext import commands
from sqlalchemy.exc import DBAPIError

from bot.i18n.catalogue import Catalogue, Lang
from bot.production import repo_follows, repo_ledger
from bot.production.discord_transport import DiscordTransport
from bot.production.limiter import SendLimiter
from bot.production.models import DeliveryCounts
from bot.production.outbox_wake import outbox_listener
from bot.production.repo_follows import Follow
from bot.production.sender import GLOBAL_WINDOW, MARGIN, SenderLease
from bot.production.worker import DeliveryWorker
from bot.replies import NO_MENTIONS
from bot.store.database import Database, StoreError
from bot.ui.notify import notify_view
from bot.ui.production import DESK_COG
from bot.ui.production_render import progress_text, report_embed, server_label

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

log = logging.getLogger(__name__)

# Interaction tokens live 15 minutes; stop editing a little before.
FOLLOW_FOR: Final = 14 * 60.0


class ProgressBoard:
    """Keeps every maintainer's progress message up to date while this process sends.

    ``track`` records a follow in the database (any process may); the loop here edits every
    recorded message while ``may_act()`` says this process is the sender. So when the process
    the maintainer reached dies, the next sender finishes the report.
    """

    def __init__(
        self,
        bot: discord.Client,
        db: Database,
        texts: Catalogue,
        interval: float,
        may_act: Callable[[], bool],
    ) -> None:
        self.bot = bot
        self.db = db
        self.texts = texts
        self.interval = interval
        self.may_act = may_act
        self._shown: dict[int, DeliveryCounts] = {}  # message id -> counts last shown
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="progress board")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def track(
        self, interaction: discord.Interaction[Any], update_id: int, lang: Lang, lead: str
    ) -> None:
        try:
            message = await interaction.original_response()
        except discord.HTTPException:
            log.info("update %s: the maintainer's message is gone; not following it", update_id)
            return
        follow = Follow(
            message_id=message.id,
            update_id=update_id,
            application_id=interaction.application_id,
            interaction_token=interaction.token,
            lang=lang,
            lead=lead,
            expires_at=interaction.created_at.timestamp() + FOLLOW_FOR,
        )
        await repo_follows.add(self.db, follow)
        self.wake()

    def server_name(self, guild_id: int) -> str:
        return server_label(self.bot, guild_id)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if self.may_act():
                try:
                    await self.refresh()
                except (StoreError, DBAPIError) as exc:
                    log.warning("progress messages not refreshed: database error (%s)", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)

    async def refresh(self) -> None:
        """One pass over every follow: show new counts, the report once finished."""
        for follow in await repo_follows.all_follows(self.db):
            try:
                done = await self._refresh_one(follow)
            except discord.HTTPException:
                # The token expired or the message is gone: the ledger still has it all.
                log.info("stopped following update %s: its message can't be edited",
                         follow.update_id)  # fmt: skip
                done = True
            if done:
                await repo_follows.drop(self.db, follow.message_id)
                self._shown.pop(follow.message_id, None)

    async def _refresh_one(self, follow: Follow) -> bool:
        """Edit one message if it needs it; True when nothing more will be shown."""
        lang, lead = follow.lang, follow.lead
        counts = await repo_ledger.delivery_counts(self.db, follow.update_id)
        if counts.finished:
            await self._final(follow)
            return True
        if time.time() >= follow.expires_at:
            text = self.texts.t(lang, "newsroom.still_running", id=follow.update_id)
            await self._edit(follow, content=f"{lead}\n{text}")
            return True
        if counts != self._shown.get(follow.message_id):
            await self._edit(follow, content=f"{lead}\n{progress_text(self.texts, lang, counts)}")
            self._shown[follow.message_id] = counts
        return False

    async def _edit(self, follow: Follow, **fields: Any) -> None:
        hook = discord.Webhook.partial(
            follow.application_id, follow.interaction_token, client=self.bot
        )
        await hook.edit_message(follow.message_id, allowed_mentions=NO_MENTIONS, **fields)

    async def _final(self, follow: Follow) -> None:
        report = await repo_ledger.delivery_report(self.db, follow.update_id)
        content = f"{follow.lead}\n{self.texts.t(follow.lang, 'newsroom.finished')}"
        if report is None:
            await self._edit(follow, content=content)
            return
        embed = report_embed(self.texts, follow.lang, report, self.server_name)
        await self._edit(follow, content=content, embed=embed, view=None)


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
            wakeups=outbox_listener(services.db),
        )
        # Of all processes on the database, only the lease holder runs the send loop.
        self.sender = SenderLease(
            services.db,
            self.worker.worker_id,
            on_gain=self.worker.start,
            on_loss=self._stop_sending,
            on_takeover=self.limiter.pause,
            ttl=options.sender_lease_ttl,
            renew_every=options.sender_renew_every,
            margin=min(MARGIN, options.sender_lease_ttl / 5),
        )
        self.worker.may_send = lambda: self.sender.holding
        self.board = ProgressBoard(
            bot, services.db, services.texts, options.progress_interval, lambda: self.sender.holding
        )

    async def _stop_sending(self) -> None:
        await self.worker.stop()
        # The next sender starts with a full budget only once our last second is over.
        await self.limiter.settle(GLOBAL_WINDOW)

    async def cog_load(self) -> None:
        # Sends only while this process holds the sender lease (taken here if it is free).
        await self.sender.start()
        self.board.start()

    async def cog_unload(self) -> None:
        await self.board.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self.sender.stop()  # stops the worker if it runs here, frees the lease
        log.info("delivery worker %s stopped: %s", self.worker.worker_id, self.worker.stats)

    def wake(self) -> None:
        self.worker.wake()

    async def track(
        self, interaction: discord.Interaction[Any], update_id: int, lang: Lang, lead: str
    ) -> None:
        await self.board.track(interaction, update_id, lang, lead)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(DeliveryCog(bot))
