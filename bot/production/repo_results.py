"""SQL for what the worker records after a request: a copy sent or edited, a retry, a failure
(which may flag the server), a crosspost's outcome, and the crosspost rate window."""

from __future__ import annotations

from bot.store.database import Database

from .models import (
    CrosspostState,
)
from .repo_rows import (
    DeliveryKey,
    _changes,
    _fetch_one,
)


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
