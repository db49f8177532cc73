"""The scheduled-post ledger on a real SQLite file: once, whoever fires it.

Two Database objects on one file stand for two bot processes: both fire at the due time,
and the 'scheduled → published' transition in the publish transaction lets only one through.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.production import repo_ledger, repo_schedule, repo_settings
from bot.production.models import LocalizedText, Published, UpdateDraft
from bot.production.schedule import (
    AlreadyConfirmed,
    Changed,
    Confirmed,
    DraftDiscarded,
    DraftExpired,
    NotPending,
    TimePassed,
)
from bot.store.database import Database
from bot.store.migrate import migrate

T0 = 1_796_500_000.0
DRAFT = UpdateDraft(
    title=LocalizedText("Teaser tonight", "오늘 밤 티저"),
    body=LocalizedText("At 8 pm KST."),
    confidence="official",
)


@pytest.fixture
async def db(store_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(store_target)
    await migrate(database)
    for n in range(3):
        await repo_settings.save_guild_settings(
            database, guild_id=100 + n, channel_id=200 + n, channel_kind="text",
            role_id=None, language="en", now=T0,
        )  # fmt: skip
    yield database
    await database.close()


async def scheduled(db: Database, token: str = "schedule-0001", due: float = T0 + 60) -> int:
    await repo_schedule.create_draft(
        db, token=token, kind="post", author_id=1, draft=DRAFT, due_at=due,
        timezone="Asia/Seoul", now=T0,
    )  # fmt: skip
    result = await repo_schedule.confirm(db, token, T0 + 1)
    assert isinstance(result, Confirmed)
    return result.schedule.schedule_id


async def test_two_processes_firing_at_once_publish_once(
    db: Database, store_target: Path | str
) -> None:
    await scheduled(db)
    other = await Database.open(store_target)
    try:
        assert await repo_schedule.fire_due(db, T0 + 59) == []  # not yet
        first, second = await asyncio.gather(
            repo_schedule.fire_due(db, T0 + 60.2), repo_schedule.fire_due(other, T0 + 60.2)
        )
    finally:
        await other.close()
    fired = first + second
    assert len(fired) == 1
    assert isinstance(fired[0].result, Published) and fired[0].queued == 3
    assert fired[0].late_by == pytest.approx(0.2)
    assert fired[0].schedule.state == "published" and fired[0].schedule.update_id == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM production_updates") == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM production_deliveries") == 3
    assert await repo_schedule.fire_due(db, T0 + 120) == []  # a restart later: nothing again
    (update,) = await repo_ledger.latest_updates(db)
    assert update.draft == DRAFT and update.created_at == T0 + 60.2


async def test_the_schedule_button_and_its_refusals(db: Database) -> None:
    await repo_schedule.create_draft(
        db, token="schedule-late", kind="post", author_id=1, draft=DRAFT, due_at=T0 + 5,
        timezone="KST", now=T0,
    )  # fmt: skip
    assert isinstance(await repo_schedule.confirm(db, "schedule-late", T0 + 5), TimePassed)
    await repo_schedule.create_draft(
        db, token="schedule-old", kind="post", author_id=1, draft=DRAFT, due_at=T0 + 7200,
        timezone="KST", now=T0,
    )  # fmt: skip
    assert isinstance(await repo_schedule.confirm(db, "schedule-old", T0 + 901), DraftExpired)
    schedule_id = await scheduled(db)
    again = await repo_schedule.confirm(db, "schedule-0001", T0 + 2)
    assert isinstance(again, AlreadyConfirmed)
    assert isinstance(await repo_schedule.discard(db, "schedule-0001", T0 + 2), AlreadyConfirmed)
    await repo_schedule.create_draft(
        db, token="schedule-drop", kind="post", author_id=1, draft=DRAFT, due_at=T0 + 60,
        timezone="KST", now=T0,
    )  # fmt: skip
    await repo_schedule.discard(db, "schedule-drop", T0 + 1)
    assert isinstance(await repo_schedule.confirm(db, "schedule-drop", T0 + 2), DraftDiscarded)
    assert [s.schedule_id for s in await repo_schedule.pending_schedules(db, 10)] == [schedule_id]
    # The drafts nobody confirmed go (late, old, dropped); the scheduled one stays.
    assert await repo_schedule.purge_drafts(db, T0 + 901) == 3
    assert len(await repo_schedule.pending_schedules(db, 10)) == 1


async def test_reschedule_and_unschedule_only_before_it_goes_out(db: Database) -> None:
    first = await scheduled(db, "schedule-0001")
    second = await scheduled(db, "schedule-0002")
    moved = await repo_schedule.reschedule(db, first, due_at=T0 + 3600, timezone="UTC", now=T0 + 2)
    assert isinstance(moved, Changed) and moved.schedule.timezone == "UTC"
    assert isinstance(await repo_schedule.unschedule(db, second, T0 + 2), Changed)
    assert await repo_schedule.fire_due(db, T0 + 600) == []  # moved later; cancelled
    assert await repo_schedule.next_due_at(db) == T0 + 3600
    assert len(await repo_schedule.fire_due(db, T0 + 3600)) == 1
    late = await repo_schedule.unschedule(db, first, T0 + 3601)
    assert isinstance(late, NotPending) and late.schedule.state == "published"
    assert await repo_schedule.next_due_at(db) is None


async def test_a_post_found_long_after_its_time_is_not_sent(db: Database) -> None:
    schedule_id = await scheduled(db, due=T0 + 60)
    late = T0 + 60 + repo_schedule.MISSED_AFTER + 1
    (fired,) = await repo_schedule.fire_due(db, late)
    assert fired.result is None and fired.queued == 0
    assert fired.schedule.state == "failed" and fired.schedule.outcome == "missed"
    assert await db.fetch_value("SELECT COUNT(*) FROM production_updates") == 0
    failures = await repo_schedule.recent_failures(db, late - 60, 5)
    assert [s.schedule_id for s in failures] == [schedule_id]
