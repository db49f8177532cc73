"""The /awards answer: entries filtered, grouped by ceremony (oldest first) and tallied.

Wins and nominations are counted from the entries, never taken from text. Every entry is a
nomination and some nominations were won: "12 nominations, 6 won". The tallies count what
the person and ceremony filters select, whatever the result filter shows, so "wins only"
still says how many nominations there were; an empty answer says what *would* match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.datapack.models import AwardEntry, Ceremony, Character, Person
from bot.domain.catalog import Catalog

ResultFilter = Literal["won", "nominated", "all"]


@dataclass(frozen=True, slots=True)
class AwardItem:
    entry: AwardEntry
    person: Person | None  # the nominee, when a person is named
    character: Character | None  # the role the nominee was recognised for, when given


@dataclass(frozen=True, slots=True)
class Tally:
    ceremonies: int
    wins: int
    nominations: int  # every entry, won or not: a win is also a nomination


@dataclass(frozen=True, slots=True)
class CeremonyGroup:
    ceremony: Ceremony
    items: tuple[AwardItem, ...]  # the entries shown (the result filter applied)
    tally: Tally  # this ceremony's entries for the person asked about, whatever their result


@dataclass(frozen=True, slots=True)
class AwardsFilter:
    """What was asked: ``person`` is set for a person *or* a character (its actor)."""

    person: Person | None = None
    character: Character | None = None
    ceremony: Ceremony | None = None
    result: ResultFilter = "all"

    @property
    def is_filtered(self) -> bool:
        return self.person is not None or self.ceremony is not None or self.result != "all"


@dataclass(frozen=True, slots=True)
class AwardsAnswer:
    asked: AwardsFilter
    groups: tuple[CeremonyGroup, ...]
    tally: Tally  # what the person and ceremony filters select, whatever the result filter
    everywhere: Tally  # the person's entries at every ceremony (for "none at this ceremony")

    @property
    def source_ids(self) -> tuple[str, ...]:
        ids = [s for g in self.groups for s in g.ceremony.sources]
        ids += [s for g in self.groups for item in g.items for s in item.entry.sources]
        return tuple(dict.fromkeys(ids))


def tally_of(entries: Sequence[AwardEntry]) -> Tally:
    return Tally(
        ceremonies=len({entry.ceremony for entry in entries}),
        wins=sum(1 for entry in entries if entry.result == "won"),
        nominations=len(entries),
    )


def people_with_entries(catalog: Catalog) -> frozenset[str]:
    """Ids of the people named in at least one award entry."""
    return frozenset(entry.person for entry in catalog.awards_where(lambda _: True) if entry.person)


def awards_answer(
    catalog: Catalog,
    *,
    who: str | None = None,
    ceremony: str | None = None,
    result: ResultFilter = "all",
) -> AwardsAnswer:
    """Filter by ``who`` (a person or character id), ``ceremony`` id and ``result``.

    A character stands for its actor (awards go to people). Unknown ids raise
    :class:`~bot.domain.catalog.UnknownIdError`.
    """
    asked = _filter(catalog, who, ceremony, result)

    def theirs(entry: AwardEntry) -> bool:
        return asked.person is None or entry.person == asked.person.id

    everywhere = catalog.awards_where(theirs)
    selected = [e for e in everywhere if asked.ceremony is None or e.ceremony == asked.ceremony.id]
    groups = tuple(
        CeremonyGroup(
            ceremony=c,
            items=tuple(
                _item(catalog, entry) for entry in at if result == "all" or entry.result == result
            ),
            tally=tally_of(at),
        )
        for c in catalog.ceremonies
        if (at := [entry for entry in selected if entry.ceremony == c.id])
    )
    return AwardsAnswer(
        asked=asked,
        groups=tuple(group for group in groups if group.items),
        tally=tally_of(selected),
        everywhere=tally_of(everywhere),
    )


def _filter(
    catalog: Catalog, who: str | None, ceremony: str | None, result: ResultFilter
) -> AwardsFilter:
    person: Person | None = None
    character: Character | None = None
    if who is not None:
        if catalog.is_character(who):
            character = catalog.character(who)
            person = catalog.person(character.played_by)
        else:
            person = catalog.person(who)
    return AwardsFilter(
        person=person,
        character=character,
        ceremony=catalog.ceremony(ceremony) if ceremony is not None else None,
        result=result,
    )


def _item(catalog: Catalog, entry: AwardEntry) -> AwardItem:
    return AwardItem(
        entry=entry,
        person=catalog.person(entry.person) if entry.person else None,
        character=catalog.character(entry.character) if entry.character else None,
    )
