"""Start-up and shutdown: open the database, build the services, run the client, and
close everything in order on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from bot.app import GoldenHourBot
from bot.discord_endpoints import point_discord_at
from bot.i18n.catalogue import Catalogue
from bot.services import FactIndex, Services
from bot.settings import Settings
from bot.store.database import Database
from bot.store.facts import load_pack_from_db
from bot.store.migrate import migrate
from bot.store.seeding import ensure_seeded

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Migrated, seeded database + in-memory fact index; the database is closed on exit."""
    db = await Database.open(settings.database_path)
    try:
        version = await migrate(db)
        log.info("database %s at schema version %d", settings.database_path, version)
        await ensure_seeded(db, settings.seeds_dir)
        facts = FactIndex.build(await load_pack_from_db(db))
        yield Services(settings=settings, db=db, texts=Catalogue.load(), facts=facts)
    finally:
        await db.close()


def configure_endpoints(settings: Settings) -> None:
    if settings.discord_api_base and settings.discord_gateway_url:
        point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
        log.info("Discord endpoints overridden by DISCORD_API_BASE / DISCORD_GATEWAY_URL")


def install_shutdown_signals(bot: GoldenHourBot) -> None:
    """discord.py only handles KeyboardInterrupt; SIGTERM (systemd, docker stop) must close too."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(signum, _request_close, bot, signum)


def _request_close(bot: GoldenHourBot, signum: int) -> None:
    log.info("received %s, shutting down", signal.Signals(signum).name)
    task = asyncio.get_running_loop().create_task(bot.close())
    bot.shutdown_task = task  # keep a strong reference until it finishes


async def run_bot(settings: Settings, token: str) -> None:
    configure_endpoints(settings)
    async with open_services(settings) as services:
        bot = GoldenHourBot(services)
        async with bot:
            install_shutdown_signals(bot)
            await bot.start(token)
    log.info("stopped cleanly")


async def force_sync(settings: Settings, token: str) -> None:
    """Log in over HTTP only (no gateway), sync every scope, log out."""
    configure_endpoints(settings)
    async with open_services(settings) as services:
        bot = GoldenHourBot(services, sync_on_start=False)
        async with bot:
            await bot.login(token)
            for result in await bot.sync_commands(force=True):
                print(f"synced {result.commands} commands to {result.scope}")
