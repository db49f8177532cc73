"""SQL of the writing flow: who reads which language, corrections and retractions that wait
for the maintainer's click, and the recent updates offered while typing an id.

Every outcome is decided in one transaction, so a second click, a click after Cancel or after
expiry, and a change made meanwhile by someone else are answered and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from bot.store.database import Database

from .models import (
    AlreadyPublished,
    Edited,
    EditResult,
    Language,
    PreviewCancelled,
    PreviewExpired,
    RetractResult,
    UnknownPreview,
    Update,
)
from .repo_previews import DEFAULT_PREVIEW_TTL
from .repo_rows import _fetch_one, _preview, _update
from .repo_updates import edit_in, retract_in

SUGGESTIONS_MAX: Final = 25  # Discord's limit of autocomplete choices


async def subscribers_by_language(db: Database) -> dict[Language, int]:
    """Servers a publish would reach right now, by the language they chose."""
    rows = await db.fetch_all(
        """
        SELECT language, COUNT(*) AS servers FROM guild_settings
        WHERE enabled = 1 AND attention_reason IS NULL GROUP BY language
        """
    )
    counts: dict[Language, int] = {"en": 0, "ko": 0}
    for row in rows:
        counts[row["language"]] = int(row["servers"])
    return counts


# --------------------------------------------------------------------------- corrections

CorrectionResult = (
    EditResult | AlreadyPublished | PreviewExpired | PreviewCancelled | UnknownPreview
)


async def publish_correction(
    db: Database, token: str, *, editor_id: int, now: float
) -> CorrectionResult:
    """Apply a previewed correction: every delivered copy gets an edit job.

    Refused (and nothing changed) when the update changed since the preview was made.
    """
    async with db.transaction() as conn:
        row = await _fetch_one(conn, "SELECT * FROM production_previews WHERE token = ?", (token,))
        if row is None or row["edit_of"] is None:
            return UnknownPreview()
        preview = _preview(row)
        if preview.state == "published" and preview.update_id is not None:
            return AlreadyPublished(preview.update_id)
        if preview.state == "cancelled":
            return PreviewCancelled()
        if now >= preview.expires_at:
            return PreviewExpired(preview.expires_at)
        assert preview.edit_of is not None
        result = await edit_in(
            conn,
            preview.edit_of,
            preview.draft,
            editor_id=editor_id,
            now=now,
            expected_revision=preview.edit_revision,
        )
        if isinstance(result, Edited):
            await conn.execute(
                """
                UPDATE production_previews SET state = 'published', update_id = ?
                WHERE token = ?
                """,
                (preview.edit_of, token),
            )
        else:  # stale (changed or retracted meanwhile): this preview can never apply
            await conn.execute(
                "UPDATE production_previews SET state = 'cancelled' WHERE token = ?", (token,)
            )
    return result


# --------------------------------------------------------------------------- retractions


@dataclass(frozen=True, slots=True)
class Retraction:
    """A retraction the maintainer still has to confirm."""

    token: str
    update_id: int
    revision: int
    author_id: int
    reason: str
    expires_at: float
    state: Literal["open", "confirmed", "cancelled"]


@dataclass(frozen=True, slots=True)
class RetractionClosed:
    """Confirmed or cancelled already, or expired: nothing changed now."""

    state: Literal["confirmed", "cancelled", "expired", "unknown"]
    update_id: int | None = None


@dataclass(frozen=True, slots=True)
class RetractionCancelled:
    update_id: int


ConfirmResult = RetractResult | RetractionClosed
CancelRetractionResult = RetractionCancelled | RetractionClosed


async def create_retraction(
    db: Database,
    *,
    token: str,
    update: Update,
    author_id: int,
    reason: str,
    now: float,
    ttl: float = DEFAULT_PREVIEW_TTL,
) -> Retraction:
    async with db.transaction() as conn:
        await conn.execute(
            """
            INSERT INTO production_retractions (token, update_id, revision, author_id, reason,
                created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            (token, update.update_id, update.revision, author_id, reason, now, now + ttl),
        )
    return Retraction(
        token, update.update_id, update.revision, author_id, reason, now + ttl, "open"
    )


async def confirm_retraction(
    db: Database, token: str, *, retracted_by: int, now: float
) -> ConfirmResult:
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn, "SELECT * FROM production_retractions WHERE token = ?", (token,)
        )
        if row is None:
            return RetractionClosed("unknown")
        if row["state"] != "open":
            return RetractionClosed(row["state"], row["update_id"])
        if now >= row["expires_at"]:
            return RetractionClosed("expired", row["update_id"])
        result = await retract_in(
            conn, row["update_id"], reason=row["reason"], retracted_by=retracted_by, now=now
        )
        await conn.execute(
            "UPDATE production_retractions SET state = 'confirmed' WHERE token = ?", (token,)
        )
    return result


async def cancel_retraction(db: Database, token: str) -> CancelRetractionResult:
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn, "SELECT * FROM production_retractions WHERE token = ?", (token,)
        )
        if row is None:
            return RetractionClosed("unknown")
        if row["state"] != "open":
            return RetractionClosed(row["state"], row["update_id"])
        await conn.execute(
            "UPDATE production_retractions SET state = 'cancelled' WHERE token = ?", (token,)
        )
    return RetractionCancelled(row["update_id"])


async def purge_retractions(db: Database, now: float) -> int:
    """Forget unconfirmed retractions that expired (confirmed ones are on the update)."""
    async with (
        db.transaction() as conn,
        conn.execute("DELETE FROM production_retractions WHERE expires_at <= ?", (now,)) as cursor,
    ):
        return cursor.rowcount


# --------------------------------------------------------------------------- id suggestions


def _like(typed: str) -> str:
    escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def find_updates(db: Database, typed: str, limit: int = SUGGESTIONS_MAX) -> list[Update]:
    """Recent updates, newest first, whose number starts with or title contains ``typed``."""
    typed = typed.strip().lstrip("#")
    rows = await db.fetch_all(
        """
        SELECT * FROM production_updates
        WHERE :typed = ''
           OR CAST(update_id AS TEXT) LIKE :prefix ESCAPE '\\'
           -- LOWER: SQLite's LIKE ignores ASCII case, PostgreSQL's does not
           OR LOWER(title_en) LIKE LOWER(:like) ESCAPE '\\'
           OR LOWER(title_ko) LIKE LOWER(:like) ESCAPE '\\'
        ORDER BY created_at DESC, update_id DESC LIMIT :limit
        """,
        {
            "typed": typed,
            "prefix": _like(typed)[1:],
            "like": _like(typed),
            "limit": limit,
        },
    )
    return [_update(r) for r in rows]
