"""The Discord client: minimal intents, safe defaults, cogs loaded from ``cogs/``."""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import time
from collections.abc import Sequence
from typing import Any

import discord
from discord.ext import commands

from bot.commandsync import SyncResult, sync_scopes
from bot.deadline import LIBRARY_LOGGERS, UnknownInteractionLogFilter
from bot.i18n.translator import CatalogueTranslator
from bot.production import repo_lease
from bot.services import Services
from bot.sharding import IdentifyPacer, Reserve
from bot.store.meta import MetaTable
from bot.tree import GoldenHourTree

log = logging.getLogger(__name__)

# discord.py waits this long for rate-limit buckets before raising RateLimited; the
# delivery worker then reschedules the row instead of blocking (30 s is the library minimum).
MAX_RATELIMIT_WAIT = 30.0


def bot_intents() -> discord.Intents:
    """Only GUILDS: channel/role caches for permission pre-checks; no privileged intent."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


def discover_extensions(package: str = "cogs") -> list[str]:
    module = importlib.import_module(package)
    return sorted(
        f"{package}.{info.name}"
        for info in pkgutil.iter_modules(module.__path__)
        if not info.name.startswith("_")
    )


def _identify_slots(services: Services) -> Reserve:
    async def reserve(bucket: int, interval: float) -> float:
        return await repo_lease.reserve_identify(
            services.db, bucket, now=time.time(), interval=interval
        )

    return reserve


class GoldenHourBot(commands.AutoShardedBot):
    """Automatically sharded: Discord refuses one shard above 2,500 servers (close 4011);
    GET /gateway/bot says how many shards, `IdentifyPacer` how fast they may start."""

    def __init__(
        self,
        services: Services,
        *,
        extensions: Sequence[str] | None = None,
        sync_on_start: bool = True,
        **client_options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # slash-only; no message content intent
            help_command=None,
            intents=bot_intents(),
            tree_cls=GoldenHourTree,
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            **client_options,
        )
        self.services = services
        self._extensions = list(extensions) if extensions is not None else discover_extensions()
        self._sync_on_start = sync_on_start
        self.shutdown_task: asyncio.Task[None] | None = None
        # Processes sharing the database (SHARD_IDS) book IDENTIFY slots in it, so their
        # shards together keep the token's max_concurrency.
        reserve = _identify_slots(services) if services.settings.shared_database else None
        self._identify_pacer = IdentifyPacer(reserve=reserve)
        self._late_answer_filter = UnknownInteractionLogFilter(services.deadline)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self._identify_pacer.wait(self, shard_id)

    async def login(self, token: str) -> None:
        # Before anything can answer an interaction: a too-late answer is one line, not a
        # traceback from inside discord.py.
        for name in LIBRARY_LOGGERS:
            logging.getLogger(name).addFilter(self._late_answer_filter)
        await super().login(token)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogueTranslator(self.services.texts))
        for name in self._extensions:
            await self.load_extension(name)
        log.info("loaded %d extensions: %s", len(self._extensions), ", ".join(self._extensions))
        if self._sync_on_start:
            await self.sync_commands()

    def command_scopes(self) -> list[int | None]:
        """Where commands live: global (or the dev guild instead), plus the admin guild."""
        settings = self.services.settings
        scopes: list[int | None]
        if settings.dev_guild_id is not None:
            self.tree.copy_global_to(guild=discord.Object(settings.dev_guild_id))
            scopes = [settings.dev_guild_id]
        else:
            scopes = [None]
        if settings.admin_guild_id is not None and settings.admin_guild_id not in scopes:
            scopes.append(settings.admin_guild_id)
        return scopes

    async def sync_commands(self, *, force: bool = False) -> list[SyncResult]:
        if self.application_id is None:
            raise RuntimeError("sync needs the application id: log in first")
        return await sync_scopes(
            self.tree,
            MetaTable(self.services.db),
            application_id=self.application_id,
            guild_ids=self.command_scopes(),
            force=force,
        )

    async def close(self) -> None:
        # Unload cogs first so their background tasks stop while the HTTP session is open.
        for name in list(self.extensions):
            try:
                await self.unload_extension(name)
            except Exception:
                log.exception("error while unloading %s", name)
        await super().close()
        for logger_name in LIBRARY_LOGGERS:
            logging.getLogger(logger_name).removeFilter(self._late_answer_filter)
