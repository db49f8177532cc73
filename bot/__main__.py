"""Command line: ``python -m bot run | console | seed | sync | migrate``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.datapack.loader import PackError
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings

EXIT_ERROR = 1
EXIT_CONFIG = 78  # sysexits EX_CONFIG: the README's run command falls back to the console on it


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="connect to Discord and serve (needs DISCORD_TOKEN)")
    console = sub.add_parser("console", help="try the bot offline against a local Discord double")
    console.add_argument("--locale", default="en-US", help="the user's locale, e.g. ko")
    seed = sub.add_parser("seed", help="validate seeds/ and (re)build the facts in the database")
    seed.add_argument("--seeds", type=Path, default=None, help="data pack directory")
    sub.add_parser("sync", help="force a sync of the slash commands with Discord")
    sub.add_parser("migrate", help="apply pending database migrations")
    return parser


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


async def _seed(settings: Settings, seeds_dir: Path) -> None:
    from bot.store.database import Database
    from bot.store.migrate import migrate
    from bot.store.seeding import seed_from_directory

    db = await Database.open(settings.database_path)
    try:
        await migrate(db)
        report = await seed_from_directory(db, seeds_dir)
        print(report)
    finally:
        await db.close()


async def _migrate(settings: Settings) -> None:
    from bot.store.database import Database
    from bot.store.migrate import migrate

    db = await Database.open(settings.database_path)
    try:
        print(f"schema version {await migrate(db)}")
    finally:
        await db.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        setup_logging(
            settings.log_level_number,
            secrets=[settings.discord_token.get_secret_value()] if settings.discord_token else [],
        )
        if args.command == "run":
            token = settings.require_token()
            from bot.runner import run_bot

            asyncio.run(run_bot(settings, token))
        elif args.command == "sync":
            token = settings.require_token()
            from bot.runner import force_sync

            asyncio.run(force_sync(settings, token))
        elif args.command == "console":
            from bot.console import run_console

            return run_console(settings, locale=args.locale)
        elif args.command == "seed":
            asyncio.run(_seed(settings, args.seeds or settings.seeds_dir))
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
    except SettingsError as exc:
        missing_token = args.command in {"run", "sync"} and "DISCORD_TOKEN" in str(exc)
        return _fail(str(exc), EXIT_CONFIG if missing_token else EXIT_ERROR)
    except PackError as exc:
        return _fail(f"the data pack is invalid; the database was not changed.\n{exc}")
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
