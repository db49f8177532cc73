"""SQL for topic ping roles: each server's mapping of topics to roles (``guild_topic_roles``).

Same rules as the other ``repo_*`` modules: writes in ``db.transaction()``, placeholders only,
times passed in. Which role an update pings is decided at publish
(``repo_updates.publish_draft``) from these rows and copied into its delivery row.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.store.database import Database

from .repo_rows import _changes, _fetch_one
from .topics import TopicMode, TopicRoles


async def get_topic_roles(db: Database, guild_id: int) -> TopicRoles | None:
    """The server's mapping, or None when it never ran /setup announcements."""
    async with db.snapshot() as conn:
        row = await _fetch_one(
            conn, "SELECT topic_roles, role_id FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return None
        rows = await conn.execute_fetchall(
            "SELECT topic, role_id FROM guild_topic_roles WHERE guild_id = ?", (guild_id,)
        )
    per_topic = {str(r[0]): int(r[1]) for r in rows}
    return TopicRoles(mode=row["topic_roles"], role_id=row["role_id"], per_topic=per_topic)


async def set_topic_mode(db: Database, guild_id: int, mode: TopicMode, now: float) -> bool:
    """Ping one role for every topic, or each topic its own; False when not set up."""
    async with db.transaction() as conn:
        changed = await _changes(
            conn,
            "UPDATE guild_settings SET topic_roles = ?, updated_at = ? WHERE guild_id = ?",
            (mode, now, guild_id),
        )
    return changed > 0


async def set_topic_roles(
    db: Database,
    guild_id: int,
    roles: Mapping[str, int],
    now: float,
    *,
    created_by_bot: bool = False,
) -> bool:
    """Map each topic in ``roles`` to its role and switch the server to one role per topic.

    Other topics keep their mapping. False (nothing written) when the server is not set up.
    """
    async with db.transaction() as conn:
        changed = await _changes(
            conn,
            "UPDATE guild_settings SET topic_roles = 'each', updated_at = ? WHERE guild_id = ?",
            (now, guild_id),
        )
        if not changed:
            return False
        await conn.executemany(
            """
            INSERT INTO guild_topic_roles (guild_id, topic, role_id, created_by_bot, updated_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (guild_id, topic) DO UPDATE SET
                role_id = excluded.role_id,
                created_by_bot = excluded.created_by_bot,
                updated_at = excluded.updated_at
            """,
            [
                (guild_id, topic, role_id, int(created_by_bot), now)
                for topic, role_id in roles.items()
            ],
        )
    return True
