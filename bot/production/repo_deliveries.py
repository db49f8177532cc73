"""SQL for the outbox beyond the basic claim/record cycle in ``repo_claims`` and
``repo_results``: noting send attempts, cancelling a row the worker holds, and re-queueing
failed copies for a maintainer.

Same rules as the other ``repo_*`` modules: writes in ``db.transaction()``, placeholders only,
times passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import Database

from .outbox_wake import outbox_queued
from .repo_rows import DeliveryKey, _changes, _fetch_one


@dataclass(frozen=True, slots=True)
class Requeued:
    """What ``/production retry`` queued again, and what it left alone."""

    sends: int  # copies never delivered: a fresh send (after looking for an earlier one)
    edits: int  # delivered copies whose edit or retraction notice failed
    skipped: int  # servers that need attention or switched updates off: they would fail again


async def renew_claim_for_send(
    db: Database, key: DeliveryKey, worker_id: str, until: float, *, now: float
) -> bool:
    """Like ``repo_claims.renew_claim``, and note that a send is about to go out (the first
    attempt's time is kept: Discord de-duplicates the nonce from the first post on)."""
    async with db.transaction() as conn:
        return (
            await _changes(
                conn,
                """
                UPDATE production_deliveries
                SET claim_expires_at = :until,
                    send_attempted_at = COALESCE(send_attempted_at, :now)
                WHERE update_id = :update_id AND guild_id = :guild_id AND claimed_by = :me
                """,
                {
                    "until": until,
                    "now": now,
                    "update_id": key.update_id,
                    "guild_id": key.guild_id,
                    "me": worker_id,
                },
            )
            == 1
        )


async def record_cancelled(
    db: Database, key: DeliveryKey, *, worker_id: str, reason: str, now: float
) -> bool:
    """The copy will never be sent (retracted, and no earlier attempt left one behind)."""
    async with db.transaction() as conn:
        changed = await _changes(
            conn,
            """
            UPDATE production_deliveries
            SET status = 'cancelled', last_error = :reason, last_error_code = NULL,
                crosspost = CASE crosspost WHEN 'pending' THEN 'none' ELSE crosspost END,
                claimed_by = NULL, claim_expires_at = NULL, updated_at = :now
            WHERE update_id = :update_id AND guild_id = :guild_id AND claimed_by = :me
              AND message_id IS NULL AND status IN ('pending', 'retrying')
            """,
            {
                "update_id": key.update_id,
                "guild_id": key.guild_id,
                "me": worker_id,
                "reason": reason,
                "now": now,
            },
        )
    return changed > 0


async def requeue_failed(db: Database, update_id: int, *, now: float) -> Requeued:
    """Give every failed copy of an update fresh attempts (``/production retry``).

    A failed send goes out again, unless the update was retracted: then only a copy an
    earlier attempt may have left is looked for (to retract it). A failed edit is tried
    again. Servers that need attention, and sends to servers that switched updates off, are
    skipped: they would fail the same way. The worker looks for an earlier copy before any
    send whose first attempt is older than the nonce window, so a retry never posts twice.
    """
    async with db.transaction() as conn:
        update = await _fetch_one(
            conn, "SELECT retracted_at FROM production_updates WHERE update_id = ?", (update_id,)
        )
        retracted = update is not None and update["retracted_at"] is not None
        params = {"update_id": update_id, "now": now, "retracted": retracted}
        skipped_row = await _fetch_one(
            conn,
            """
            SELECT COUNT(*) FROM production_deliveries AS d
            JOIN guild_settings AS g USING (guild_id)
            WHERE d.update_id = :update_id AND d.status = 'failed'
              AND (g.attention_reason IS NOT NULL OR (d.message_id IS NULL AND g.enabled = 0))
            """,
            params,
        )
        sends = await _changes(
            conn,
            """
            UPDATE production_deliveries
            SET status = 'pending', attempts = 0, next_attempt_at = :now,
                last_error = NULL, last_error_code = NULL,
                crosspost = CASE WHEN channel_kind = 'announcement' AND :retracted = 0
                                 THEN 'pending' ELSE crosspost END,
                crosspost_attempts = CASE WHEN channel_kind = 'announcement' AND :retracted = 0
                                          THEN 0 ELSE crosspost_attempts END,
                crosspost_next_at = CASE WHEN channel_kind = 'announcement' AND :retracted = 0
                                         THEN :now ELSE crosspost_next_at END,
                updated_at = :now
            WHERE update_id = :update_id AND status = 'failed' AND message_id IS NULL
              AND (:retracted = 0 OR send_attempted_at IS NOT NULL)
              AND guild_id IN (
                  SELECT guild_id FROM guild_settings
                  WHERE enabled = 1 AND attention_reason IS NULL)
            """,
            params,
        )
        edits = await _changes(
            conn,
            """
            UPDATE production_deliveries
            SET status = 'pending', attempts = 0, next_attempt_at = :now,
                last_error = NULL, last_error_code = NULL, updated_at = :now
            WHERE update_id = :update_id AND status = 'failed' AND message_id IS NOT NULL
              AND guild_id NOT IN (
                  SELECT guild_id FROM guild_settings WHERE attention_reason IS NOT NULL)
            """,
            params,
        )
        if sends or edits:
            await outbox_queued(conn, update_id)
    skipped = 0 if skipped_row is None else int(skipped_row[0])
    return Requeued(sends=sends, edits=edits, skipped=skipped)
