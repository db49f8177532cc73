"""SQL for server subscriptions (``guild_settings``): channel, ping role, language, switching
off, leaving, and the 'needs attention' notice."""

from __future__ import annotations

from typing import Final

from bot.store.database import Database, Row

from .models import (
    ChannelKind,
    GuildSettings,
    Language,
)
from .repo_rows import (
    _changes,
    _fetch_one,
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
