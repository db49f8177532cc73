"""New facts reach the running bot: a cheap watcher for seeds done elsewhere, and the reseed
behind ``/production reload``.

``python -m bot seed`` (another process) writes the facts and the pack's hash in one
transaction. The watcher reads that hash once a second on the reader connection (one indexed
row, no disk beyond SQLite's page cache) and, when it differs from the hash of the index in
memory, rebuilds the index (:meth:`Services.reload_facts`). Facts that can't be loaded keep the
old index serving and cost one log line per stored pack, not one per poll.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from bot.datapack.loader import PackError, load_pack
from bot.services import Services
from bot.store.database import StoreError
from bot.store.facts import SeedReport, save_pack, seeded_pack_hash

log = logging.getLogger(__name__)


def short_hash(digest: str | None) -> str:
    return (digest or "unknown")[:12]


async def refresh_facts(services: Services, *, why: str) -> bool:
    """Serve the facts now in the database; False (and one log line) if they can't be loaded."""
    before = services.facts.pack_hash
    try:
        changed = await services.reload_facts()
    except (StoreError, DBAPIError) as error:
        log.error(
            "could not load the facts in %s after %s (%s); still serving pack %s. "
            "Fix the data pack and run `python -m bot seed` (or /production reload)",
            services.db.where,
            why,
            error,
            short_hash(before),
        )
        return False
    if changed:
        log.info(
            "serving data pack %s (was %s) after %s; cached answers dropped",
            short_hash(services.facts.pack_hash),
            short_hash(before),
            why,
        )
    return True


class FactsWatcher:
    """Polls the seeded pack's hash; a change elsewhere reloads the index here."""

    def __init__(self, services: Services, *, interval: float) -> None:
        self._services = services
        self._interval = interval
        self._failed: str | None = None  # a stored hash that would not load: not retried
        self._trouble: str | None = None  # the last problem reaching the database, logged once

    async def check(self) -> bool:
        """One look; True when the index was replaced."""
        services = self._services
        stored = await seeded_pack_hash(services.db)
        if stored is None or stored == services.facts.pack_hash or stored == self._failed:
            return False
        before = services.facts
        if await refresh_facts(services, why="a seed by another process"):
            self._failed = None
            return services.facts is not before
        self._failed = stored
        return False

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.check()
                self._trouble = None
            except (StoreError, DBAPIError) as error:
                # E.g. the disk went away for a moment: the next look tries again; one line
                # per distinct problem, not one a second.
                if str(error) != self._trouble:
                    self._trouble = str(error)
                    log.warning(
                        "could not check %s for new facts (%s); still serving pack %s",
                        self._services.db.where,
                        error,
                        short_hash(self._services.facts.pack_hash),
                    )
            except Exception:
                # Unforeseen: keep watching rather than stop serving new facts for good.
                log.exception("watching %s for new facts failed", self._services.db.where)


@dataclass(frozen=True, slots=True)
class Reseeded:
    report: SeedReport
    served: bool  # False: stored, but the index could not be rebuilt (logged)


@dataclass(frozen=True, slots=True)
class PackRefused:
    problems: tuple[str, ...]  # the loader's lines: file, entry, field


async def reseed(services: Services, seeds_dir: Path, *, by: str) -> Reseeded | PackRefused:
    """Validate ``seeds_dir`` with the real loader, store it in one transaction, serve it.

    An invalid pack changes nothing (neither the database nor the index in memory).
    """
    try:
        pack = await asyncio.to_thread(load_pack, seeds_dir)
    except PackError as error:
        log.warning(
            "pack reload by %s refused: %d problem(s) in %s, first: %s; still serving pack %s",
            by,
            len(error.problems),
            seeds_dir,
            error.problems[0] if error.problems else "?",
            short_hash(services.facts.pack_hash),
        )
        # The maintainer knows where seeds/ is: name the file inside it.
        prefix = f"{seeds_dir}{os.sep}"
        return PackRefused(tuple(problem.replace(prefix, "") for problem in error.problems))
    report = await save_pack(services.db, pack)
    served = await refresh_facts(services, why=f"a pack reload by {by}")
    return Reseeded(report, served)
