"""What the cogs are given: one object built at start-up, no globals.

The fact index is rebuilt from SQLite after every seed, so commands answer from memory.
"""

from __future__ import annotations

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
from bot.store.database import Database
from bot.store.facts import load_pack_from_db


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True, slots=True)
class FactIndex:
    """Everything the fan commands read, held in memory."""

    pack: Pack
    catalog: Catalog
    resolver: Resolver

    @classmethod
    def build(cls, pack: Pack) -> FactIndex:
        return cls(pack=pack, catalog=Catalog(pack), resolver=Resolver(entries_from_pack(pack)))


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    texts: Catalogue
    facts: FactIndex
    today: Callable[[], dt.date] = field(default=utc_today)
    delivery: DeliveryOptions = field(default_factory=DeliveryOptions)
    deadline: DeadlineGuard = field(default_factory=DeadlineGuard)  # Discord's 3 s, counted
    timeline: TimelineCache = field(init=False)  # runtime season events, held in memory
    memo: EmbedMemo = field(init=False)  # rendered answers, keyed by what they depend on

    def __post_init__(self) -> None:
        self.timeline = TimelineCache(self.db)
        self.memo = EmbedMemo()

    async def reload_facts(self) -> None:
        """Rebuild the in-memory index from the database (after a seed)."""
        self.facts = FactIndex.build(await load_pack_from_db(self.db))
        self.memo.clear()  # answers rendered from the old facts must not be served again
