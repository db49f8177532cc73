"""What the cogs are given: one object built at start-up, no globals.

The fact index is rebuilt from SQLite after every seed (``bot.facts_reload`` notices one), so
commands answer from memory. Readers take ``services.facts`` once per answer; a reload builds
the new index completely and then replaces the reference, so an answer never mixes versions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.datapack.models import Pack
from bot.deadline import DeadlineGuard
from bot.domain.catalog import Catalog
from bot.domain.names import entries_from_pack
from bot.domain.resolver import Resolver
from bot.i18n.catalogue import Catalogue
from bot.production.runtime import DeliveryOptions
from bot.production.timeline_cache import TimelineCache
from bot.render.memo import EmbedMemo
from bot.settings import Settings
from bot.store.database import Database, StoreError
from bot.store.facts import load_seeded_pack


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True, slots=True)
class FactIndex:
    """Everything the fan commands read, held in memory."""

    pack: Pack
    catalog: Catalog
    resolver: Resolver
    pack_hash: str | None = None  # the seeded pack's hash in the meta table (None: unknown)

    @classmethod
    def build(cls, pack: Pack, pack_hash: str | None = None) -> FactIndex:
        return cls(
            pack=pack,
            catalog=Catalog(pack),
            resolver=Resolver(entries_from_pack(pack)),
            pack_hash=pack_hash,
        )


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    texts: Catalogue
    facts: FactIndex
    today: Callable[[], dt.date] = field(default=utc_today)
    delivery: DeliveryOptions = field(default_factory=DeliveryOptions)
    deadline: DeadlineGuard = field(default_factory=DeadlineGuard)  # Discord's 3 s, counted
    facts_poll_interval: float = 1.0  # seconds between looks for a seed by another process
    timeline: TimelineCache = field(init=False)  # runtime season events, held in memory
    memo: EmbedMemo = field(init=False)  # rendered answers, keyed by what they depend on
    _reload_lock: asyncio.Lock = field(init=False)

    def __post_init__(self) -> None:
        self.timeline = TimelineCache(self.db)
        self.memo = EmbedMemo()
        self._reload_lock = asyncio.Lock()

    async def reload_facts(self) -> bool:
        """Rebuild the in-memory index from the database (after a seed); True if it changed.

        Raises ``StoreError`` (or ``sqlite3.Error``) when the stored facts can't be loaded;
        the old index then stays in place.
        """
        async with self._reload_lock:  # the watcher and /production reload, one at a time
            pack, digest = await load_seeded_pack(self.db)
            if digest is not None and digest == self.facts.pack_hash:
                return False
            # Built off the event loop; fans keep getting answers from the old index meanwhile.
            try:
                index = await asyncio.to_thread(FactIndex.build, pack, digest)
            except Exception as error:  # rows the models accept but the index can't use
                raise StoreError(
                    f"the facts in {self.db.where} could not be indexed "
                    f"({type(error).__name__}: {error})"
                ) from error
            # No await between these two lines: no answer sees the new index with old memos.
            self.facts = index
            self.memo.clear()  # answers rendered from the old facts must not be served again
            return True
