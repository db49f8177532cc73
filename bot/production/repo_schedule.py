"""SQL for scheduled posts and corrections (``production_schedules``).

Same rules as the other ``repo_*`` modules: writes in ``db.transaction()`` (BEGIN IMMEDIATE,
so a check and its change are atomic across processes), placeholders only, times passed in by
the caller. At the due time :func:`fire_due` moves one row from 'scheduled' to 'published' and,
in the same transaction, writes the update and its outbox rows through
``repo_updates.publish_draft`` (or the correction through ``repo_updates.edit_in``): a second
process, a restart or a retry after a crash finds the row no longer 'scheduled' and does
nothing.
"""

from __future__ import annotations

from typing import Final

from bot.store.database import Connection, Database, Row

from . import repo_updates
from .models import (
    AlreadyRetracted,
    Edited,
    EditResult,
    LanguageChoiceNeeded,
    NoChange,
    Published,
    RevisionConflict,
    UnknownUpdate,
    UpdateDraft,
)
from .repo_rows import _changes, _draft, _draft_params, _fetch_one
from .schedule import (
    AlreadyConfirmed,
    Changed,
    ChangeResult,
    Confirmed,
    ConfirmResult,
    Discarded,
    DiscardResult,
    DraftDiscarded,
    DraftExpired,
    Fired,
    NotPending,
    Schedule,
    ScheduleKind,
    TimePassed,
    UnknownDraft,
    UnknownSchedule,
)

DRAFT_TTL: Final = 15 * 60.0  # as long as the interaction token behind the preview's buttons
# Why a due correction was not applied (shown in /production scheduled).
RETRACTED: Final = "retracted"
CHANGED: Final = "changed"
GONE: Final = "unknown_update"
MISSED: Final = "missed"
# The post lacks the language some subscribed servers chose, and a schedule carries no
# maintainer's choice: nobody gets a language they did not choose, so it is not sent.
NEEDS_LANGUAGE: Final = "needs_language"
# A post found this long after its time (no bot was running) is not published: "tonight at
# 8 pm" a day later would be wrong. The maintainers see it in /production scheduled.
MISSED_AFTER: Final = 6 * 3600.0


def _schedule(row: Row) -> Schedule:
    return Schedule(
        schedule_id=row["schedule_id"],
        token=row["token"],
        kind=row["kind"],
        author_id=row["author_id"],
        draft=_draft(row),
        due_at=row["due_at"],
        timezone=row["timezone"],
        state=row["state"],
        draft_expires_at=row["draft_expires_at"],
        update_id=row["update_id"],
        expected_revision=row["expected_revision"],
        outcome=row["outcome"],
        published_at=row["published_at"],
    )


async def create_draft(
    db: Database,
    *,
    token: str,
    kind: ScheduleKind,
    author_id: int,
    draft: UpdateDraft,
    due_at: float,
    timezone: str,
    now: float,
    update_id: int | None = None,
    expected_revision: int | None = None,
    ttl: float = DRAFT_TTL,
) -> Schedule:
    """The previewed schedule, waiting for its Schedule button (nothing is due yet)."""
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            INSERT INTO production_schedules (token, kind, update_id, expected_revision,
                author_id, title_en, title_ko, body_en, body_ko, source_url, confidence,
                season, season_status, topic, due_at, timezone, state, draft_expires_at,
                created_at, updated_at)
            VALUES (:token, :kind, :update_id, :expected_revision, :author_id, :title_en,
                :title_ko, :body_en, :body_ko, :source_url, :confidence, :season,
                :season_status, :topic, :due_at, :timezone, 'draft', :expires_at, :now, :now)
            RETURNING *
            """,
            {
                "token": token,
                "kind": kind,
                "update_id": update_id,
                "expected_revision": expected_revision,
                "author_id": author_id,
                "due_at": due_at,
                "timezone": timezone,
                "expires_at": now + ttl,
                "now": now,
                **_draft_params(draft),
            },
        )
    assert row is not None
    return _schedule(row)


async def confirm(db: Database, token: str, now: float) -> ConfirmResult:
    """The Schedule button: the draft becomes due at its time. Idempotent per preview."""
    async with db.transaction() as conn:
        row = await _fetch_one(conn, "SELECT * FROM production_schedules WHERE token = ?", (token,))
        if row is None:
            return UnknownDraft()
        schedule = _schedule(row)
        if schedule.state == "discarded":
            return DraftDiscarded()
        if schedule.state != "draft":
            return AlreadyConfirmed(schedule)
        if now >= schedule.draft_expires_at:
            return DraftExpired()
        if now >= schedule.due_at:
            return TimePassed(schedule.due_at)
        confirmed = await _fetch_one(
            conn,
            """
            UPDATE production_schedules SET state = 'scheduled', updated_at = :now
            WHERE schedule_id = :id AND state = 'draft'
            RETURNING *
            """,
            {"id": schedule.schedule_id, "now": now},
        )
    assert confirmed is not None
    return Confirmed(_schedule(confirmed))


async def discard(db: Database, token: str, now: float) -> DiscardResult:
    """The preview's Cancel button: the draft is dropped, nothing is ever sent."""
    async with db.transaction() as conn:
        row = await _fetch_one(conn, "SELECT * FROM production_schedules WHERE token = ?", (token,))
        if row is None:
            return UnknownDraft()
        schedule = _schedule(row)
        if schedule.state == "discarded":
            return DraftDiscarded()
        if schedule.state != "draft":
            return AlreadyConfirmed(schedule)
        await conn.execute(
            """
            UPDATE production_schedules SET state = 'discarded', updated_at = :now
            WHERE schedule_id = :id
            """,
            {"id": schedule.schedule_id, "now": now},
        )
    return Discarded()


async def get_schedule(db: Database, schedule_id: int) -> Schedule | None:
    row = await db.fetch_one(
        "SELECT * FROM production_schedules WHERE schedule_id = ?", (schedule_id,)
    )
    return None if row is None else _schedule(row)


async def reschedule(
    db: Database, schedule_id: int, *, due_at: float, timezone: str, now: float
) -> ChangeResult:
    """A new time for a schedule that has not gone out yet."""
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            UPDATE production_schedules SET due_at = :due_at, timezone = :timezone,
                updated_at = :now
            WHERE schedule_id = :id AND state = 'scheduled'
            RETURNING *
            """,
            {"id": schedule_id, "due_at": due_at, "timezone": timezone, "now": now},
        )
        if row is not None:
            return Changed(_schedule(row))
        return await _not_pending(conn, schedule_id)


async def unschedule(db: Database, schedule_id: int, now: float) -> ChangeResult:
    """Cancel a schedule that has not gone out yet: nothing will be sent."""
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            UPDATE production_schedules
            SET state = 'cancelled', updated_at = :now
            WHERE schedule_id = :id AND state = 'scheduled'
            RETURNING *
            """,
            {"id": schedule_id, "now": now},
        )
        if row is not None:
            return Changed(_schedule(row))
        return await _not_pending(conn, schedule_id)


async def _not_pending(conn: Connection, schedule_id: int) -> ChangeResult:
    row = await _fetch_one(
        conn,
        """
        SELECT * FROM production_schedules
        WHERE schedule_id = ? AND state NOT IN ('draft', 'discarded')
        """,
        (schedule_id,),
    )
    return UnknownSchedule(schedule_id) if row is None else NotPending(_schedule(row))


async def pending_schedules(db: Database, limit: int) -> list[Schedule]:
    """What is still to go out, soonest first."""
    rows = await db.fetch_all(
        """
        SELECT * FROM production_schedules WHERE state = 'scheduled'
        ORDER BY due_at, schedule_id LIMIT ?
        """,
        (limit,),
    )
    return [_schedule(r) for r in rows]


async def recent_failures(db: Database, since: float, limit: int) -> list[Schedule]:
    """Schedules that could not be applied at their time (shown until a day has passed)."""
    rows = await db.fetch_all(
        """
        SELECT * FROM production_schedules WHERE state = 'failed' AND updated_at >= ?
        ORDER BY due_at DESC LIMIT ?
        """,
        (since, limit),
    )
    return [_schedule(r) for r in rows]


async def next_due_at(db: Database) -> float | None:
    value = await db.fetch_value(
        "SELECT MIN(due_at) FROM production_schedules WHERE state = 'scheduled'"
    )
    return None if value is None else float(value)


async def waiting(db: Database) -> tuple[int, float | None]:
    """How many schedules are still to go out, and the earliest one's time."""
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n, MIN(due_at) AS due FROM production_schedules "
        "WHERE state = 'scheduled'"
    )
    if row is None:
        return 0, None
    return int(row["n"]), None if row["due"] is None else float(row["due"])


async def fire_due(db: Database, now: float, limit: int = 20) -> list[Fired]:
    """Publish every schedule due by ``now``, each in its own transaction."""
    rows = await db.fetch_all(
        """
        SELECT schedule_id FROM production_schedules
        WHERE state = 'scheduled' AND due_at <= ? ORDER BY due_at LIMIT ?
        """,
        (now, limit),
    )
    fired = []
    for row in rows:
        result = await _fire_one(db, int(row["schedule_id"]), now)
        if result is not None:
            fired.append(result)
    return fired


async def _fire_one(db: Database, schedule_id: int, now: float) -> Fired | None:
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            SELECT * FROM production_schedules
            WHERE schedule_id = ? AND state = 'scheduled' AND due_at <= ?
            """,
            (schedule_id, now),
        )
        if row is None:
            return None  # another process (or an earlier run) got there first
        schedule = _schedule(row)
        if now - schedule.due_at > MISSED_AFTER:
            return await _missed(conn, schedule, now)
        result: Published | EditResult | LanguageChoiceNeeded
        update_id: int | None
        if schedule.kind == "post":
            result = await repo_updates.publish_draft(
                conn,
                token=schedule.token,
                author_id=schedule.author_id,
                draft=schedule.draft,
                now=now,
            )
            update_id = (
                None if isinstance(result, LanguageChoiceNeeded) else result.update.update_id
            )
        else:
            assert schedule.update_id is not None
            result = await repo_updates.edit_in(
                conn,
                schedule.update_id,
                schedule.draft,
                editor_id=schedule.author_id,
                now=now,
                expected_revision=schedule.expected_revision,
            )
            update_id = schedule.update_id
        outcome = _failure(result)
        # The guard: the same transaction moves the row out of 'scheduled', so whoever comes
        # next (another process, this one after a restart) finds nothing to do.
        done = await _fetch_one(
            conn,
            """
            UPDATE production_schedules
            SET state = CASE WHEN CAST(:outcome AS TEXT) IS NULL THEN 'published'
                    ELSE 'failed' END,
                outcome = :outcome, update_id = :update_id,
                published_at = CASE WHEN CAST(:outcome AS TEXT) IS NULL THEN :now END,
                updated_at = :now
            WHERE schedule_id = :id AND state = 'scheduled'
            RETURNING *
            """,
            {"id": schedule_id, "outcome": outcome, "update_id": update_id, "now": now},
        )
    assert done is not None  # the row was 'scheduled' in this very transaction
    applied = None if isinstance(result, LanguageChoiceNeeded) else result
    return Fired(_schedule(done), applied, now - schedule.due_at)


async def _missed(conn: Connection, schedule: Schedule, now: float) -> Fired:
    row = await _fetch_one(
        conn,
        """
        UPDATE production_schedules SET state = 'failed', outcome = :outcome, updated_at = :now
        WHERE schedule_id = :id AND state = 'scheduled'
        RETURNING *
        """,
        {"id": schedule.schedule_id, "outcome": MISSED, "now": now},
    )
    assert row is not None
    return Fired(_schedule(row), None, now - schedule.due_at)


def _failure(result: Published | EditResult | LanguageChoiceNeeded) -> str | None:
    match result:
        case LanguageChoiceNeeded():
            return NEEDS_LANGUAGE
        case Edited() | NoChange():
            return None
        case AlreadyRetracted():
            return RETRACTED
        case RevisionConflict():
            return CHANGED
        case UnknownUpdate():
            return GONE
    return None  # Published


async def purge_drafts(db: Database, now: float) -> int:
    """Delete previews of schedules nobody confirmed (or discarded), once their buttons are
    dead: the answer to a late click is the same 'can't find this preview' either way.
    Usually there are none: then it costs one read and takes no write lock."""
    found = await db.fetch_value(
        """
        SELECT 1 FROM production_schedules
        WHERE state IN ('draft', 'discarded') AND draft_expires_at <= ? LIMIT 1
        """,
        (now,),
    )
    if found is None:
        return 0
    async with db.transaction() as conn:
        return await _changes(
            conn,
            """
            DELETE FROM production_schedules
            WHERE state IN ('draft', 'discarded') AND draft_expires_at <= ?
            """,
            (now,),
        )
