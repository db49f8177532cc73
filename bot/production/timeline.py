"""Updates that carry a season status become events on that season's renewal timeline.

They are kept in the production tables (re-seeding the pack never touches them) and converted
here into the pack's own types, so ``bot.domain.renewal.renewal_answer(added_events=…,
added_sources=…)`` shows them next to the recorded events. A retracted update drops out; an
edited one shows its current text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.datapack.models import SeasonEvent, Source, Text

from .models import Update


@dataclass(frozen=True, slots=True)
class TimelineAdditions:
    events: dict[int, list[SeasonEvent]] = field(default_factory=dict)  # by season number
    sources: list[Source] = field(default_factory=list)


def event_id(update_id: int) -> str:
    return f"update-{update_id}"


def timeline_additions(updates: Iterable[Update]) -> TimelineAdditions:
    """Events and their sources for every live update with a season, a status and a source."""
    additions = TimelineAdditions()
    for update in updates:
        draft = update.draft
        if (
            update.is_retracted
            or draft.season is None
            or draft.season_status is None
            or not draft.source_url
        ):
            continue
        source = Source(
            id=event_id(update.update_id),
            outlet=urlsplit(draft.source_url).hostname or draft.source_url,
            title=draft.title.en,
            url=draft.source_url,
            date=dt.datetime.fromtimestamp(update.created_at, dt.UTC).date(),
            # A maintainer marks an update official when it carries Netflix's or the
            # studio's own word; otherwise the linked page is taken for a press report.
            kind="official" if draft.confidence == "official" else "press",
        )
        event = SeasonEvent(
            id=event_id(update.update_id),
            date=dt.datetime.fromtimestamp(update.created_at, dt.UTC).date(),
            summary=Text(en=draft.title.en, ko=draft.title.ko or draft.title.en),
            status=draft.season_status,
            confidence=draft.confidence,
            sources=[source.id],
        )
        additions.sources.append(source)
        additions.events.setdefault(draft.season, []).append(event)
    return additions
