"""Plain data for production updates and their delivery ledger (no Discord, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from bot.datapack.models import Confidence, SeasonStatus
from bot.production.topics import TopicMode

Language = Literal["en", "ko"]
ChannelKind = Literal["text", "announcement"]
# What servers whose language a post lacks get: the post in the other language, or nothing.
LanguageChoice = Literal["fallback", "skip"]


class DeliveryStatus(StrEnum):
    """State of the current job on a delivery row (first send, or an edit once a copy exists)."""

    PENDING = "pending"
    RETRYING = "retrying"  # the last attempt failed transiently; next_attempt_at says when again
    SENT = "sent"  # the copy exists and is up to date with the wanted revision
    FAILED = "failed"  # permanent failure (or retries exhausted); last_error says why
    CANCELLED = "cancelled"  # retracted, or the server switched updates off, before it was sent


OPEN_STATUSES: frozenset[DeliveryStatus] = frozenset(
    {DeliveryStatus.PENDING, DeliveryStatus.RETRYING}
)


class CrosspostState(StrEnum):
    NONE = "none"  # not an Announcement channel
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """English is required; Korean is optional and falls back to English."""

    en: str
    ko: str | None = None

    def pick(self, language: Language) -> str:
        if language == "ko" and self.ko:
            return self.ko
        return self.en


@dataclass(frozen=True, slots=True)
class UpdateDraft:
    """What a maintainer writes; validated by ``compose.validate_draft`` before preview."""

    title: LocalizedText
    body: LocalizedText
    confidence: Confidence
    source_url: str | None = None
    season: int | None = None
    season_status: SeasonStatus | None = None  # with ``season``: appends to the renewal timeline
    # The pack topic id it is about; None: the pack's first topic once stored (an update from
    # before topics stays None). Decides which role each server pings.
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    token: str
    author_id: int
    draft: UpdateDraft
    created_at: float
    expires_at: float
    state: Literal["open", "published", "cancelled"]
    update_id: int | None
    language_choice: LanguageChoice | None = None
    edit_of: int | None = None  # a correction of this update (published: edits it)
    edit_revision: int | None = None  # the revision the editor saw


@dataclass(frozen=True, slots=True)
class Update:
    update_id: int
    preview_token: str
    author_id: int
    draft: UpdateDraft
    created_at: float
    revision: int
    edited_at: float | None = None
    edited_by: int | None = None
    retracted_at: float | None = None
    retracted_by: int | None = None
    retract_reason: str | None = None
    language_choice: LanguageChoice | None = None
    missing_language: Language | None = None  # the language the post lacked when published
    choice_servers: int = 0  # servers of that language: sent the other one, or skipped

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    channel_id: int
    channel_kind: ChannelKind
    role_id: int | None
    language: Language
    enabled: bool
    topic_roles: TopicMode = "one"  # one role for every topic, or each topic its own
    attention_reason: str | None = None
    attention_code: int | None = None
    attention_since: float | None = None
    attention_notified_at: float | None = None
    ping_issue: str | None = None
    last_delivery_update_id: int | None = None
    last_delivery_status: Literal["sent", "failed"] | None = None
    last_delivery_at: float | None = None
    last_delivery_error: str | None = None

    @property
    def needs_attention(self) -> bool:
        return self.attention_reason is not None


@dataclass(frozen=True, slots=True)
class Delivery:
    update_id: int
    guild_id: int
    channel_id: int
    channel_kind: ChannelKind
    role_id: int | None
    language: Language
    status: DeliveryStatus
    attempts: int
    next_attempt_at: float
    nonce: str
    wanted_revision: int
    crosspost: CrosspostState
    crosspost_attempts: int = 0
    crosspost_next_at: float | None = None
    claimed_by: str | None = None
    claim_expires_at: float | None = None
    message_id: int | None = None
    delivered_revision: int | None = None
    last_error: str | None = None
    last_error_code: int | None = None
    sent_at: float | None = None
    ping_issue: str | None = None
    crossposted_at: float | None = None
    crosspost_error: str | None = None
    # When the first send went out (None: never tried, so no copy can exist unrecorded).
    send_attempted_at: float | None = None

    @property
    def is_delivered(self) -> bool:
        """A copy exists in the server (it is never sent again)."""
        return self.message_id is not None

    @property
    def job_is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """Progress of one update: 'Delivered 430 / 1,000 · 3 failed'."""

    update_id: int
    total: int
    delivered: int  # a copy exists
    failed: int  # never delivered: permanent failure or retries exhausted
    pending: int  # first send still to come (pending or retrying)
    cancelled: int  # retracted or switched off before it was sent
    edits_pending: int  # copies waiting for an edit (correction or retraction)
    edits_failed: int  # copies whose last edit failed for good
    up_to_date: int  # copies showing the current revision
    crosspost_pending: int
    crosspost_done: int
    crosspost_failed: int

    @property
    def outstanding(self) -> int:
        """Work the worker still has to do for this update."""
        return self.pending + self.edits_pending + self.crosspost_pending

    @property
    def finished(self) -> bool:
        return self.outstanding == 0

    def summary(self) -> str:
        """Plain English for logs and the bench; the cogs render their own localized line."""
        return f"Delivered {self.delivered:,} / {self.total:,} · {self.failed:,} failed"


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    guild_id: int
    channel_id: int
    reason: str
    code: int | None
    delivered: bool  # True: the copy exists but its last edit failed


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    update: Update
    counts: DeliveryCounts
    failures: list[DeliveryFailure] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class UpdateSummary:
    """A line of the maintainers' list: the update and how far it got."""

    update: Update
    counts: DeliveryCounts


# Answers of the newsroom actions. Each refusal changes nothing, so a double click is harmless.


@dataclass(frozen=True, slots=True)
class Published:
    update: Update
    deliveries: int  # servers the update is queued for


@dataclass(frozen=True, slots=True)
class LanguageChoiceNeeded:
    """The post lacks a language some subscribed servers chose: the maintainer must say
    whether they get the other language or nothing (nothing was published)."""

    missing: Language
    servers: int


@dataclass(frozen=True, slots=True)
class AlreadyPublished:
    update_id: int


@dataclass(frozen=True, slots=True)
class PreviewExpired:
    expired_at: float


@dataclass(frozen=True, slots=True)
class PreviewCancelled:
    pass


@dataclass(frozen=True, slots=True)
class UnknownPreview:
    pass


@dataclass(frozen=True, slots=True)
class Cancelled:
    pass


@dataclass(frozen=True, slots=True)
class UnknownUpdate:
    update_id: int


@dataclass(frozen=True, slots=True)
class AlreadyRetracted:
    update: Update


@dataclass(frozen=True, slots=True)
class RevisionConflict:
    """Someone changed the update since the editor looked at it."""

    current: Update


@dataclass(frozen=True, slots=True)
class NoChange:
    update: Update


@dataclass(frozen=True, slots=True)
class Edited:
    update: Update
    copies_queued: int  # delivered copies that will be edited


@dataclass(frozen=True, slots=True)
class Retracted:
    update: Update
    copies_queued: int  # delivered copies that will be edited to the notice
    sends_cancelled: int  # servers that had not received it yet and now never will


PublishResult = (
    Published
    | LanguageChoiceNeeded
    | AlreadyPublished
    | PreviewExpired
    | PreviewCancelled
    | UnknownPreview
)
CancelResult = Cancelled | AlreadyPublished | PreviewCancelled | UnknownPreview
EditResult = Edited | NoChange | UnknownUpdate | AlreadyRetracted | RevisionConflict
RetractResult = Retracted | UnknownUpdate | AlreadyRetracted
