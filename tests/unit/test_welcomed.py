"""One greeting per join: the record in ``welcomed_guilds`` (a real SQLite file)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.database import Database
from bot.store.migrate import migrate
from bot.store.welcomed import claim_welcome

NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)
JOINED = "2026-12-06T08:59:58.123456+00:00"


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    await migrate(database)
    try:
        yield database
    finally:
        await database.close()


async def test_a_join_is_claimed_once_and_a_later_join_again(db: Database) -> None:
    assert await claim_welcome(db, 11, JOINED, NOW)
    assert not await claim_welcome(db, 11, JOINED, NOW)  # a repeated event, a restart
    assert await claim_welcome(db, 12, JOINED, NOW)  # another server
    rejoined = "2026-12-07T10:00:00+00:00"
    assert await claim_welcome(db, 11, rejoined, NOW)  # removed, then invited again
    assert not await claim_welcome(db, 11, rejoined, NOW)


async def test_two_events_at_once_greet_once(db: Database) -> None:
    results = await asyncio.gather(*(claim_welcome(db, 11, JOINED, NOW) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
