"""The /renewal answer: per season, what Netflix said, what the press reported, and plans
whose date has passed.

Rules (truth first):
- The **official position** is the newest ``official`` event (Netflix or the studio); the
  **press position** is the newest ``reported`` event (a named outlet); ``unconfirmed``
  events are listed as such and never become the headline while anything firmer exists.
- The **headline** is the newest event that is official or reported, with its own label;
  on the same date an official event outranks a report.
- A status says what its source says. A non-official event that claims a decision only
  Netflix can make (renewed, filming …) is a *claim*: the card reads "reported: renewed (not
  confirmed by Netflix)", never plain "Renewed" (:func:`is_claim`).
- A plan ('filming targeted for summer 2026') is **stale** once ``today`` is past
  ``planned.by`` and it was not *settled*: no later event reached the planned status (or went
  beyond it, or cancelled the season), and no later official word confirmed at least what
  the planning report claimed (Netflix's own status supersedes the press's plans). A stale
  plan names the later report that moved it, whatever its confidence (``moved_by``).
  Stale plans keep their original text so the card can say so.
- The **next season** is the first one after the newest season released by ``today``; seasons
  whose newest news comes from the same source stand **beside** it on the card.
- The timeline is newest first everywhere. Events recorded on the same date keep the order
  they were recorded in (the pack lists them in the order they happened).
- Events added at run time (maintainers' production updates) are merged with the pack's;
  an added event with an existing id replaces the pack's version (a correction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.datapack.models import Confidence, PlannedMilestone, SeasonEvent, SeasonStatus, Source
from bot.domain.catalog import Catalog, UnknownIdError

# How far along the road to a new season each status is; 'cancelled' ends the road.
PROGRESS: Final[Mapping[SeasonStatus, int]] = {
    "hoped_for": 0,
    "under_review": 1,
    "in_talks": 2,
    "renewed": 3,
    "pre_production": 4,
    "filming": 5,
    "post_production": 6,
    "released": 7,
}

# A rumour does not replace a report's plan; a report or Netflix's word can.
FIRMNESS: Final[Mapping[Confidence, int]] = {"unconfirmed": 0, "reported": 1, "official": 2}

# Decisions only Netflix or the studio can announce: said by anyone else, they are claims.
DECISIONS: Final[frozenset[SeasonStatus]] = frozenset(
    {"in_talks", "renewed", "pre_production", "filming", "post_production", "cancelled"}
)


def is_claim(event: SeasonEvent) -> bool:
    """A decision that Netflix has not confirmed: the event says it, its source is not Netflix."""
    return event.confidence != "official" and event.status in DECISIONS


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    event: SeasonEvent
    sources: tuple[Source, ...]

    @property
    def confidence(self) -> Confidence:
        return self.event.confidence


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """A plan stated by ``entry`` and what became of it as of ``today``."""

    entry: TimelineEntry
    plan: PlannedMilestone
    moved_by: TimelineEntry | None  # the next later plan for the same milestone, however firm
    superseded: bool  # a later plan at least as firm replaced it (a rumour does not)


@dataclass(frozen=True, slots=True)
class SeasonRenewal:
    number: int
    episodes: int | None
    headline: TimelineEntry
    official: TimelineEntry | None
    press: TimelineEntry | None
    unconfirmed: tuple[TimelineEntry, ...]  # newest first
    timeline: tuple[TimelineEntry, ...]  # newest first
    stale_plans: tuple[PlanCheck, ...]  # passed, not settled; newest first
    pending_plans: tuple[PlanCheck, ...]  # not yet due, not settled, not superseded
    last_updated: SeasonEvent  # the latest news: the newest event

    @property
    def status(self) -> SeasonStatus:
        return self.headline.event.status

    @property
    def confidence(self) -> Confidence:
        return self.headline.event.confidence

    @property
    def newest_report(self) -> TimelineEntry | None:
        """The newest event that is not Netflix's own word (a report, however firm)."""
        return next((e for e in self.timeline if e.confidence != "official"), None)

    def released_by(self, today: dt.date) -> bool:
        return any(
            e.event.status == "released" and e.event.date <= today and e.confidence != "unconfirmed"
            for e in self.timeline
        )


@dataclass(frozen=True, slots=True)
class RenewalAnswer:
    today: dt.date
    seasons: tuple[SeasonRenewal, ...]

    def season(self, number: int) -> SeasonRenewal:
        for season in self.seasons:
            if season.number == number:
                return season
        raise UnknownIdError("season", str(number))

    def next_season(self) -> int:
        """The first season after the newest one released by ``today`` (else the newest)."""
        released = [s.number for s in self.seasons if s.released_by(self.today)]
        newest_released = max(released, default=0)
        upcoming = [s.number for s in self.seasons if s.number > newest_released]
        return min(upcoming) if upcoming else max(s.number for s in self.seasons)

    def beside(self, number: int) -> tuple[SeasonRenewal, ...]:
        """Other seasons whose latest news comes from a source of this season's latest news
        (seasons 2 and 3 reported together), in season order."""
        sources = set(self._latest(self.season(number)).event.sources)
        return tuple(
            s
            for s in self.seasons
            if s.number != number
            and not s.released_by(self.today)
            and sources & set(self._latest(s).event.sources)
        )

    def _latest(self, season: SeasonRenewal) -> TimelineEntry:
        return next(e for e in season.timeline if e.event is season.last_updated)


def merge_events(
    recorded: Sequence[SeasonEvent], added: Sequence[SeasonEvent]
) -> tuple[SeasonEvent, ...]:
    """Oldest first; an added event with a recorded id replaces it in place."""
    replacements = {event.id: event for event in added}
    merged = [replacements.pop(event.id, event) for event in recorded]
    merged += [event for event in added if event.id in replacements]
    # sorted() is stable: same-date events keep their recorded order.
    return tuple(sorted(merged, key=lambda event: event.date))


def _settled(planner: TimelineEntry, plan: PlannedMilestone, later: Sequence[SeasonEvent]) -> bool:
    """The plan came true (or was overtaken), or Netflix later said at least as much as the
    report that made the plan: either way there is nothing out of date to flag."""
    if _reached(later, plan.status):
        return True
    claimed = PROGRESS.get(planner.event.status, 0)
    return any(
        event.confidence == "official" and PROGRESS.get(event.status, -1) >= claimed
        for event in later
    )


def _reached(later: Sequence[SeasonEvent], target: SeasonStatus) -> bool:
    goal = PROGRESS.get(target)
    for event in later:
        if event.status == "cancelled" or event.status == target:
            return True
        rank = PROGRESS.get(event.status)
        if goal is not None and rank is not None and rank >= goal:
            return True
    return False


def _headline(chronological: Sequence[TimelineEntry]) -> TimelineEntry:
    """The newest firm event; on the same date Netflix's own word outranks a report."""
    firm = [e for e in chronological if e.confidence != "unconfirmed"]
    if not firm:
        return chronological[-1]
    best = firm[0]
    for entry in firm[1:]:
        key = (entry.event.date, entry.confidence == "official")
        if key >= (best.event.date, best.confidence == "official"):
            best = entry
    return best


def season_renewal(
    number: int,
    events: Sequence[SeasonEvent],
    sources: Mapping[str, Source],
    today: dt.date,
    episodes: int | None = None,
) -> SeasonRenewal:
    """The answer for one season from its events (any order; ids unique)."""
    if not events:
        raise ValueError(f"season {number} has no events")
    oldest_first = merge_events(events, ())

    def entry(event: SeasonEvent) -> TimelineEntry:
        found = []
        for source_id in event.sources:
            if source_id not in sources:
                raise UnknownIdError("source", source_id)
            found.append(sources[source_id])
        return TimelineEntry(event, tuple(found))

    chronological = [entry(event) for event in oldest_first]
    newest_first = tuple(reversed(chronological))

    def newest(*levels: Confidence) -> TimelineEntry | None:
        return next((e for e in newest_first if e.confidence in levels), None)

    headline = _headline(chronological)
    stale: list[PlanCheck] = []
    pending: list[PlanCheck] = []
    for position, item in enumerate(chronological):
        plan = item.event.planned
        if plan is None:
            continue
        later = chronological[position + 1 :]
        if _settled(item, plan, [e.event for e in later]):
            continue
        replans = [
            e
            for e in later
            if e.event.planned is not None and e.event.planned.status == plan.status
        ]
        superseded = any(FIRMNESS[e.confidence] >= FIRMNESS[item.confidence] for e in replans)
        check = PlanCheck(item, plan, replans[0] if replans else None, superseded)
        if plan.by < today:
            stale.append(check)
        elif not check.superseded:
            pending.append(check)
    return SeasonRenewal(
        number=number,
        episodes=episodes,
        headline=headline,
        official=newest("official"),
        press=newest("reported"),
        unconfirmed=tuple(e for e in newest_first if e.confidence == "unconfirmed"),
        timeline=newest_first,
        stale_plans=tuple(reversed(stale)),
        pending_plans=tuple(reversed(pending)),
        last_updated=newest_first[0].event,
    )


def renewal_answer(
    catalog: Catalog,
    today: dt.date,
    *,
    season: int | None = None,
    added_events: Mapping[int, Sequence[SeasonEvent]] | None = None,
    added_sources: Sequence[Source] = (),
) -> RenewalAnswer:
    """All seasons (or one), pack events merged with events added at run time.

    An unknown season number raises :class:`UnknownIdError`.
    """
    added_events = added_events or {}
    sources = {source.id: source for source in catalog.pack.sources}
    sources.update({source.id: source for source in added_sources})
    recorded = {s.number: (tuple(s.events), s.episodes) for s in catalog.seasons}
    numbers = sorted(set(recorded) | {n for n, events in added_events.items() if events})
    if season is not None:
        if season not in numbers:
            raise UnknownIdError("season", str(season))
        numbers = [season]
    seasons = []
    for number in numbers:
        events, episodes = recorded.get(number, ((), None))
        merged = merge_events(events, added_events.get(number, ()))
        seasons.append(season_renewal(number, merged, sources, today, episodes))
    return RenewalAnswer(today=today, seasons=tuple(seasons))
