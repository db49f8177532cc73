"""/renewal's runtime events come from memory: reloaded after a change in this process,
refreshed in the background for changes made by another instance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.production import repository as repo
from bot.production.models import LocalizedText, UpdateDraft
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
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "gh.sqlite3")
    await migrate(database)
    yield database
    await database.close()


async def publish(db: Database, token: str) -> None:
    await repo.create_preview(db, token=token, author_id=1, draft=DRAFT, now=0.0)
    await repo.publish_preview(db, token, 0.0)


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
