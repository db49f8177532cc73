"""Waking the sender when work is queued, wherever the publish happened.

Every write that queues outbox rows (a publish, an edit, a retraction, a retry, a scheduled
post) calls :func:`outbox_queued` in its transaction; on PostgreSQL that is a ``NOTIFY`` on
:data:`OUTBOX_CHANNEL`, delivered on commit to the sender in whichever process (or machine)
holds the sender lease, which listens through :func:`outbox_listener` and looks at the
outbox at once instead of at its next poll. On SQLite both do nothing: the process that
published wakes its own worker, and the poll finds work published by another process.
"""

from __future__ import annotations

from typing import Final

from bot.store.database import Connection, Database
from bot.store.notify import WakeSource, listener, notify

OUTBOX_CHANNEL: Final = "golden_hour_outbox"


async def outbox_queued(conn: Connection, update_id: int) -> None:
    """Rows of ``update_id`` were queued in this transaction: wake the sender on commit."""
    await notify(conn, OUTBOX_CHANNEL, str(update_id))


def outbox_listener(db: Database) -> WakeSource:
    """What wakes the delivery worker when another process queues work."""
    return listener(db, OUTBOX_CHANNEL)
