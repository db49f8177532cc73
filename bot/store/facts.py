"""The data pack in the database: save a validated :class:`Pack`, and rebuild the same Pack.

Saving replaces the content of the fact tables (and nothing else) in one transaction, so
seeding twice gives the same rows and a failure leaves the previous facts in place. Loading
reads every fact table from one snapshot and validates the result with the pack models, so
the bot never serves rows that the models would reject.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from pydantic import ValidationError

from bot.datapack.models import (
    Pack,
)
from bot.store.database import Database, StoreError
from bot.store.facts_read import fetch_rows, read_pack
from bot.store.facts_write import insert_pack
from bot.store.meta import write_meta

# Parents before children; cleared in reverse. Everything else in the database (meta, runtime
# tables from later migrations) is never touched by seeding.
FACT_TABLES: tuple[str, ...] = (
    "sources",
    "people",
    "person_sources",
    "show",
    "show_sources",
    "source_work_sources",
    "production_companies",
    "figures",
    "figure_sources",
    "characters",
    "character_sources",
    "ceremonies",
    "ceremony_sources",
    "award_entries",
    "award_entry_sources",
    "seasons",
    "season_events",
    "season_event_sources",
    "topics",
)

SEEDED_PACK_HASH = "seeded_pack_hash"
SEEDED_AT = "seeded_at"


class NotSeededError(StoreError):
    """The fact tables are empty: the data pack was never saved."""


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seed stored. ``str()`` is the line ``python -m bot seed`` prints."""

    pack_hash: str
    previous_hash: str | None  # None: the database had never been seeded
    counts: dict[str, int]  # kind of fact -> rows stored, in display order
    seeded_at: dt.datetime

    @property
    def changed(self) -> bool:
        return self.pack_hash != self.previous_hash

    def __str__(self) -> str:
        counts = ", ".join(f"{count} {kind}" for kind, count in self.counts.items())
        if self.previous_hash is None:
            what = "first seed"
        elif self.changed:
            what = f"changed, was {self.previous_hash[:12]}"
        else:
            what = "unchanged"
        return f"Seeded the data pack {self.pack_hash[:12]} ({what}): {counts}."


def pack_hash(pack: Pack) -> str:
    """SHA-256 of the pack's canonical JSON: equal packs hash equal, any edit changes it."""
    return hashlib.sha256(pack.model_dump_json().encode()).hexdigest()


def pack_counts(pack: Pack) -> dict[str, int]:
    return {
        "sources": len(pack.sources),
        "people": len(pack.people),
        "characters": len(pack.characters),
        "ceremonies": len(pack.ceremonies),
        "award entries": len(pack.awards),
        "seasons": len(pack.seasons),
        "season events": sum(len(season.events) for season in pack.seasons),
        "figures": len(pack.show.figures),
        "topics": len(pack.topics),
    }


async def save_pack(db: Database, pack: Pack, *, now: dt.datetime | None = None) -> SeedReport:
    """Replace the fact tables with ``pack`` in one transaction; record its hash and time.

    ``pack`` should come from ``load_pack`` (which checks references); a reference the
    tables' foreign keys reject raises ``sqlalchemy.exc.IntegrityError`` and nothing changes.
    """
    digest = pack_hash(pack)
    seeded_at = now if now is not None else dt.datetime.now(dt.UTC)
    async with db.transaction() as conn:
        async with conn.execute("SELECT value FROM meta WHERE key = ?", (SEEDED_PACK_HASH,)) as cur:
            row = await cur.fetchone()
        previous = None if row is None else str(row[0])
        for table in reversed(FACT_TABLES):
            # Identifiers can't be placeholders; these come from the constant tuple above.
            await conn.execute(f"DELETE FROM {table}")  # noqa: S608
        await insert_pack(conn, pack)
        await write_meta(conn, SEEDED_PACK_HASH, digest)
        await write_meta(conn, SEEDED_AT, seeded_at.isoformat())
    return SeedReport(digest, previous, pack_counts(pack), seeded_at)


async def has_facts(db: Database) -> bool:
    """Whether a pack was ever saved (the show row always exists once it was)."""
    return bool(await db.fetch_value("SELECT EXISTS (SELECT 1 FROM show)"))


async def seeded_pack_hash(db: Database) -> str | None:
    value = await db.fetch_value("SELECT value FROM meta WHERE key = ?", (SEEDED_PACK_HASH,))
    return None if value is None else str(value)


async def load_pack_from_db(db: Database) -> Pack:
    """Rebuild the saved Pack, equal to the one passed to :func:`save_pack`."""
    pack, _ = await load_seeded_pack(db)
    return pack


async def load_seeded_pack(db: Database) -> tuple[Pack, str | None]:
    """The saved Pack and the hash recorded with it, read from one snapshot (so the hash
    names exactly these facts, even while another process seeds)."""
    async with db.snapshot() as conn:
        async with conn.execute(
            "SELECT value FROM meta WHERE key = ?", (SEEDED_PACK_HASH,)
        ) as cursor:
            hash_row = await cursor.fetchone()
        digest = None if hash_row is None else str(hash_row[0])
        show_rows = await fetch_rows(conn, "SELECT * FROM show")
        if not show_rows:
            raise NotSeededError(
                f"database {db.where} holds no data pack yet; run `python -m bot seed`"
            )
        raw = await read_pack(conn, show_rows[0])
    try:
        return Pack.model_validate(raw), digest
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise StoreError(
            f"the facts in {db.where} do not form a valid pack ({exc.error_count()} problem(s); "
            f"first: {where}: {first['msg']})"
        ) from exc
