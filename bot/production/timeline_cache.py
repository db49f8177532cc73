"""Runtime season events (from production updates) held in memory for /renewal.

/renewal must not read the disk on the hot path. The additions are loaded once, reloaded
right after this process publishes, edits or retracts an update (`invalidate`), and
refreshed in the background every `max_age` seconds so another instance's updates show
up too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bot.production.repo_ledger import season_status_updates
from bot.production.timeline import TimelineAdditions, timeline_additions
from bot.store.database import Database

log = logging.getLogger(__name__)


class TimelineCache:
    def __init__(
        self,
        db: Database,
        *,
        max_age: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._max_age = max_age
        self._clock = clock
        self._value: TimelineAdditions | None = None
        self._loaded_at = 0.0
        self._refresh: asyncio.Task[None] | None = None
        self.version = 0  # changes whenever the additions may have changed
        # Bumped by `invalidate`: a load that started before it read the database before the
        # change, so its result must not be kept (it would hide the change until max_age).
        self._generation = 0

    async def get(self) -> TimelineAdditions:
        while self._value is None:
            await self._load()
        if self._clock() - self._loaded_at > self._max_age and self._refresh is None:
            self._refresh = asyncio.create_task(self._background_refresh())
        return self._value

    def invalidate(self) -> None:
        """Something changed in this process: the next `get` reloads before answering."""
        self._generation += 1
        self._value = None

    async def _load(self) -> None:
        generation = self._generation
        value = timeline_additions(await season_status_updates(self._db))
        if generation != self._generation:
            return  # invalidated while reading: a newer load (or the next get) reads again
        self._value = value
        self._loaded_at = self._clock()
        self.version += 1

    async def _background_refresh(self) -> None:
        try:
            await self._load()
        except Exception:
            log.exception("could not refresh the runtime season events; keeping the old ones")
            self._loaded_at = self._clock()  # try again after max_age, not on every call
        finally:
            self._refresh = None
