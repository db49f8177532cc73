"""Command line: ``python -m bot run | console | seed | sync | migrate | backup | restore |
copy-data | invite | doctor | health``.

Every fault an operator can name ends in one line on stderr and an exit code from
:mod:`bot.cli.exitcodes`; a traceback means a bug.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from bot.cli import exitcodes
from bot.cli.exitcodes import CommandFailed, fail
from bot.datapack.loader import PackError
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.store.backup import AlreadyRunning
from bot.store.database import StoreError
from bot.store.preflight import describe_store_error
from bot.store.url import StoreUrl


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="connect to Discord and serve (needs DISCORD_TOKEN)")
    console = sub.add_parser("console", help="try the bot offline against a local Discord double")
    console.add_argument("--locale", default="en-US", help="the user's locale, e.g. ko")
    seed = sub.add_parser("seed", help="validate seeds/ and (re)build the facts in the database")
    seed.add_argument("--seeds", type=Path, default=None, help="data pack directory")
    sub.add_parser("sync", help="force a sync of the slash commands with Discord")
    sub.add_parser("migrate", help="apply pending database migrations (after a backup)")
    backup = sub.add_parser("backup", help="consistent copy of the database, safe while running")
    backup.add_argument("file", nargs="?", type=Path, help="file or directory (default BACKUP_DIR)")
    restore = sub.add_parser("restore", help="replace the database with a backup (bot stopped)")
    restore.add_argument("file", type=Path, help="the backup file")
    copy = sub.add_parser(
        "copy-data", help="copy the SQLite database into an empty PostgreSQL one (bot stopped)"
    )
    copy.add_argument(
        "--from",
        dest="source",
        default=None,
        help="the SQLite file or sqlite:///path (default DATABASE_PATH)",
    )
    copy.add_argument(
        "--to",
        dest="target",
        default=None,
        help="postgresql://user:password@host:port/database (default DATABASE_URL)",
    )
    invite = sub.add_parser("invite", help="print the invite link with the permissions needed")
    invite.add_argument("--client-id", type=int, default=None, help="the application id")
    doctor = sub.add_parser("doctor", help="check settings, database, data pack and permissions")
    doctor.add_argument("--offline", action="store_true", help="skip the checks through Discord")
    sub.add_parser("health", help="exit 0 if the running bot's heartbeat is fresh and healthy")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings()
        _logging(settings)
        return _dispatch(args, settings)
    except SettingsError as exc:
        missing_token = args.command in {"run", "sync"} and "DISCORD_TOKEN" in str(exc)
        return fail(str(exc), exitcodes.CONFIG if missing_token else exitcodes.ERROR)
    except CommandFailed as exc:
        return fail(str(exc), exc.code)
    except PackError as exc:
        return fail(f"the data pack is invalid; the database was not changed.\n{exc}")
    except AlreadyRunning as exc:
        return fail(str(exc), exitcodes.IN_USE)
    except StoreError as exc:
        return fail(str(exc), exitcodes.STORAGE)
    except (sqlite3.Error, DBAPIError) as exc:
        where = settings.database if settings else StoreUrl.sqlite(Path("DATABASE_PATH"))
        return fail(describe_store_error(where, exc), exitcodes.STORAGE)
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED


def _logging(settings: Settings) -> None:
    try:
        setup_logging(
            settings.log_level_number,
            secrets=settings.secrets(),
            log_file=settings.log_file,
            json_lines=settings.log_format == "json",
        )
    except OSError as exc:
        raise CommandFailed(
            f"LOG_FILE: cannot write {settings.log_file} ({exc.strerror}); point LOG_FILE at a "
            "writable place (e.g. data/logs/bot.log) or leave it empty",
            exitcodes.CONFIG,
        ) from None


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import storage

    command: str = args.command
    if command == "run":
        token = settings.require_token()
        from bot.runner import run_bot

        asyncio.run(run_bot(settings, token))
    elif command == "sync":
        token = settings.require_token()
        from bot.runner import force_sync

        asyncio.run(force_sync(settings, token))
    elif command == "console":
        from bot.console import run_console

        return run_console(settings, locale=args.locale)
    elif command == "seed":
        print(asyncio.run(storage.run_seed(settings, args.seeds or settings.seeds_dir)))
    elif command == "migrate":
        print(asyncio.run(storage.run_migrate(settings)))
    elif command == "backup":
        print(storage.run_backup(settings, args.file))
    elif command == "restore":
        print(storage.run_restore(settings, args.file))
    elif command == "copy-data":
        from bot.cli.copydata import run_copy_data

        return run_copy_data(settings, args.source, args.target)
    elif command == "invite":
        from bot.cli.invite import print_invite

        return print_invite(settings, args.client_id)
    elif command == "doctor":
        from bot.cli.doctor import run_doctor

        return asyncio.run(run_doctor(settings, offline=args.offline))
    elif command == "health":
        from bot.liveness import read_beat

        healthy, line = read_beat(settings.heartbeat_path)
        if not healthy:
            return fail(line, exitcodes.ERROR)
        print(line)
    return exitcodes.OK
