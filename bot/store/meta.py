"""The ``meta`` key/value table: small bits of state such as the seeded pack's hash or the
last synced command-tree hash. Values are text; callers encode anything else."""

from __future__ import annotations

from bot.store.database import Connection, Database

_UPSERT = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?"


async def write_meta(conn: Connection, key: str, value: str) -> None:
    """Set ``key`` inside a transaction the caller already holds (see ``Database.transaction``)."""
    await conn.execute(_UPSERT, (key, value, value))


class MetaTable:
    """``get``/``set``/``delete`` on the meta table, each ``set``/``delete`` its own transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        value = await self._db.fetch_value("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        async with self._db.transaction() as conn:
            await write_meta(conn, key, value)

    async def delete(self, key: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM meta WHERE key = ?", (key,))
