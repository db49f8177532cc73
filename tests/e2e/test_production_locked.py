"""The newsroom while another process holds SQLite's write lock (a seed, a second bot, an
open sqlite3 shell): every click and command is acknowledged within Discord's 3 s, what it
does happens once the lock is released, and the maintainer sees the outcome, not a failure.

The lock is held from a separate sqlite3 connection with ``BEGIN IMMEDIATE`` for ~4 s, longer
than Discord's deadline and shorter than the bot's 5 s busy timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from discord_double import DiscordDouble

from bot.production import repo_ledger
from bot.store.database import DEFAULT_BUSY_TIMEOUT
from tests.e2e.production_helpers import Newsroom, outcome, wait_for, wait_until_finished

LOCK_HELD = 4.0  # s: past Discord's 3 s deadline, within the bot's 5 s busy timeout


@contextlib.contextmanager
def write_lock(database: Path) -> Iterator[sqlite3.Connection]:
    """Another process's view: a plain sqlite3 connection holding the write lock."""
    # Waits for a write of the bot's own to finish, then holds the lock.
    other = sqlite3.connect(database, isolation_level=None, timeout=5)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


async def hold_for(lock: sqlite3.Connection, seconds: float) -> None:
    await asyncio.sleep(seconds)
    lock.execute("ROLLBACK")  # the other process is done


@pytest.mark.parametrize(
    ("locale", "published"),
    [("en-US", "Published as update #1"), ("ko", "소식 #1로 게시했어요")],
)
async def test_publish_while_another_process_holds_the_write_lock_posts_once_and_says_so(
    double: DiscordDouble, tmp_path: Path, locale: str, published: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(4)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, servers)
        preview = await room.preview()
        with write_lock(room.database) as lock:
            release = asyncio.create_task(hold_for(lock, LOCK_HELD))
            click = await room.double.click(
                preview.message, room.button_id(preview, "publish"), user=room.maintainer,
                locale=locale,
            )  # fmt: skip
            # Acknowledged in time although the database could not be written yet.
            assert click.answered and click.latency is not None and click.latency < 3.0
            assert not release.done()
            assert room.posts(servers[0]) == []
            await release
        await wait_for(
            lambda: published in (click.content or ""), within=10.0, what="the published notice"
        )
        assert click.followups == []  # no error, no second answer
        counts = await wait_until_finished(db, 1)
        assert (counts.total, counts.delivered, counts.failed) == (4, 4, 0)
        assert all(len(room.posts(server)) == 1 for server in servers)
        assert len(await repo_ledger.recent_updates(db)) == 1


async def test_post_while_locked_is_acknowledged_then_shows_the_preview(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    room.add_servers(1)
    async with room.start() as bot:
        with write_lock(room.database) as lock:
            release = asyncio.create_task(hold_for(lock, LOCK_HELD))
            # The form opens at once (it needs no write); its submit writes the preview.
            opened = await room.open_form()
            assert opened.latency is not None and opened.latency < 3.0
            posted = await room.submit(
                opened,
                {"title_en": "Season 2 table read", "body_en": "The cast met."},
                settle=False,
            )
            await posted.record.wait_until(lambda: posted.answered, 3.0)
            assert posted.answered and posted.latency is not None and posted.latency < 3.0
            assert posted.loading  # "thinking…" while the preview waits for the database
            await release
        await wait_for(lambda: not posted.loading, within=10.0, what="the preview")
        assert "nothing has been sent" in (posted.content or "")
        assert posted.ephemeral and posted.embeds[0]["title"] == "Season 2 table read"
        count = await bot.services.db.fetch_value("SELECT COUNT(*) FROM production_previews")
        assert count == 1


async def test_publish_locked_past_the_busy_timeout_changes_nothing_says_so_and_can_be_retried(
    double: DiscordDouble, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(2)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, servers)
        preview = await room.preview()
        assert preview.message is not None
        shown = preview.message.content
        with caplog.at_level(logging.INFO), write_lock(room.database) as lock:
            release = asyncio.create_task(hold_for(lock, DEFAULT_BUSY_TIMEOUT + 1.0))
            click = await room.double.click(
                preview.message, room.button_id(preview, "publish"), user=room.maintainer
            )
            assert click.answered and click.latency is not None and click.latency < 3.0
            await wait_for(lambda: bool(click.followups), within=10.0, what="the busy notice")
            await release
        assert outcome(click) == (
            "The database is busy (another program is writing to it), so nothing was changed. "
            "Please try again in a moment."
        )
        assert click.followups[0].ephemeral
        assert preview.message.content == shown  # the preview and its buttons are still there
        assert await repo_ledger.recent_updates(db) == []
        busy = [r for r in caplog.records if r.getMessage().startswith("database busy")]
        assert len(busy) == 1 and busy[0].exc_info is None

        again = await room.publish(preview)  # the lock is gone: the same preview works
        assert "Published as update #1" in (again.content or "")
        await wait_until_finished(db, 1)
        assert all(len(room.posts(server)) == 1 for server in servers)


async def test_edit_retract_list_and_status_while_locked_are_acknowledged_then_answered(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(2)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, servers)
        for title in ("Filming starts in May", "A rumour"):
            await room.publish(await room.preview(title=title))
        await wait_until_finished(db, 1)
        await wait_until_finished(db, 2)
        with write_lock(room.database) as lock:
            release = asyncio.create_task(hold_for(lock, LOCK_HELD))
            edited, retracted, listed, status = await asyncio.gather(
                room.invoke(
                    "production edit", {"id": 1, "title": "Filming starts in June"}, settle=False
                ),
                room.invoke(
                    "production retract",
                    {"id": 2, "reason": "the source withdrew it"},
                    settle=False,
                ),
                room.invoke("production list"),
                room.invoke("production status", {"id": 1}),
            )
            # Reads never wait for the writer; writes wait for the lock, answered in time.
            assert not release.done()
            assert listed.embeds and status.embeds
            for result in (edited, retracted):
                assert result.answered and result.latency is not None and result.latency < 3.0
                assert result.loading  # "thinking…" while the write waits for the lock
            await release
        await wait_for(lambda: not edited.loading and not retracted.loading, within=10.0)
        # Both wait for the maintainer's click: nothing changed under the lock.
        assert "Preview of the correction to #1" in (edited.content or "")
        assert "Retract update #2?" in (retracted.content or "")
        edited = await room.press(edited, "apply")
        retracted = await room.press(retracted, "retract")
        assert "Update #1 corrected" in (edited.content or "")
        assert "Update #2 retracted" in (retracted.content or "")
        assert all(m.ephemeral for m in (edited.message, retracted.message) if m is not None)
        await wait_until_finished(db, 1)
        await wait_until_finished(db, 2)
        for server in servers:
            first, second = room.posts(server)
            assert first.embeds[0]["title"] == "Filming starts in June"
            assert second.content == "**Retracted:** the source withdrew it"
