"""Plain data for scheduled posts and corrections (no Discord, no SQL).

A schedule is a ``draft`` while its preview is shown (``discarded`` by its Cancel button),
``scheduled`` once the maintainer pressed Schedule, then ``published`` at its time (or
``failed``: the update was retracted or changed meanwhile), or ``cancelled``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .models import Edited, EditResult, Published, UpdateDraft

ScheduleKind = Literal["post", "edit"]
ScheduleState = Literal["draft", "discarded", "scheduled", "published", "cancelled", "failed"]


@dataclass(frozen=True, slots=True)
class Schedule:
    schedule_id: int
    token: str
    kind: ScheduleKind
    author_id: int
    draft: UpdateDraft
    due_at: float
    timezone: str
    state: ScheduleState
    draft_expires_at: float
    update_id: int | None = None  # edit: the update corrected; post: the update, once published
    expected_revision: int | None = None
    outcome: str | None = None
    published_at: float | None = None


# Pressing Schedule on a preview


@dataclass(frozen=True, slots=True)
class Confirmed:
    schedule: Schedule


@dataclass(frozen=True, slots=True)
class AlreadyConfirmed:
    schedule: Schedule  # a second click, or a click after it went out or was cancelled


@dataclass(frozen=True, slots=True)
class DraftExpired:
    pass


@dataclass(frozen=True, slots=True)
class DraftDiscarded:
    pass


@dataclass(frozen=True, slots=True)
class UnknownDraft:
    pass


@dataclass(frozen=True, slots=True)
class TimePassed:
    """The time came while the preview was open: nothing is scheduled, nothing sent."""

    due_at: float


@dataclass(frozen=True, slots=True)
class Discarded:
    pass


ConfirmResult = (
    Confirmed | AlreadyConfirmed | DraftExpired | DraftDiscarded | UnknownDraft | TimePassed
)
DiscardResult = Discarded | AlreadyConfirmed | DraftDiscarded | UnknownDraft


# Changing a confirmed schedule


@dataclass(frozen=True, slots=True)
class Changed:
    schedule: Schedule


@dataclass(frozen=True, slots=True)
class NotPending:
    """It already went out, failed, or was cancelled: nothing changed."""

    schedule: Schedule


@dataclass(frozen=True, slots=True)
class UnknownSchedule:
    schedule_id: int


ChangeResult = Changed | NotPending | UnknownSchedule


# What happened at the due time


@dataclass(frozen=True, slots=True)
class Fired:
    """A due schedule was applied (``result``) or failed (``schedule.outcome`` says why)."""

    schedule: Schedule
    result: Published | EditResult | None
    late_by: float  # seconds between its time and the transaction that published it

    @property
    def queued(self) -> int:
        """Outbox rows queued for the worker by this publish (0: nothing to send)."""
        if isinstance(self.result, Published):
            return self.result.deliveries
        if isinstance(self.result, Edited):
            return self.result.copies_queued
        return 0
