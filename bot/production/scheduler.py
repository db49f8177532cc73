"""Publishes scheduled posts and corrections at their time.

One task sleeps until the earliest due time and wakes a little before nothing: precisely then
(``rearm()`` cuts the sleep short when a schedule is added or moved in this process). It also
looks every ``poll_interval`` seconds, for schedules written by another process on the same
database. Publishing is ``repo_schedule.fire_due``: the same transaction as Publish, guarded so
that each schedule goes out once whoever fires it; the delivery worker then sends the copies
with its usual pacing (``on_fired`` wakes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from bot.store.database import Database, StoreError

from . import repo_schedule
from .runtime import Clock
from .schedule import Fired

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    poll_interval: float = 5.0  # the safety net for schedules another process added
    purge_interval: float = 3600.0  # how often unconfirmed drafts are deleted


class Scheduler:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        on_fired: Callable[[list[Fired]], None],
        config: SchedulerConfig | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.on_fired = on_fired
        self.config = config or SchedulerConfig()
        self._rearm = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_purge = 0.0

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="scheduled posts")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def rearm(self) -> None:
        """A schedule was added, moved or cancelled here: look at the next due time again."""
        self._rearm.set()

    async def _run(self) -> None:
        with contextlib.suppress(StoreError, DBAPIError, OSError):  # the loop says why
            count, due = await repo_schedule.waiting(self.db)
            if count:
                late = max(self.clock() - (due or 0.0), 0.0)
                log.info(
                    "scheduled posts: %d waiting, the next due %s%s",
                    count,
                    dt.datetime.fromtimestamp(due or 0.0, dt.UTC).isoformat(timespec="seconds"),
                    f" ({late:.0f} s ago)" if late >= 1 else "",
                )
        while True:
            self._rearm.clear()
            wait = await self._tick()
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._rearm.wait(), wait)

    async def _tick(self) -> float:
        """Publish what is due; return how long to sleep before the next look."""
        poll = self.config.poll_interval
        try:
            fired = await repo_schedule.fire_due(self.db, self.clock())
            if fired:
                self._report(fired)
                return 0.0  # more may be due (fire_due takes a batch at a time)
            await self._purge()
            due = await repo_schedule.next_due_at(self.db)
        except (StoreError, DBAPIError, OSError) as exc:  # locked for long, disk full…
            log.error(
                "scheduled posts: can't read or publish them (%s); trying again in %.0f s",
                exc,
                poll,
            )
            return poll
        except Exception:  # a bug: say so loudly, and keep the schedules going
            log.exception("scheduled posts: publishing failed; trying again in %.0f s", poll)
            return poll
        if due is None:
            return poll
        return min(max(due - self.clock(), 0.0), poll)

    def _report(self, fired: list[Fired]) -> None:
        for item in fired:
            schedule = item.schedule
            if schedule.state == "failed":
                log.warning(
                    "scheduled %s #%s not applied at its time: %s (update #%s); "
                    "see /production scheduled",
                    schedule.kind,
                    schedule.schedule_id,
                    schedule.outcome,
                    schedule.update_id,
                )
            else:
                log.info(
                    "scheduled %s #%s published as update #%s, %.3f s after its time, "
                    "%d copies queued",
                    schedule.kind,
                    schedule.schedule_id,
                    schedule.update_id,
                    item.late_by,
                    item.queued,
                )
        self.on_fired(fired)

    async def _purge(self) -> None:
        now = self.clock()
        if now < self._next_purge:
            return
        self._next_purge = now + self.config.purge_interval
        purged = await repo_schedule.purge_drafts(self.db, now)
        if purged:
            log.info("deleted %d scheduled-post previews nobody confirmed", purged)
