"""`python -m bot copy-data`: move an installation from its SQLite file to PostgreSQL.

``--from`` defaults to DATABASE_PATH and ``--to`` to DATABASE_URL (so the password can stay in
``.env`` rather than on a command line). Every line printed names the server with its
password redacted. The work itself is :mod:`bot.store.copydata`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.cli import exitcodes
from bot.cli.exitcodes import CommandFailed
from bot.settings import Settings
from bot.store.copydata import CopyRefused, copy_data
from bot.store.url import StoreUrl, StoreUrlError


def run_copy_data(settings: Settings, source: str | None, target: str | None) -> int:
    path = _source(settings, source)
    url = _target(settings, target)
    print(f"copying {path} to {url.redacted()} …", flush=True)
    try:
        report = asyncio.run(copy_data(path, url, progress=lambda line: print(line, flush=True)))
    except CopyRefused as exc:
        raise CommandFailed(str(exc), exitcodes.ERROR) from None
    print(report)
    print(
        f"next: set DATABASE_URL={url.redacted()} (with its password) in .env and start the "
        "bot; keep the SQLite file as the backup of this moment",
        file=sys.stdout,
    )
    return exitcodes.OK


def _source(settings: Settings, value: str | None) -> Path:
    if value is None:
        return settings.database_path
    try:
        parsed = StoreUrl.parse(value)
    except StoreUrlError as exc:
        raise CommandFailed(f"--from {exc}", exitcodes.CONFIG) from None
    if parsed.path is None:
        raise CommandFailed(
            f"--from {parsed.redacted()} is not a SQLite file; copy-data copies the bot's "
            "SQLite file (a path or sqlite:///path) into PostgreSQL",
            exitcodes.CONFIG,
        )
    return parsed.path


def _target(settings: Settings, value: str | None) -> StoreUrl:
    if value is None:
        if not settings.on_postgresql:
            raise CommandFailed(
                "copy-data needs a PostgreSQL database: give --to postgresql://user:password@"
                "host:port/database, or set DATABASE_URL to it",
                exitcodes.CONFIG,
            )
        return settings.database
    try:
        parsed = StoreUrl.parse(value)
    except StoreUrlError as exc:
        # The message never repeats the value: it may hold a password.
        raise CommandFailed(f"--to {exc}", exitcodes.CONFIG) from None
    if parsed.dialect != "postgresql":
        raise CommandFailed(
            f"--to {parsed.redacted()} is not PostgreSQL; give postgresql://user:password@"
            "host:port/database",
            exitcodes.CONFIG,
        )
    return parsed
