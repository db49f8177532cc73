"""Start-up and shutdown: check the storage, open the database, build the services, log in,
run the client, and close everything in order on SIGINT/SIGTERM.

Every fault an operator can meet before the bot is up (storage, token, network) is raised as
:class:`~bot.cli.exitcodes.CommandFailed`: one line and an exit code, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
from collections.abc import AsyncIterator, Iterator

import aiohttp
import discord
from sqlalchemy.exc import DBAPIError

from bot.app import GoldenHourBot
from bot.cli import exitcodes
from bot.cli.exitcodes import CommandFailed
from bot.cli.invite import invite_url
from bot.discord_endpoints import point_discord_at
from bot.i18n.catalogue import Catalogue
from bot.liveness import Liveness, periodic_backups
from bot.services import FactIndex, Services
from bot.settings import Settings
from bot.store.backup import run_lock
from bot.store.database import Database
from bot.store.facts import load_seeded_pack
from bot.store.migrate import latest_version, migrate
from bot.store.preflight import check_postgresql, check_storage, describe_store_error
from bot.store.seeding import ensure_seeded

log = logging.getLogger(__name__)

PROBE_KEY = "last_start"


@contextlib.asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Migrated, seeded database + in-memory fact index; the database is closed on exit."""
    db = await Database.open(settings.database)
    try:
        version = await migrate(db, backup_dir=settings.backup_dir)
        log.info("database %s at schema version %d", db.where, version)
        await ensure_seeded(db, settings.seeds_dir)
        pack, pack_hash = await load_seeded_pack(db)
        facts = FactIndex.build(pack, pack_hash)
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


async def probe_write(db: Database) -> None:
    """One committed write before connecting to Discord: a full disk or a read-only file
    shows up now, as one line, rather than at the first /setup."""
    from bot.store.meta import MetaTable

    await MetaTable(db).set(PROBE_KEY, discord.utils.utcnow().isoformat())


async def login(bot: GoldenHourBot, token: str, settings: Settings) -> None:
    """``bot.login`` with the two faults an operator can fix named in one line each."""
    where = settings.discord_api_base or "https://discord.com/api"
    try:
        await bot.login(token)
    except discord.LoginFailure:
        raise CommandFailed(
            "Discord rejected DISCORD_TOKEN (401 Unauthorized); copy the token again from "
            "https://discord.com/developers/applications → your app → Bot → Reset Token "
            "and put it in .env",
            exitcodes.TOKEN_REJECTED,
        ) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise CommandFailed(
            f"cannot reach Discord at {where} ({type(exc).__name__}: {exc}); check the "
            "network, DNS and firewall, then start again",
            exitcodes.UNAVAILABLE,
        ) from None
    except discord.HTTPException as exc:
        raise CommandFailed(
            f"Discord answered {exc.status} at login ({exc.text or 'no detail'}); "
            "it may be down: see https://discordstatus.com and start again later",
            exitcodes.UNAVAILABLE,
        ) from None


def announce_ready(bot: GoldenHourBot) -> None:
    """'Logged in as … in N servers (M shards)' and the invite link, on every READY."""

    async def on_ready() -> None:
        shards = bot.shard_count or 1
        log.info(
            "Logged in as %s in %d servers (%d shard%s)",
            bot.user,
            len(bot.guilds),
            shards,
            "" if shards == 1 else "s",
        )
        if bot.application_id is not None:
            log.info("Invite link: %s", invite_url(bot.application_id))

    bot.add_listener(on_ready, "on_ready")


async def run_bot(settings: Settings, token: str) -> None:
    await check_database(settings)
    with _single_process(settings):
        await _run_locked(settings, token)
    log.info("stopped cleanly")


async def check_database(settings: Settings) -> None:
    """The storage checks before anything opens the database for writing (one line each)."""
    if settings.on_postgresql:
        await check_postgresql(settings.database, latest_schema=latest_version("postgresql"))
    else:
        check_storage(settings.database_path, latest_schema=latest_version())


@contextlib.contextmanager
def _single_process(settings: Settings) -> Iterator[None]:
    """SQLite: a lock file stops a second bot on the same file (or the same shards of it).
    PostgreSQL is made for several processes (one sender by lease): no file to lock."""
    if settings.on_postgresql:
        yield
        return
    shards = settings.shard_ids if settings.shared_database else None
    with run_lock(settings.database_path, "start a second bot on it", shards=shards):
        yield


async def _run_locked(settings: Settings, token: str) -> None:
    configure_endpoints(settings)
    async with contextlib.AsyncExitStack() as stack:
        try:
            services = await stack.enter_async_context(open_services(settings))
            await probe_write(services.db)
        except (sqlite3.Error, DBAPIError) as exc:
            raise CommandFailed(
                describe_store_error(settings.database, exc), exitcodes.STORAGE
            ) from None
        bot = GoldenHourBot(services, **settings.sharding_options())
        if settings.shard_count is not None:
            log.info(
                "running shards %s of %d",
                ",".join(map(str, settings.shard_ids or range(settings.shard_count))),
                settings.shard_count,
            )
        announce_ready(bot)
        async with bot:
            install_shutdown_signals(bot)
            await login(bot, token, settings)
            liveness = Liveness(bot, settings.heartbeat_path)
            async with liveness.running(), periodic_backups(settings):
                await bot.connect(reconnect=True)


async def force_sync(settings: Settings, token: str) -> None:
    """Log in over HTTP only (no gateway), sync every scope, log out."""
    await check_database(settings)
    configure_endpoints(settings)
    async with open_services(settings) as services:
        bot = GoldenHourBot(services, sync_on_start=False)
        async with bot:
            await login(bot, token, settings)
            for result in await bot.sync_commands(force=True):
                print(f"synced {result.commands} commands to {result.scope}")
