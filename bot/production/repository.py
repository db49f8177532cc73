"""All SQL for production updates, server settings and the delivery outbox.

Writes go through ``db.transaction()`` (BEGIN IMMEDIATE on the one writer), so a check and the
change it guards happen atomically, also against another process on the same file. The worker
claims rows with ``UPDATE … RETURNING`` inside such a transaction: two workers never hold the
same row, and a claim whose lease ran out (its worker died) can be taken again; the worker
frees the claims of a process it can prove dead sooner (``claim_holders`` / ``release_claims_of``).
Times are Unix seconds passed in by the caller, so tests control the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from bot.store.database import Connection, Database, Row

from .languages import delivery_language, plan
from .models import (
    AlreadyPublished,
    AlreadyRetracted,
    Cancelled,
    CancelResult,
    ChannelKind,
    CrosspostState,
    Delivery,
    DeliveryCounts,
    DeliveryFailure,
    DeliveryReport,
    DeliveryStatus,
    Edited,
    EditResult,
    GuildSettings,
    Language,
    LanguageChoice,
    LanguageChoiceNeeded,
    LocalizedText,
    NoChange,
    Preview,
    PreviewCancelled,
    PreviewExpired,
    Published,
    PublishResult,
    Retracted,
    RetractResult,
    RevisionConflict,
    UnknownPreview,
    UnknownUpdate,
    Update,
    UpdateDraft,
    UpdateSummary,
)
from .policy import delivery_nonce

DEFAULT_PREVIEW_TTL: Final = 15 * 60.0  # as long as the interaction token behind the buttons


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    update_id: int
    guild_id: int

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryKey:
        return cls(delivery.update_id, delivery.guild_id)


# --------------------------------------------------------------------------- row mapping


def _draft(row: Row) -> UpdateDraft:
    return UpdateDraft(
        title=LocalizedText(row["title_en"], row["title_ko"]),
        body=LocalizedText(row["body_en"], row["body_ko"]),
        confidence=row["confidence"],
        source_url=row["source_url"],
        season=row["season"],
        season_status=row["season_status"],
        topic=row["topic"],
    )


def _update(row: Row) -> Update:
    return Update(
        update_id=row["update_id"],
        preview_token=row["preview_token"],
        author_id=row["author_id"],
        draft=_draft(row),
        created_at=row["created_at"],
        revision=row["revision"],
        edited_at=row["edited_at"],
        edited_by=row["edited_by"],
        retracted_at=row["retracted_at"],
        retracted_by=row["retracted_by"],
        retract_reason=row["retract_reason"],
        language_choice=row["language_choice"],
        missing_language=row["missing_language"],
        choice_servers=row["choice_servers"],
    )


def _preview(row: Row) -> Preview:
    return Preview(
        token=row["token"],
        author_id=row["author_id"],
        draft=_draft(row),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        state=row["state"],
        update_id=row["update_id"],
        language_choice=row["language_choice"],
        edit_of=row["edit_of"],
        edit_revision=row["edit_revision"],
    )


def _guild(row: Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        channel_kind=row["channel_kind"],
        role_id=row["role_id"],
        language=row["language"],
        enabled=bool(row["enabled"]),
        topic_roles=row["topic_roles"],
        attention_reason=row["attention_reason"],
        attention_code=row["attention_code"],
        attention_since=row["attention_since"],
        attention_notified_at=row["attention_notified_at"],
        ping_issue=row["ping_issue"],
        last_delivery_update_id=row["last_delivery_update_id"],
        last_delivery_status=row["last_delivery_status"],
        last_delivery_at=row["last_delivery_at"],
        last_delivery_error=row["last_delivery_error"],
    )


def _delivery(row: Row) -> Delivery:
    return Delivery(
        update_id=row["update_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        channel_kind=row["channel_kind"],
        role_id=row["role_id"],
        language=row["language"],
        status=DeliveryStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        nonce=row["nonce"],
        wanted_revision=row["wanted_revision"],
        crosspost=CrosspostState(row["crosspost"]),
        crosspost_attempts=row["crosspost_attempts"],
        crosspost_next_at=row["crosspost_next_at"],
        claimed_by=row["claimed_by"],
        claim_expires_at=row["claim_expires_at"],
        message_id=row["message_id"],
        delivered_revision=row["delivered_revision"],
        last_error=row["last_error"],
        last_error_code=row["last_error_code"],
        sent_at=row["sent_at"],
        ping_issue=row["ping_issue"],
        crossposted_at=row["crossposted_at"],
        crosspost_error=row["crosspost_error"],
        send_attempted_at=row["send_attempted_at"],
    )


def _draft_params(draft: UpdateDraft) -> dict[str, Any]:
    return {
        "title_en": draft.title.en,
        "title_ko": draft.title.ko,
        "body_en": draft.body.en,
        "body_ko": draft.body.ko,
        "source_url": draft.source_url,
        "confidence": draft.confidence,
        "season": draft.season,
        "season_status": draft.season_status,
        "topic": draft.topic,
    }


async def _fetch_one(conn: Connection, sql: str, params: Any) -> Row | None:
    async with conn.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def _fetch_all(conn: Connection, sql: str, params: Any) -> list[Row]:
    return cast(list[Row], list(await conn.execute_fetchall(sql, params)))


async def _changes(conn: Connection, sql: str, params: Any) -> int:
    async with conn.execute(sql, params) as cursor:
        return cursor.rowcount


# --------------------------------------------------------------------------- server settings


async def save_guild_settings(
    db: Database,
    *,
    guild_id: int,
    channel_id: int,
    channel_kind: ChannelKind,
    role_id: int | None,
    language: Language | None,
    now: float,
) -> GuildSettings:
    """Subscribe (or reconfigure) a server. An admin acting on it clears any 'needs attention'.

    ``language=None`` keeps the server's current language (English for a new server).
    """
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            INSERT INTO guild_settings (guild_id, channel_id, channel_kind, role_id, language,
                                        enabled, created_at, updated_at)
            VALUES (:guild_id, :channel_id, :channel_kind, :role_id, COALESCE(:language, 'en'),
                    1, :now, :now)
            ON CONFLICT (guild_id) DO UPDATE SET
                channel_id = excluded.channel_id,
                channel_kind = excluded.channel_kind,
                role_id = excluded.role_id,
                language = COALESCE(:language, guild_settings.language),
                enabled = 1,
                attention_reason = NULL, attention_code = NULL, attention_since = NULL,
                attention_notified_at = NULL, ping_issue = NULL,
                updated_at = excluded.updated_at
            RETURNING *
            """,
            {
                "guild_id": guild_id,
                "channel_id": channel_id,
                "channel_kind": channel_kind,
                "role_id": role_id,
                "language": language,
                "now": now,
            },
        )
    assert row is not None  # RETURNING of an upsert always yields the row
    return _guild(row)


async def set_guild_language(db: Database, guild_id: int, language: Language, now: float) -> bool:
    """Future posts in the server use ``language``; False when the server is not set up."""
    async with db.transaction() as conn:
        changed = await _changes(
            conn,
            "UPDATE guild_settings SET language = ?, updated_at = ? WHERE guild_id = ?",
            (language, now, guild_id),
        )
    return changed > 0


async def switch_off_guild(db: Database, guild_id: int, now: float) -> int:
    """Stop posting to a server: sends not yet made are cancelled (edits of copies still run).

    Returns how many queued sends were cancelled.
    """
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE guild_settings SET enabled = 0, updated_at = ? WHERE guild_id = ?",
            (now, guild_id),
        )
        return await _changes(
            conn,
            """
            UPDATE production_deliveries
            SET status = 'cancelled', last_error = 'updates switched off in this server',
                crosspost = CASE crosspost WHEN 'pending' THEN 'none' ELSE crosspost END,
                updated_at = :now
            WHERE guild_id = :guild_id AND message_id IS NULL
              AND status IN ('pending', 'retrying')
            """,
            {"guild_id": guild_id, "now": now},
        )


LEFT_GUILD_REASON: Final = "the bot was removed from this server"


async def unsubscribe_left_guild(db: Database, guild_id: int, now: float) -> int | None:
    """The bot left the server (GUILD_DELETE): no more posts, and open jobs there are skipped.

    The server is switched off and marked with :data:`LEFT_GUILD_REASON` as its attention
    reason, which keeps edits and retractions away from copies the bot can no longer reach
    (``_queue_copy_changes``); its open jobs (sends, edits, crossposts) are cancelled rather
    than left to fail against Discord. If the bot is invited back, an admin's
    /setup announcements subscribes it again. Returns how many jobs were skipped, or None
    when the server was not subscribed.
    """
    params = {"guild_id": guild_id, "now": now, "reason": LEFT_GUILD_REASON}
    async with db.transaction() as conn:
        known = await _changes(
            conn,
            """
            UPDATE guild_settings
            SET enabled = 0, updated_at = :now,
                attention_reason = COALESCE(attention_reason, :reason),
                attention_code = CASE WHEN attention_reason IS NULL THEN NULL
                                      ELSE attention_code END,
                attention_since = COALESCE(attention_since, :now)
            WHERE guild_id = :guild_id
            """,
            params,
        )
        if not known:
            return None
        return await _changes(
            conn,
            """
            UPDATE production_deliveries
            SET status = CASE WHEN status IN ('pending', 'retrying') THEN 'cancelled'
                              ELSE status END,
                last_error = CASE WHEN status IN ('pending', 'retrying') THEN :reason
                                  ELSE last_error END,
                crosspost = CASE crosspost WHEN 'pending' THEN 'none' ELSE crosspost END,
                updated_at = :now
            WHERE guild_id = :guild_id
              AND (status IN ('pending', 'retrying') OR crosspost = 'pending')
            """,
            params,
        )


async def get_guild_settings(db: Database, guild_id: int) -> GuildSettings | None:
    row = await db.fetch_one("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
    return None if row is None else _guild(row)


async def count_subscribers(db: Database) -> int:
    """Servers a publish would queue a delivery for right now (the preview says how many)."""
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM guild_settings WHERE enabled = 1 AND attention_reason IS NULL"
    )
    return int(value or 0)


async def take_attention_notice(db: Database, guild_id: int, now: float) -> GuildSettings | None:
    """The server's settings if its admins still have to be told why posts stopped, else None.

    Marks the notice as given, so it is shown once. Called on every interaction in a server,
    so the usual answer (nothing to tell) costs one read and no write.
    """
    pending = await db.fetch_value(
        """
        SELECT 1 FROM guild_settings
        WHERE guild_id = ? AND attention_reason IS NOT NULL AND attention_notified_at IS NULL
        """,
        (guild_id,),
    )
    if pending is None:
        return None
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            UPDATE guild_settings SET attention_notified_at = :now
            WHERE guild_id = :guild_id
              AND attention_reason IS NOT NULL AND attention_notified_at IS NULL
            RETURNING *
            """,
            {"guild_id": guild_id, "now": now},
        )
    return None if row is None else _guild(row)


# --------------------------------------------------------------------------- previews and publish


async def create_preview(
    db: Database,
    *,
    token: str,
    author_id: int,
    draft: UpdateDraft,
    now: float,
    ttl: float = DEFAULT_PREVIEW_TTL,
    edit_of: Update | None = None,
) -> Preview:
    """Store a validated draft under ``token`` until Publish, Cancel or expiry.

    With ``edit_of`` it is a correction of that update (at the revision the editor saw).
    """
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            INSERT INTO production_previews (token, author_id, title_en, title_ko, body_en,
                body_ko, source_url, confidence, season, season_status, created_at, expires_at,
                topic, edit_of, edit_revision)
            VALUES (:token, :author_id, :title_en, :title_ko, :body_en, :body_ko, :source_url,
                    :confidence, :season, :season_status, :now, :expires_at,
                    COALESCE(:topic, (SELECT id FROM topics ORDER BY position LIMIT 1)),
                    :edit_of, :edit_revision)
            RETURNING *
            """,
            {
                "token": token,
                "author_id": author_id,
                "now": now,
                "expires_at": now + ttl,
                "edit_of": None if edit_of is None else edit_of.update_id,
                "edit_revision": None if edit_of is None else edit_of.revision,
                **_draft_params(draft),
            },
        )
    assert row is not None
    return _preview(row)


async def get_preview(db: Database, token: str) -> Preview | None:
    row = await db.fetch_one("SELECT * FROM production_previews WHERE token = ?", (token,))
    return None if row is None else _preview(row)


async def publish_preview(
    db: Database, token: str, now: float, choice: LanguageChoice | None = None
) -> PublishResult:
    """Turn a preview into an update and queue one delivery per subscribed server, atomically.

    Nothing is sent here: the worker picks the rows up. A second Publish of the same preview,
    Publish after Cancel or after expiry, and an unknown token are answered and change nothing.
    A post lacking the language of some subscribed servers is published only with the
    maintainer's ``choice`` (given now or stored on the preview): those servers get the other
    language ('fallback') or no delivery row at all ('skip'); without one nothing happens and
    the answer says how many servers wait for it.
    """
    async with db.transaction() as conn:
        row = await _fetch_one(conn, "SELECT * FROM production_previews WHERE token = ?", (token,))
        if row is None:
            return UnknownPreview()
        preview = _preview(row)
        if preview.edit_of is not None:
            return UnknownPreview()  # a correction: published by repo_writing.publish_correction
        if preview.state == "published" and preview.update_id is not None:
            return AlreadyPublished(preview.update_id)
        if preview.state == "cancelled":
            return PreviewCancelled()
        if now >= preview.expires_at:
            return PreviewExpired(preview.expires_at)
        published = await publish_draft(
            conn,
            token=token,
            author_id=preview.author_id,
            draft=preview.draft,
            now=now,
            choice=choice or preview.language_choice,
        )
        if isinstance(published, LanguageChoiceNeeded):
            return published
        await conn.execute(
            """
            UPDATE production_previews SET state = 'published', update_id = ?, language_choice = ?
            WHERE token = ?
            """,
            (published.update.update_id, published.update.language_choice, token),
        )
    return published


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
    return Published(update, len(planned))


async def cancel_preview(db: Database, token: str, now: float) -> CancelResult:
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn, "SELECT state, update_id FROM production_previews WHERE token = ?", (token,)
        )
        if row is None:
            return UnknownPreview()
        if row["state"] == "published":
            return AlreadyPublished(row["update_id"])
        if row["state"] == "cancelled":
            return PreviewCancelled()
        await conn.execute(
            "UPDATE production_previews SET state = 'cancelled' WHERE token = ?", (token,)
        )
    return Cancelled()


async def purge_previews(db: Database, now: float) -> int:
    """Delete open or cancelled previews that expired (published ones stay, they name updates)."""
    async with db.transaction() as conn:
        return await _changes(
            conn,
            "DELETE FROM production_previews WHERE state <> 'published' AND expires_at <= ?",
            (now,),
        )


# --------------------------------------------------------------------------- edit and retract


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


# --------------------------------------------------------------------------- reading the ledger

# COUNT(*) FILTER: SUM(<boolean>) is SQLite-only (PostgreSQL has no sum of booleans).
_COUNTS_SELECT: Final = """
    SELECT update_id,
        COUNT(*) AS total,
        COUNT(*) FILTER (WHERE message_id IS NOT NULL) AS delivered,
        COUNT(*) FILTER (WHERE message_id IS NULL AND status = 'failed') AS failed,
        COUNT(*) FILTER (WHERE message_id IS NULL AND status IN ('pending', 'retrying')) AS pending,
        COUNT(*) FILTER (WHERE message_id IS NULL AND status = 'cancelled') AS cancelled,
        COUNT(*) FILTER (WHERE message_id IS NOT NULL AND status IN ('pending', 'retrying'))
            AS edits_pending,
        COUNT(*) FILTER (WHERE message_id IS NOT NULL AND status = 'failed') AS edits_failed,
        COUNT(*) FILTER (WHERE message_id IS NOT NULL AND delivered_revision = wanted_revision)
            AS up_to_date,
        COUNT(*) FILTER (WHERE crosspost = 'pending') AS crosspost_pending,
        COUNT(*) FILTER (WHERE crosspost = 'done') AS crosspost_done,
        COUNT(*) FILTER (WHERE crosspost = 'failed') AS crosspost_failed
    FROM production_deliveries
"""


def _counts(row: Row | None, update_id: int) -> DeliveryCounts:
    names = (
        "total",
        "delivered",
        "failed",
        "pending",
        "cancelled",
        "edits_pending",
        "edits_failed",
        "up_to_date",
        "crosspost_pending",
        "crosspost_done",
        "crosspost_failed",
    )
    values = {name: (0 if row is None else int(row[name])) for name in names}
    return DeliveryCounts(update_id=update_id, **values)


async def delivery_counts(db: Database, update_id: int) -> DeliveryCounts:
    row = await db.fetch_one(
        _COUNTS_SELECT + " WHERE update_id = ? GROUP BY update_id", (update_id,)
    )
    return _counts(row, update_id)


async def list_deliveries(db: Database, update_id: int) -> list[Delivery]:
    """Every server's result for one update."""
    rows = await db.fetch_all(
        "SELECT * FROM production_deliveries WHERE update_id = ? ORDER BY guild_id", (update_id,)
    )
    return [_delivery(row) for row in rows]


async def get_delivery(db: Database, key: DeliveryKey) -> Delivery | None:
    row = await db.fetch_one(
        "SELECT * FROM production_deliveries WHERE update_id = ? AND guild_id = ?",
        (key.update_id, key.guild_id),
    )
    return None if row is None else _delivery(row)


async def delivery_report(db: Database, update_id: int) -> DeliveryReport | None:
    """Counts plus every failure and its reason; None for an unknown update."""
    update = await get_update(db, update_id)
    if update is None:
        return None
    rows = await db.fetch_all(
        """
        SELECT guild_id, channel_id, last_error, last_error_code, message_id
        FROM production_deliveries
        WHERE update_id = ? AND status = 'failed'
        ORDER BY guild_id
        """,
        (update_id,),
    )
    failures = [
        DeliveryFailure(
            guild_id=r["guild_id"],
            channel_id=r["channel_id"],
            reason=r["last_error"] or "unknown error",
            code=r["last_error_code"],
            delivered=r["message_id"] is not None,
        )
        for r in rows
    ]
    return DeliveryReport(update, await delivery_counts(db, update_id), failures)


async def recent_updates(
    db: Database, limit: int = 10, *, include_retracted: bool = True
) -> list[UpdateSummary]:
    """Newest first, each with its delivery counts (the maintainers' list)."""
    rows = await db.fetch_all(
        """
        SELECT * FROM production_updates
        WHERE :all = 1 OR retracted_at IS NULL
        ORDER BY created_at DESC, update_id DESC LIMIT :limit
        """,
        {"all": include_retracted, "limit": limit},
    )
    updates = [_update(r) for r in rows]
    if not updates:
        return []
    placeholders = ",".join("?" * len(updates))
    count_rows = await db.fetch_all(
        _COUNTS_SELECT + f" WHERE update_id IN ({placeholders}) GROUP BY update_id",
        [u.update_id for u in updates],
    )
    by_id = {int(r["update_id"]): r for r in count_rows}
    return [UpdateSummary(u, _counts(by_id.get(u.update_id), u.update_id)) for u in updates]


async def latest_updates(db: Database, limit: int = 5) -> list[Update]:
    """What fans see in /updates: newest first, retracted ones left out."""
    rows = await db.fetch_all(
        """
        SELECT * FROM production_updates WHERE retracted_at IS NULL
        ORDER BY created_at DESC, update_id DESC LIMIT ?
        """,
        (limit,),
    )
    return [_update(r) for r in rows]


async def season_status_updates(db: Database) -> list[Update]:
    """Updates that move a season's status (not retracted), oldest first, for /renewal."""
    rows = await db.fetch_all(
        """
        SELECT * FROM production_updates
        WHERE season IS NOT NULL AND retracted_at IS NULL
        ORDER BY season, created_at, update_id
        """
    )
    return [_update(r) for r in rows]


# --------------------------------------------------------------------------- the worker's side


async def claim_due(
    db: Database, *, worker_id: str, now: float, lease: float, limit: int
) -> list[Delivery]:
    """Claim up to ``limit`` rows with work due now, for ``lease`` seconds.

    Due work is an open job (first send or edit) whose time has come, or a queued crosspost.
    A row claimed by someone else is skipped until that claim expires.
    """
    if limit <= 0:
        return []
    params: dict[str, object] = {"me": worker_id, "now": now, "until": now + lease}
    async with db.transaction() as conn:
        jobs = await _fetch_all(
            conn,
            """
            UPDATE production_deliveries SET claimed_by = :me, claim_expires_at = :until
            WHERE (update_id, guild_id) IN (
                SELECT update_id, guild_id FROM production_deliveries
                WHERE status IN ('pending', 'retrying') AND next_attempt_at <= :now
                  AND (claimed_by IS NULL OR claim_expires_at <= :now)
                ORDER BY next_attempt_at LIMIT :limit)
            RETURNING *
            """,
            {**params, "limit": limit},
        )
        remaining = limit - len(jobs)
        crossposts: list[Row] = []
        if remaining > 0:
            crossposts = await _fetch_all(
                conn,
                """
                UPDATE production_deliveries SET claimed_by = :me, claim_expires_at = :until
                WHERE (update_id, guild_id) IN (
                    SELECT update_id, guild_id FROM production_deliveries
                    WHERE crosspost = 'pending' AND crosspost_next_at <= :now
                      AND message_id IS NOT NULL
                      AND (claimed_by IS NULL OR claim_expires_at <= :now)
                    ORDER BY crosspost_next_at LIMIT :limit)
                RETURNING *
                """,
                {**params, "limit": remaining},
            )
    return [_delivery(r) for r in (*jobs, *crossposts)]


async def next_due_at(db: Database) -> float | None:
    """When the earliest unclaimed work becomes due (None: nothing queued)."""
    value = await db.fetch_value(
        """
        SELECT MIN(t) FROM (
            -- CASE, not SQLite's two-argument MAX (PostgreSQL spells it GREATEST)
            SELECT MIN(CASE WHEN next_attempt_at < COALESCE(claim_expires_at, 0)
                THEN COALESCE(claim_expires_at, 0) ELSE next_attempt_at END) AS t
            FROM production_deliveries WHERE status IN ('pending', 'retrying')
            UNION ALL
            SELECT MIN(CASE WHEN crosspost_next_at < COALESCE(claim_expires_at, 0)
                THEN COALESCE(claim_expires_at, 0) ELSE crosspost_next_at END)
            FROM production_deliveries WHERE crosspost = 'pending' AND message_id IS NOT NULL)
            AS due
        """
    )
    return None if value is None else float(value)


async def release_claim(db: Database, key: DeliveryKey, worker_id: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            """
            UPDATE production_deliveries SET claimed_by = NULL, claim_expires_at = NULL
            WHERE update_id = ? AND guild_id = ? AND claimed_by = ?
            """,
            (key.update_id, key.guild_id, worker_id),
        )


async def renew_claim(db: Database, key: DeliveryKey, worker_id: str, until: float) -> bool:
    """Extend our claim right before a request; False if the row is no longer ours.

    A row can wait in the send limiter longer than its lease; once the lease lapses another
    worker may take it, and then this one must not send it too."""
    async with db.transaction() as conn:
        return (
            await _changes(
                conn,
                """
                UPDATE production_deliveries SET claim_expires_at = ?
                WHERE update_id = ? AND guild_id = ? AND claimed_by = ?
                """,
                (until, key.update_id, key.guild_id, worker_id),
            )
            == 1
        )


async def release_claims(db: Database, worker_id: str) -> int:
    """Give back every row ``worker_id`` holds (graceful stop), so others need not wait."""
    async with db.transaction() as conn:
        return await _changes(
            conn,
            """
            UPDATE production_deliveries SET claimed_by = NULL, claim_expires_at = NULL
            WHERE claimed_by = ?
            """,
            (worker_id,),
        )


async def claim_holders(db: Database, *, now: float) -> dict[str, int]:
    """Who holds unexpired claims on queued work (sends, edits, crossposts), and on how many
    rows. Expired claims are left out: anyone may take those already."""
    rows = await db.fetch_all(
        """
        SELECT claimed_by, COUNT(*) AS n FROM (
            SELECT claimed_by, claim_expires_at FROM production_deliveries
            WHERE status IN ('pending', 'retrying')
            UNION ALL
            SELECT claimed_by, claim_expires_at FROM production_deliveries
            WHERE crosspost = 'pending' AND status NOT IN ('pending', 'retrying')) AS queued
        WHERE claimed_by IS NOT NULL AND claim_expires_at > ?
        GROUP BY claimed_by
        """,
        (now,),
    )
    return {str(r["claimed_by"]): int(r["n"]) for r in rows}


async def release_claims_of(db: Database, worker_ids: Sequence[str]) -> dict[str, int]:
    """Free every row held by ``worker_ids`` (workers whose process died) in one transaction;
    returns the rows freed per worker that held any."""
    freed: dict[str, int] = {}
    if not worker_ids:
        return freed
    async with db.transaction() as conn:
        for worker_id in worker_ids:
            count = await _changes(
                conn,
                """
                UPDATE production_deliveries SET claimed_by = NULL, claim_expires_at = NULL
                WHERE claimed_by = ?
                """,
                (worker_id,),
            )
            if count:
                freed[worker_id] = count
    return freed


async def record_sent(
    db: Database,
    key: DeliveryKey,
    *,
    worker_id: str,
    message_id: int,
    revision: int,
    ping_issue: str | None,
    now: float,
) -> bool:
    """The copy exists. Recorded even if our claim lapsed: a message id is a fact, never lost.

    If the update changed while the send was in flight, the row gets an edit job right away.
    """
    params = {
        "update_id": key.update_id,
        "guild_id": key.guild_id,
        "me": worker_id,
        "message_id": message_id,
        "revision": revision,
        "ping_issue": ping_issue,
        "now": now,
    }
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            UPDATE production_deliveries
            SET message_id = :message_id, delivered_revision = :revision, sent_at = :now,
                status = CASE WHEN wanted_revision > :revision THEN 'pending' ELSE 'sent' END,
                attempts = CASE WHEN wanted_revision > :revision THEN 0 ELSE attempts + 1 END,
                next_attempt_at = :now, last_error = NULL, last_error_code = NULL,
                ping_issue = :ping_issue,
                claimed_by = CASE WHEN claimed_by = :me THEN NULL ELSE claimed_by END,
                claim_expires_at = CASE WHEN claimed_by = :me THEN NULL ELSE claim_expires_at END,
                updated_at = :now
            WHERE update_id = :update_id AND guild_id = :guild_id
              AND (message_id IS NULL OR claimed_by = :me)
            RETURNING channel_id
            """,
            params,
        )
        if row is None:
            return False
        await conn.execute(
            """
            UPDATE guild_settings
            SET last_delivery_update_id = :update_id, last_delivery_status = 'sent',
                last_delivery_at = :now, last_delivery_error = NULL, ping_issue = :ping_issue
            WHERE guild_id = :guild_id AND channel_id = :channel_id
            """,
            {**params, "channel_id": row["channel_id"]},
        )
    return True


async def record_edited(
    db: Database, key: DeliveryKey, *, worker_id: str, revision: int, now: float
) -> bool:
    """The copy now shows ``revision``; a newer edit queued meanwhile keeps the job open."""
    async with db.transaction() as conn:
        changed = await _changes(
            conn,
            """
            UPDATE production_deliveries
            SET delivered_revision = CASE WHEN delivered_revision < :revision
                    THEN :revision ELSE delivered_revision END,
                status = CASE WHEN wanted_revision > :revision THEN 'pending' ELSE 'sent' END,
                attempts = CASE WHEN wanted_revision > :revision THEN 0 ELSE attempts + 1 END,
                next_attempt_at = :now, last_error = NULL, last_error_code = NULL,
                claimed_by = NULL, claim_expires_at = NULL, updated_at = :now
            WHERE update_id = :update_id AND guild_id = :guild_id AND claimed_by = :me
            """,
            {
                "update_id": key.update_id,
                "guild_id": key.guild_id,
                "me": worker_id,
                "revision": revision,
                "now": now,
            },
        )
    return changed > 0


async def record_retry(
    db: Database,
    key: DeliveryKey,
    *,
    worker_id: str,
    attempts: int,
    next_attempt_at: float,
    error: str,
    now: float,
) -> bool:
    """The job stays open; try again at ``next_attempt_at`` (``attempts`` made so far)."""
    async with db.transaction() as conn:
        changed = await _changes(
            conn,
            """
            UPDATE production_deliveries
            SET status = 'retrying', attempts = :attempts, next_attempt_at = :next_at,
                last_error = :error, last_error_code = NULL,
                claimed_by = NULL, claim_expires_at = NULL, updated_at = :now
            WHERE update_id = :update_id AND guild_id = :guild_id AND claimed_by = :me
              AND status IN ('pending', 'retrying')
            """,
            {
                "update_id": key.update_id,
                "guild_id": key.guild_id,
                "me": worker_id,
                "attempts": attempts,
                "next_at": next_attempt_at,
                "error": error,
                "now": now,
            },
        )
    return changed > 0


async def record_failed(
    db: Database,
    key: DeliveryKey,
    *,
    worker_id: str,
    attempts: int,
    code: int | None,
    error: str,
    attention: bool,
    now: float,
) -> bool:
    """The job failed for good. With ``attention`` the server's setup is broken: it is flagged,
    and every other open job for that channel fails with the same reason (no more requests that
    Discord would refuse and count against us).
    """
    params = {
        "update_id": key.update_id,
        "guild_id": key.guild_id,
        "me": worker_id,
        "attempts": attempts,
        "code": code,
        "error": error,
        "now": now,
    }
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            UPDATE production_deliveries
            SET status = 'failed', attempts = :attempts, last_error = :error,
                last_error_code = :code,
                crosspost = CASE WHEN message_id IS NULL AND crosspost = 'pending'
                                 THEN 'none' ELSE crosspost END,
                claimed_by = NULL, claim_expires_at = NULL, updated_at = :now
            WHERE update_id = :update_id AND guild_id = :guild_id AND claimed_by = :me
              AND status IN ('pending', 'retrying')
            RETURNING channel_id, message_id
            """,
            params,
        )
        if row is None:
            return False
        params["channel_id"] = row["channel_id"]
        if row["message_id"] is None:
            await conn.execute(
                """
                UPDATE guild_settings
                SET last_delivery_update_id = :update_id, last_delivery_status = 'failed',
                    last_delivery_at = :now, last_delivery_error = :error
                WHERE guild_id = :guild_id AND channel_id = :channel_id
                """,
                params,
            )
        if attention:
            # Only if the failing channel is still the configured one: an admin may have
            # fixed the setup since the update was published.
            await conn.execute(
                """
                UPDATE guild_settings
                SET attention_reason = :error, attention_code = :code,
                    attention_since = :now, attention_notified_at = NULL, updated_at = :now
                WHERE guild_id = :guild_id AND channel_id = :channel_id
                  AND attention_reason IS NULL
                """,
                params,
            )
            await conn.execute(
                """
                UPDATE production_deliveries
                SET status = 'failed', last_error = :error, last_error_code = :code,
                    crosspost = CASE WHEN message_id IS NULL AND crosspost = 'pending'
                                     THEN 'none' ELSE crosspost END,
                    updated_at = :now
                WHERE guild_id = :guild_id AND channel_id = :channel_id
                  AND status IN ('pending', 'retrying')
                  AND (claimed_by IS NULL OR claim_expires_at <= :now)
                """,
                params,
            )
    return True


async def record_crosspost(
    db: Database,
    key: DeliveryKey,
    *,
    worker_id: str,
    state: CrosspostState,
    attempts: int,
    next_at: float | None,
    error: str | None,
    now: float,
) -> bool:
    """Outcome of a publish attempt (pending: again at ``next_at``); releases the claim."""
    async with db.transaction() as conn:
        changed = await _changes(
            conn,
            """
            UPDATE production_deliveries
            SET crosspost = :state, crosspost_attempts = :attempts,
                crosspost_next_at = COALESCE(:next_at, crosspost_next_at),
                crossposted_at = CASE WHEN :state = 'done' THEN :now ELSE crossposted_at END,
                crosspost_error = :error, claimed_by = NULL, claim_expires_at = NULL,
                updated_at = :now
            WHERE update_id = :update_id AND guild_id = :guild_id AND claimed_by = :me
              AND crosspost = 'pending'
            """,
            {
                "update_id": key.update_id,
                "guild_id": key.guild_id,
                "me": worker_id,
                "state": state.value,
                "attempts": attempts,
                "next_at": next_at,
                "error": error,
                "now": now,
            },
        )
    return changed > 0


async def crossposts_in_window(
    db: Database, channel_id: int, since: float
) -> tuple[int, float | None]:
    """How many of our posts in ``channel_id`` were published after ``since``, and the oldest."""
    row = await db.fetch_one(
        """
        SELECT COUNT(*) AS n, MIN(crossposted_at) AS oldest FROM production_deliveries
        WHERE channel_id = ? AND crossposted_at > ?
        """,
        (channel_id, since),
    )
    if row is None:
        return 0, None
    return int(row["n"]), row["oldest"]
