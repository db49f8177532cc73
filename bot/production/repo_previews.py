"""SQL for previews (``production_previews``): a draft waiting for Publish or Cancel, and
Publish itself (which writes the update through ``repo_updates.publish_draft``)."""

from __future__ import annotations

from typing import Final

from bot.store.database import Database

from .models import (
    AlreadyPublished,
    Cancelled,
    CancelResult,
    LanguageChoice,
    LanguageChoiceNeeded,
    Preview,
    PreviewCancelled,
    PreviewExpired,
    PublishResult,
    UnknownPreview,
    Update,
    UpdateDraft,
)
from .repo_rows import (
    _changes,
    _draft_params,
    _fetch_one,
    _preview,
)
from .repo_updates import publish_draft

DEFAULT_PREVIEW_TTL: Final = 15 * 60.0  # as long as the interaction token behind the buttons


async def create_preview(
    db: Database,
    *,
    token: str,
    author_id: int,
    draft: UpdateDraft,
    now: float,
    ttl: float = DEFAULT_PREVIEW_TTL,
    edit_of: Update | None = None,
) -> Preview:
    """Store a validated draft under ``token`` until Publish, Cancel or expiry.

    With ``edit_of`` it is a correction of that update (at the revision the editor saw).
    """
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn,
            """
            INSERT INTO production_previews (token, author_id, title_en, title_ko, body_en,
                body_ko, source_url, confidence, season, season_status, created_at, expires_at,
                topic, edit_of, edit_revision)
            VALUES (:token, :author_id, :title_en, :title_ko, :body_en, :body_ko, :source_url,
                    :confidence, :season, :season_status, :now, :expires_at,
                    COALESCE(:topic, (SELECT id FROM topics ORDER BY position LIMIT 1)),
                    :edit_of, :edit_revision)
            RETURNING *
            """,
            {
                "token": token,
                "author_id": author_id,
                "now": now,
                "expires_at": now + ttl,
                "edit_of": None if edit_of is None else edit_of.update_id,
                "edit_revision": None if edit_of is None else edit_of.revision,
                **_draft_params(draft),
            },
        )
    assert row is not None
    return _preview(row)


async def get_preview(db: Database, token: str) -> Preview | None:
    row = await db.fetch_one("SELECT * FROM production_previews WHERE token = ?", (token,))
    return None if row is None else _preview(row)


async def publish_preview(
    db: Database, token: str, now: float, choice: LanguageChoice | None = None
) -> PublishResult:
    """Turn a preview into an update and queue one delivery per subscribed server, atomically.

    Nothing is sent here: the worker picks the rows up. A second Publish of the same preview,
    Publish after Cancel or after expiry, and an unknown token are answered and change nothing.
    A post lacking the language of some subscribed servers is published only with the
    maintainer's ``choice`` (given now or stored on the preview): those servers get the other
    language ('fallback') or no delivery row at all ('skip'); without one nothing happens and
    the answer says how many servers wait for it.
    """
    async with db.transaction() as conn:
        row = await _fetch_one(conn, "SELECT * FROM production_previews WHERE token = ?", (token,))
        if row is None:
            return UnknownPreview()
        preview = _preview(row)
        if preview.edit_of is not None:
            return UnknownPreview()  # a correction: published by repo_writing.publish_correction
        if preview.state == "published" and preview.update_id is not None:
            return AlreadyPublished(preview.update_id)
        if preview.state == "cancelled":
            return PreviewCancelled()
        if now >= preview.expires_at:
            return PreviewExpired(preview.expires_at)
        published = await publish_draft(
            conn,
            token=token,
            author_id=preview.author_id,
            draft=preview.draft,
            now=now,
            choice=choice or preview.language_choice,
        )
        if isinstance(published, LanguageChoiceNeeded):
            return published
        await conn.execute(
            """
            UPDATE production_previews SET state = 'published', update_id = ?, language_choice = ?
            WHERE token = ?
            """,
            (published.update.update_id, published.update.language_choice, token),
        )
    return published


async def cancel_preview(db: Database, token: str, now: float) -> CancelResult:
    async with db.transaction() as conn:
        row = await _fetch_one(
            conn, "SELECT state, update_id FROM production_previews WHERE token = ?", (token,)
        )
        if row is None:
            return UnknownPreview()
        if row["state"] == "published":
            return AlreadyPublished(row["update_id"])
        if row["state"] == "cancelled":
            return PreviewCancelled()
        await conn.execute(
            "UPDATE production_previews SET state = 'cancelled' WHERE token = ?", (token,)
        )
    return Cancelled()


async def purge_previews(db: Database, now: float) -> int:
    """Delete open or cancelled previews that expired (published ones stay, they name updates)."""
    async with db.transaction() as conn:
        return await _changes(
            conn,
            "DELETE FROM production_previews WHERE state <> 'published' AND expires_at <= ?",
            (now,),
        )
