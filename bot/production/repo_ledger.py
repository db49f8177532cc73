"""Read-only SQL over updates and their outbox rows: delivery counts and reports per update,
and the update lists (the maintainers' list, /updates, /renewal)."""

from __future__ import annotations

from typing import Final

from bot.store.database import Database, Row

from .models import (
    Delivery,
    DeliveryCounts,
    DeliveryFailure,
    DeliveryReport,
    Update,
    UpdateSummary,
)
from .repo_rows import (
    DeliveryKey,
    _delivery,
    _update,
)
from .repo_updates import get_update

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
