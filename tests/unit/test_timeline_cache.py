"""/renewal's runtime events come from memory: reloaded after a change in this process,
refreshed in the background for changes made by another instance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.production import repo_previews, timeline_cache
from bot.production.models import LocalizedText, Update, UpdateDraft
from bot.production.timeline_cache import TimelineCache
from bot.store.database import Database
from bot.store.migrate import migrate

DRAFT = UpdateDraft(
    title=LocalizedText("Season 2 filming starts", "시즌 2 촬영 시작"),
    body=LocalizedText("Filming began this week.", "이번 주 촬영이 시작됐어요."),
    confidence="reported",
    source_url="https://example.com/news/2",
    season=2,
    season_status="filming",
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    await migrate(database)
    yield database
    await database.close()


async def publish(db: Database, token: str) -> None:
    await repo_previews.create_preview(db, token=token, author_id=1, draft=DRAFT, now=0.0)
    await repo_previews.publish_preview(db, token, 0.0)


def event_count(additions: object) -> int:
    return sum(len(events) for events in additions.events.values())  # type: ignore[attr-defined]


async def test_changes_show_after_invalidate_or_after_max_age(db: Database) -> None:
    clock = Clock()
    cache = TimelineCache(db, max_age=30.0, clock=clock)
    assert event_count(await cache.get()) == 0

    await publish(db, "preview-one")  # as another process would: the cache does not know yet
    assert event_count(await cache.get()) == 0  # served from memory

    cache.invalidate()  # this process published: reload before the next answer
    assert event_count(await cache.get()) == 1
    version = cache.version

    await publish(db, "preview-two")
    clock.now += 31  # stale: this call still answers from memory and refreshes behind it
    assert event_count(await cache.get()) == 1
    await asyncio.sleep(0.05)
    for _ in range(50):
        if cache.version > version:
            break
        await asyncio.sleep(0.01)
    assert event_count(await cache.get()) == 2 and cache.version > version


async def test_a_load_that_started_before_invalidate_does_not_hide_the_change(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A background refresh reads, this process publishes and invalidates, then the refresh
    finishes: its older answer used to become the cached one until max_age ran out."""
    clock = Clock()
    cache = TimelineCache(db, max_age=30.0, clock=clock)
    await publish(db, "preview-one")
    assert event_count(await cache.get()) == 1

    gate = asyncio.Event()
    read = asyncio.Event()
    real_read = timeline_cache.season_status_updates

    async def slow_read(database: Database) -> list[Update]:
        rows = await real_read(database)  # the real query, held back before it returns
        read.set()
        await gate.wait()
        return rows

    monkeypatch.setattr(timeline_cache, "season_status_updates", slow_read)
    clock.now += 31
    assert event_count(await cache.get()) == 1  # answers from memory, refresh starts behind
    await read.wait()  # the refresh has read: one event
    monkeypatch.setattr(timeline_cache, "season_status_updates", real_read)

    await publish(db, "preview-two")
    cache.invalidate()  # this process published the second one
    gate.set()
    for _ in range(10):  # let the refresh finish with its older answer
        await asyncio.sleep(0)
    assert event_count(await cache.get()) == 2
