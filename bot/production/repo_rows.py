"""What the production tables' rows become (updates, previews, outbox rows and their key),
and the small query helpers every ``repo_*`` module shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from bot.store.database import Connection, Row

from .models import (
    CrosspostState,
    Delivery,
    DeliveryStatus,
    LocalizedText,
    Preview,
    Update,
    UpdateDraft,
)


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    update_id: int
    guild_id: int

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryKey:
        return cls(delivery.update_id, delivery.guild_id)


def _draft(row: Row) -> UpdateDraft:
    return UpdateDraft(
        title=LocalizedText(row["title_en"], row["title_ko"]),
        body=LocalizedText(row["body_en"], row["body_ko"]),
        confidence=row["confidence"],
        source_url=row["source_url"],
        season=row["season"],
        season_status=row["season_status"],
        topic=row["topic"],
    )


def _update(row: Row) -> Update:
    return Update(
        update_id=row["update_id"],
        preview_token=row["preview_token"],
        author_id=row["author_id"],
        draft=_draft(row),
        created_at=row["created_at"],
        revision=row["revision"],
        edited_at=row["edited_at"],
        edited_by=row["edited_by"],
        retracted_at=row["retracted_at"],
        retracted_by=row["retracted_by"],
        retract_reason=row["retract_reason"],
        language_choice=row["language_choice"],
        missing_language=row["missing_language"],
        choice_servers=row["choice_servers"],
    )


def _preview(row: Row) -> Preview:
    return Preview(
        token=row["token"],
        author_id=row["author_id"],
        draft=_draft(row),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        state=row["state"],
        update_id=row["update_id"],
        language_choice=row["language_choice"],
        edit_of=row["edit_of"],
        edit_revision=row["edit_revision"],
    )


def _delivery(row: Row) -> Delivery:
    return Delivery(
        update_id=row["update_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        channel_kind=row["channel_kind"],
        role_id=row["role_id"],
        language=row["language"],
        status=DeliveryStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        nonce=row["nonce"],
        wanted_revision=row["wanted_revision"],
        crosspost=CrosspostState(row["crosspost"]),
        crosspost_attempts=row["crosspost_attempts"],
        crosspost_next_at=row["crosspost_next_at"],
        claimed_by=row["claimed_by"],
        claim_expires_at=row["claim_expires_at"],
        message_id=row["message_id"],
        delivered_revision=row["delivered_revision"],
        last_error=row["last_error"],
        last_error_code=row["last_error_code"],
        sent_at=row["sent_at"],
        ping_issue=row["ping_issue"],
        crossposted_at=row["crossposted_at"],
        crosspost_error=row["crosspost_error"],
        send_attempted_at=row["send_attempted_at"],
    )


def _draft_params(draft: UpdateDraft) -> dict[str, Any]:
    return {
        "title_en": draft.title.en,
        "title_ko": draft.title.ko,
        "body_en": draft.body.en,
        "body_ko": draft.body.ko,
        "source_url": draft.source_url,
        "confidence": draft.confidence,
        "season": draft.season,
        "season_status": draft.season_status,
        "topic": draft.topic,
    }


async def _fetch_one(conn: Connection, sql: str, params: Any) -> Row | None:
    async with conn.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def _fetch_all(conn: Connection, sql: str, params: Any) -> list[Row]:
    return cast(list[Row], list(await conn.execute_fetchall(sql, params)))


async def _changes(conn: Connection, sql: str, params: Any) -> int:
    async with conn.execute(sql, params) as cursor:
        return cursor.rowcount
