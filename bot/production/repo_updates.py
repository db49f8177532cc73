"""SQL for published updates (``production_updates``): writing one with its outbox rows,
and correcting or retracting it everywhere (a new revision, and edit jobs for the copies)."""

from __future__ import annotations

from collections import Counter

from bot.store.database import Connection, Database

from .languages import delivery_language, plan
from .models import (
    AlreadyRetracted,
    Edited,
    EditResult,
    Language,
    LanguageChoice,
    LanguageChoiceNeeded,
    NoChange,
    Published,
    Retracted,
    RetractResult,
    RevisionConflict,
    UnknownUpdate,
    Update,
    UpdateDraft,
)
from .outbox_wake import outbox_queued
from .policy import delivery_nonce
from .repo_rows import (
    _changes,
    _draft_params,
    _fetch_all,
    _fetch_one,
    _update,
)
from .repo_settings import LEFT_GUILD_REASON


async def publish_draft(
    conn: Connection,
    *,
    token: str,
    author_id: int,
    draft: UpdateDraft,
    now: float,
    choice: LanguageChoice | None = None,
) -> Published | LanguageChoiceNeeded:
    """Inside the caller's transaction: the update and one delivery per subscribed server.

    What Publish does once its checks passed; a scheduled post goes out through this too. A
    post lacking the language of some subscribed servers needs the maintainer's ``choice``:
    those servers get the other language ('fallback') or no delivery row ('skip'); without
    one nothing is written and the answer says how many servers wait for it.
    """
    subscribers = await _fetch_all(
        conn,
        """
        SELECT g.guild_id, g.channel_id, g.channel_kind, g.language,
            CASE g.topic_roles
                WHEN 'one' THEN g.role_id
                ELSE (SELECT t.role_id FROM guild_topic_roles AS t
                      WHERE t.guild_id = g.guild_id AND t.topic = :topic)
            END AS role_id
        FROM guild_settings AS g
        WHERE g.enabled = 1 AND g.attention_reason IS NULL
        """,
        {"topic": draft.topic},
    )
    by_language = Counter[Language](s["language"] for s in subscribers)
    wanted = plan(by_language, draft, choice)
    if wanted.needs_choice and wanted.missing is not None:
        return LanguageChoiceNeeded(wanted.missing, wanted.affected)
    update_row = await _fetch_one(
        conn,
        """
        INSERT INTO production_updates (preview_token, author_id, title_en, title_ko,
            body_en, body_ko, source_url, confidence, season, season_status, created_at,
            topic, language_choice, missing_language, choice_servers)
        VALUES (:token, :author_id, :title_en, :title_ko, :body_en, :body_ko, :source_url,
                :confidence, :season, :season_status, :now,
                :topic, :choice, :missing, :affected)
        RETURNING *
        """,
        {
            "token": token,
            "author_id": author_id,
            "now": now,
            "choice": wanted.choice if wanted.affected else None,
            "missing": wanted.missing if wanted.affected else None,
            "affected": wanted.affected,
            **_draft_params(draft),
        },
    )
    assert update_row is not None
    update = _update(update_row)
    # Each server in the language it chose; where the post lacks it, as the choice says.
    # Each pings the role of the update's topic (bot.production.topics.TopicRoles).
    planned = [
        (s, language)
        for s in subscribers
        if (language := delivery_language(s["language"], draft, wanted.choice))
    ]
    await conn.executemany(
        """
        INSERT INTO production_deliveries (update_id, guild_id, channel_id, channel_kind,
            role_id, language, status, next_attempt_at, nonce, wanted_revision, crosspost,
            crosspost_next_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)
        """,
        [
            (
                update.update_id,
                s["guild_id"],
                s["channel_id"],
                s["channel_kind"],
                s["role_id"],
                language,
                now,
                delivery_nonce(update.update_id, s["guild_id"], update.revision),
                update.revision,
                "pending" if s["channel_kind"] == "announcement" else "none",
                now if s["channel_kind"] == "announcement" else None,
                now,
            )
            for s, language in planned
        ],
    )
    if planned:
        await outbox_queued(conn, update.update_id)
    return Published(update, len(planned))


async def get_update(db: Database, update_id: int) -> Update | None:
    row = await db.fetch_one("SELECT * FROM production_updates WHERE update_id = ?", (update_id,))
    return None if row is None else _update(row)


async def _queue_copy_changes(conn: Connection, update_id: int, revision: int, now: float) -> int:
    """Point every row at ``revision``; delivered copies get an edit job (same retry machinery).

    Copies in servers that currently need attention are left alone: sending there would fail
    the same way and count towards Discord's invalid-request limit.
    """
    queued = await _changes(
        conn,
        """
        UPDATE production_deliveries
        SET wanted_revision = :revision, status = 'pending', attempts = 0,
            next_attempt_at = :now, last_error = NULL, last_error_code = NULL, updated_at = :now
        WHERE update_id = :update_id AND message_id IS NOT NULL
          AND guild_id NOT IN (
              SELECT guild_id FROM guild_settings WHERE attention_reason IS NOT NULL)
        """,
        {"update_id": update_id, "revision": revision, "now": now},
    )
    params = {"update_id": update_id, "revision": revision, "now": now, "left": LEFT_GUILD_REASON}
    # A server the bot was removed from is out of reach for good: its copy is skipped.
    await conn.execute(
        """
        UPDATE production_deliveries
        SET wanted_revision = :revision, status = 'cancelled', last_error = :left,
            last_error_code = NULL, updated_at = :now
        WHERE update_id = :update_id AND message_id IS NOT NULL
          AND guild_id IN (
              SELECT guild_id FROM guild_settings WHERE attention_reason = :left)
        """,
        params,
    )
    # Copies in servers needing attention still show the old text: count them as failed
    # edits, so /production status shows them and /production retry brings them up to date
    # once the server is fixed.
    await conn.execute(
        """
        UPDATE production_deliveries
        SET wanted_revision = :revision, status = 'failed',
            last_error = 'not updated: ' || (
                SELECT attention_reason FROM guild_settings AS g
                WHERE g.guild_id = production_deliveries.guild_id),
            last_error_code = (
                SELECT attention_code FROM guild_settings AS g
                WHERE g.guild_id = production_deliveries.guild_id),
            updated_at = :now
        WHERE update_id = :update_id AND message_id IS NOT NULL
          AND guild_id IN (
              SELECT guild_id FROM guild_settings
              WHERE attention_reason IS NOT NULL AND attention_reason <> :left)
        """,
        params,
    )
    await conn.execute(
        """
        UPDATE production_deliveries SET wanted_revision = :revision, updated_at = :now
        WHERE update_id = :update_id AND message_id IS NULL
        """,
        {"update_id": update_id, "revision": revision, "now": now},
    )
    # Edits queued here, or (a retraction) sends to look for: the sender has work.
    await outbox_queued(conn, update_id)
    return queued


async def edit_update(
    db: Database,
    update_id: int,
    draft: UpdateDraft,
    *,
    editor_id: int,
    now: float,
    expected_revision: int | None = None,
) -> EditResult:
    """Correct an update everywhere: the copies are edited in place with a 'Corrected' line.

    ``expected_revision`` (the revision the editor saw) turns a concurrent edit into a
    :class:`RevisionConflict` instead of silently overwriting it.
    """
    async with db.transaction() as conn:
        return await edit_in(
            conn,
            update_id,
            draft,
            editor_id=editor_id,
            now=now,
            expected_revision=expected_revision,
        )


async def edit_in(
    conn: Connection,
    update_id: int,
    draft: UpdateDraft,
    *,
    editor_id: int,
    now: float,
    expected_revision: int | None,
) -> EditResult:
    """:func:`edit_update` inside the caller's transaction (a scheduled correction too)."""
    row = await _fetch_one(
        conn, "SELECT * FROM production_updates WHERE update_id = ?", (update_id,)
    )
    if row is None:
        return UnknownUpdate(update_id)
    current = _update(row)
    if current.is_retracted:
        return AlreadyRetracted(current)
    if expected_revision is not None and current.revision != expected_revision:
        return RevisionConflict(current)
    if current.draft == draft:
        return NoChange(current)
    new_row = await _fetch_one(
        conn,
        """
        UPDATE production_updates
        SET title_en = :title_en, title_ko = :title_ko, body_en = :body_en,
            body_ko = :body_ko, source_url = :source_url, confidence = :confidence,
            season = :season, season_status = :season_status,
            edited_at = :now, edited_by = :editor_id, revision = revision + 1
        WHERE update_id = :update_id
        RETURNING *
        """,
        {"update_id": update_id, "now": now, "editor_id": editor_id, **_draft_params(draft)},
    )
    assert new_row is not None
    updated = _update(new_row)
    queued = await _queue_copy_changes(conn, update_id, updated.revision, now)
    return Edited(updated, queued)


async def retract_update(
    db: Database, update_id: int, *, reason: str, retracted_by: int, now: float
) -> RetractResult:
    """Retract everywhere: copies become 'Retracted: <reason>'; unsent copies are never sent."""
    async with db.transaction() as conn:
        return await retract_in(conn, update_id, reason=reason, retracted_by=retracted_by, now=now)


async def retract_in(
    conn: Connection, update_id: int, *, reason: str, retracted_by: int, now: float
) -> RetractResult:
    """:func:`retract_update` inside the caller's transaction."""
    row = await _fetch_one(
        conn, "SELECT * FROM production_updates WHERE update_id = ?", (update_id,)
    )
    if row is None:
        return UnknownUpdate(update_id)
    if row["retracted_at"] is not None:
        return AlreadyRetracted(_update(row))
    new_row = await _fetch_one(
        conn,
        """
        UPDATE production_updates
        SET retracted_at = :now, retracted_by = :by, retract_reason = :reason,
            revision = revision + 1
        WHERE update_id = :update_id
        RETURNING *
        """,
        {"update_id": update_id, "now": now, "by": retracted_by, "reason": reason},
    )
    assert new_row is not None
    updated = _update(new_row)
    # A send already in flight keeps its claim; if it lands, recording it queues the edit.
    # Sends never attempted (queued, or failed with their server) now never will be.
    cancelled = await _changes(
        conn,
        """
        UPDATE production_deliveries
        SET status = 'cancelled', last_error = 'retracted before delivery',
            crosspost = CASE crosspost WHEN 'pending' THEN 'none' ELSE crosspost END,
            updated_at = :now
        WHERE update_id = :update_id AND message_id IS NULL
          AND status IN ('pending', 'retrying', 'failed') AND send_attempted_at IS NULL
        """,
        {"update_id": update_id, "now": now},
    )
    # An earlier attempt of these may have landed unrecorded (lost answer, failed write,
    # an outage past the retries): the worker looks for that copy and retracts it, or
    # cancels the row if there is none. It never sends them.
    await conn.execute(
        """
        UPDATE production_deliveries
        SET status = 'pending', attempts = 0, next_attempt_at = :now,
            last_error = NULL, last_error_code = NULL,
            crosspost = CASE crosspost WHEN 'pending' THEN 'none' ELSE crosspost END,
            updated_at = :now
        WHERE update_id = :update_id AND message_id IS NULL
          AND status IN ('pending', 'retrying', 'failed') AND send_attempted_at IS NOT NULL
          AND guild_id NOT IN (
              SELECT guild_id FROM guild_settings WHERE attention_reason IS NOT NULL)
        """,
        {"update_id": update_id, "now": now},
    )
    # Publishing a retraction notice to followers is pointless: drop queued crossposts.
    await conn.execute(
        """
        UPDATE production_deliveries SET crosspost = 'none'
        WHERE update_id = ? AND crosspost = 'pending'
        """,
        (update_id,),
    )
    queued = await _queue_copy_changes(conn, update_id, updated.revision, now)
    return Retracted(updated, queued, cancelled)
