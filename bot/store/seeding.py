"""Building the fact tables from the data pack directory (``seeds/``).

The pack is loaded and fully validated before the database is touched: a broken pack raises
``PackError`` (file, entry and field in its message) and leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.datapack.loader import load_pack
from bot.store.database import Database
from bot.store.facts import SeedReport, has_facts, save_pack

log = logging.getLogger(__name__)


async def seed_from_directory(db: Database, seeds_dir: Path) -> SeedReport:
    """Validate the pack in ``seeds_dir``, then replace the fact tables with it (idempotent)."""
    # File reading and validation are blocking; keep the event loop free for the bot.
    pack = await asyncio.to_thread(load_pack, seeds_dir)
    return await save_pack(db, pack)


async def ensure_seeded(db: Database, seeds_dir: Path) -> SeedReport | None:
    """Seed on first start (the fact tables are empty); otherwise leave them alone.

    Returns the report when it seeded, None when facts were already there. Editing
    ``seeds/`` later takes an explicit ``python -m bot seed``.
    """
    if await has_facts(db):
        return None
    log.info("no facts in %s yet: seeding from %s", db.where, seeds_dir)
    report = await seed_from_directory(db, seeds_dir)
    log.info("%s", report)
    return report
