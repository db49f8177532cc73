"""SQL for running several bot processes on one database: the sender lease and the shared
IDENTIFY slots.

The lease is one row (``name = 'sender'``): who sends fan-out, until when. Taking and renewing
it is one ``BEGIN IMMEDIATE`` transaction (``db.transaction()``), so two processes can never
both come out of it as the holder. Same rules as the other ``repo_*`` modules: placeholders
only, times passed in (wall-clock Unix seconds, which every process on one machine shares).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from bot.store.database import Database

SENDER: Final = "sender"


@dataclass(frozen=True, slots=True)
class Lease:
    """The lease as one call left it. ``ours``: the caller holds it until ``expires_at``;
    ``taken_from``: the holder it was taken from just now (expired or dead), if any, whose
    lease ran until ``taken_until``."""

    holder: str
    expires_at: float
    term: int
    ours: bool
    taken_from: str | None = None
    taken_until: float | None = None


async def take_or_renew(
    db: Database,
    holder: str,
    *,
    now: float,
    ttl: float,
    is_dead: Callable[[str], bool] = lambda _holder: False,
    name: str = SENDER,
) -> Lease:
    """Renew the lease if ``holder`` has it; take it if it is free, expired, or held by a
    process ``is_dead`` says is gone; otherwise leave it and say who has it."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT holder, expires_at, term FROM sender_lease WHERE name = ?", (name,)
        ) as cursor:
            row = await cursor.fetchone()
        until = now + ttl
        if row is None:
            await conn.execute(
                """INSERT INTO sender_lease (name, holder, acquired_at, expires_at, term)
                   VALUES (?, ?, ?, ?, 1)""",
                (name, holder, now, until),
            )
            return Lease(holder, until, 1, ours=True)
        current, expires_at, term = str(row[0]), float(row[1]), int(row[2])
        if current == holder:
            await conn.execute(
                "UPDATE sender_lease SET expires_at = ? WHERE name = ? AND holder = ?",
                (until, name, holder),
            )
            return Lease(holder, until, term, ours=True)
        if expires_at > now and not is_dead(current):
            return Lease(current, expires_at, term, ours=False)
        await conn.execute(
            """UPDATE sender_lease SET holder = ?, acquired_at = ?, expires_at = ?, term = ?
               WHERE name = ?""",
            (holder, now, until, term + 1, name),
        )
        return Lease(holder, until, term + 1, ours=True, taken_from=current, taken_until=expires_at)


async def release(db: Database, holder: str, *, name: str = SENDER) -> bool:
    """Give the lease up (clean shutdown), so another process need not wait for it to expire.
    False if ``holder`` did not have it."""
    async with (
        db.transaction() as conn,
        conn.execute(
            "DELETE FROM sender_lease WHERE name = ? AND holder = ?", (name, holder)
        ) as cursor,
    ):
        return cursor.rowcount > 0


async def current(db: Database, *, name: str = SENDER) -> Lease | None:
    """Who holds the lease (possibly expired), as last written; None if nobody ever took it."""
    row = await db.fetch_one(
        "SELECT holder, expires_at, term FROM sender_lease WHERE name = ?", (name,)
    )
    if row is None:
        return None
    return Lease(str(row[0]), float(row[1]), int(row[2]), ours=False)


async def reserve_identify(db: Database, bucket: int, *, now: float, interval: float) -> float:
    """Book the next IDENTIFY slot of ``bucket`` for the caller, whichever process it is:
    ``interval`` seconds after the last one booked, or ``now``. Returns the slot's time."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT started_at FROM identify_slots WHERE bucket = ?", (bucket,)
        ) as cursor:
            row = await cursor.fetchone()
        slot = now if row is None else max(now, float(row[0]) + interval)
        await conn.execute(
            """INSERT INTO identify_slots (bucket, started_at) VALUES (?, ?)
               ON CONFLICT (bucket) DO UPDATE SET started_at = excluded.started_at""",
            (bucket, slot),
        )
    return slot
