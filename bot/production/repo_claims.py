"""SQL for the worker's claims on outbox rows (``production_deliveries``): taking due work,
renewing and releasing claims, and freeing those of a dead process.

Claims are taken with ``UPDATE … RETURNING``: two workers never hold the same row, and a claim
whose lease ran out (its worker died) can be taken again; the worker frees the claims of a
process it can prove dead sooner (``claim_holders`` / ``release_claims_of``).

On SQLite a claim is one write transaction like any other (there is one writer at a time). On
PostgreSQL it does not take the store-wide write lock: it locks the candidate rows themselves
with ``FOR UPDATE SKIP LOCKED``, so claimers in several processes never wait for each other (or
for a publish in progress) and never get the same row — a row another transaction has locked
is skipped, and one it has just claimed fails the claimable check when PostgreSQL re-reads it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.database import Database, Row

from .models import (
    Delivery,
)
from .repo_rows import (
    DeliveryKey,
    _changes,
    _delivery,
    _fetch_all,
)

# Which rows are due: an open job (first send or edit) whose time has come, or a queued
# crosspost; a row claimed by someone else only once that claim has expired.
_DUE_JOBS = """
    SELECT update_id, guild_id FROM production_deliveries
    WHERE status IN ('pending', 'retrying') AND next_attempt_at <= :now
      AND (claimed_by IS NULL OR claim_expires_at <= :now)
    ORDER BY next_attempt_at LIMIT :limit"""
_DUE_CROSSPOSTS = """
    SELECT update_id, guild_id FROM production_deliveries
    WHERE crosspost = 'pending' AND crosspost_next_at <= :now
      AND message_id IS NOT NULL
      AND (claimed_by IS NULL OR claim_expires_at <= :now)
    ORDER BY crosspost_next_at LIMIT :limit"""
# SQLite: the claim runs under the one write lock.
_CLAIM_SQLITE = """
    UPDATE production_deliveries SET claimed_by = :me, claim_expires_at = :until
    WHERE (update_id, guild_id) IN ({due})
    RETURNING *
"""
# PostgreSQL: lock the chosen rows, skipping those another transaction holds (a claimer in
# another process, a publish or a result being written), then claim exactly those. A CTE
# with a locking clause runs once, so the LIMIT holds.
_CLAIM_POSTGRESQL = """
    WITH due AS ({due}
        FOR UPDATE SKIP LOCKED)
    UPDATE production_deliveries SET claimed_by = :me, claim_expires_at = :until
    WHERE (update_id, guild_id) IN (SELECT update_id, guild_id FROM due)
    RETURNING *
"""
# (jobs, crossposts) for each engine
_CLAIMS = {
    dialect: (claim.format(due=_DUE_JOBS), claim.format(due=_DUE_CROSSPOSTS))
    for dialect, claim in (("sqlite", _CLAIM_SQLITE), ("postgresql", _CLAIM_POSTGRESQL))
}


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
    # exclusive=False matters on PostgreSQL only (SQLite has one writer anyway).
    async with db.transaction(exclusive=False) as conn:
        claim_jobs, claim_crossposts = _CLAIMS[conn.dialect]
        jobs = await _fetch_all(conn, claim_jobs, {**params, "limit": limit})
        remaining = limit - len(jobs)
        crossposts: list[Row] = []
        if remaining > 0:
            crossposts = await _fetch_all(conn, claim_crossposts, {**params, "limit": remaining})
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
