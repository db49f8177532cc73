"""The /awards answer: entries filtered, grouped by ceremony (oldest first) and tallied.

Wins and nominations are counted from the entries, never taken from text: a 'nomination'
here is an entry whose result is ``nominated`` (a win is not counted twice).
"""

from __future__ import annotations

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
    nominations: int


@dataclass(frozen=True, slots=True)
class CeremonyGroup:
    ceremony: Ceremony
    items: tuple[AwardItem, ...]

    @property
    def tally(self) -> Tally:
        return _tally([self])


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
    tally: Tally

    @property
    def source_ids(self) -> tuple[str, ...]:
        ids = [s for g in self.groups for s in g.ceremony.sources]
        ids += [s for g in self.groups for item in g.items for s in item.entry.sources]
        return tuple(dict.fromkeys(ids))


def _tally(groups: list[CeremonyGroup] | tuple[CeremonyGroup, ...]) -> Tally:
    entries = [item.entry for group in groups for item in group.items]
    return Tally(
        ceremonies=sum(1 for group in groups if group.items),
        wins=sum(1 for entry in entries if entry.result == "won"),
        nominations=sum(1 for entry in entries if entry.result == "nominated"),
    )


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

    def keep(entry: AwardEntry) -> bool:
        if asked.person is not None and entry.person != asked.person.id:
            return False
        if asked.ceremony is not None and entry.ceremony != asked.ceremony.id:
            return False
        return result == "all" or entry.result == result

    kept = catalog.awards_where(keep)
    groups = tuple(
        CeremonyGroup(
            ceremony=c,
            items=tuple(_item(catalog, entry) for entry in kept if entry.ceremony == c.id),
        )
        for c in catalog.ceremonies
        if any(entry.ceremony == c.id for entry in kept)
    )
    return AwardsAnswer(asked=asked, groups=groups, tally=_tally(groups))


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
