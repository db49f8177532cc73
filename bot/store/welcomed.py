"""The ``welcomed_guilds`` table: which join of which server was greeted (see 0005_welcome.sql)."""

from __future__ import annotations

import datetime as dt

from bot.store.database import Database


async def claim_welcome(db: Database, guild_id: int, joined_at: str, now: dt.datetime) -> bool:
    """True the first time for this join of ``guild_id``; False if it was greeted already."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT joined_at FROM welcomed_guilds WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None and str(row[0]) == joined_at:
            return False
        await conn.execute(
            "INSERT INTO welcomed_guilds (guild_id, joined_at, welcomed_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET joined_at = excluded.joined_at, "
            "welcomed_at = excluded.welcomed_at",
            (guild_id, joined_at, now.isoformat()),
        )
    return True
