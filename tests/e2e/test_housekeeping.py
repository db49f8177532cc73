"""Forgotten previews don't pile up: expired ones are purged at start-up and periodically."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from discord_double import DiscordDouble

from bot.production import repo_previews
from bot.production.models import LocalizedText, UpdateDraft
from bot.store.database import Database
from tests.e2e.production_helpers import Newsroom, fast_delivery

DRAFT = UpdateDraft(
    title=LocalizedText("Season 2 starts filming", None),
    body=LocalizedText("The cast met for the first script reading.", None),
    confidence="reported",
)


async def draft(db: Database, token: str, *, age: float, ttl: float = 900.0) -> None:
    """A preview written ``age`` seconds ago that lives ``ttl`` seconds."""
    await repo_previews.create_preview(
        db, token=token, author_id=1, draft=DRAFT, now=time.time() - age, ttl=ttl
    )


async def tokens(db: Database) -> set[str]:
    rows = await db.fetch_all("SELECT token FROM production_previews", ())
    return {row["token"] for row in rows}


async def eventually_gone(db: Database, token: str, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while token in await tokens(db):
        assert time.monotonic() < deadline, f"preview {token} was not purged"
        await asyncio.sleep(0.02)


async def test_expired_previews_are_purged_at_start_up_and_then_periodically(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    async with room.start() as bot:  # creates the database
        db = bot.services.db
        await room.subscribe(db, [server])
        published = await room.preview()
        await room.publish(published)
        await draft(db, "forgotten-long-ago", age=86_400)
        await draft(db, "cancelled-long-ago", age=86_400)
        await repo_previews.cancel_preview(db, "cancelled-long-ago", time.time())
        await draft(db, "still-open-now", age=60)
        kept_published = await tokens(db) - {
            "forgotten-long-ago",
            "cancelled-long-ago",
            "still-open-now",
        }
        assert len(kept_published) == 1

    delivery = fast_delivery(room.clock)
    delivery.preview_purge_interval = 0.2
    async with room.start(delivery) as bot:
        db = bot.services.db
        # At start-up: the expired ones go; the open one and the published one stay.
        await eventually_gone(db, "forgotten-long-ago")
        assert await tokens(db) == {"still-open-now"} | kept_published
        # While running: a draft that expires is purged on the next round.
        await draft(db, "expires-soon", age=0, ttl=0.3)
        await eventually_gone(db, "expires-soon")
        await eventually_gone(db, "cancelled-long-ago")
        assert await tokens(db) == {"still-open-now"} | kept_published
