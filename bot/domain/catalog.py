"""An in-memory index over one data pack: lookups by id and the orders fans expect.

Built once per pack; nothing here reads a clock (callers pass ``today`` where it matters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Final, TypeVar

from bot.datapack.models import (
    AwardEntry,
    Billing,
    Ceremony,
    Character,
    Pack,
    Person,
    Season,
    Show,
    Source,
    Text,
)

BILLING_ORDER: Final[tuple[Billing, ...]] = ("main", "supporting", "cameo")


class UnknownIdError(LookupError):
    """An id that the pack does not hold (a typo in data, or input the cog did not check)."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"unknown {kind}: {value!r}")
        self.kind = kind
        self.value = value


_T = TypeVar("_T")


def _index(rows: Iterable[_T], key: str) -> dict[str, _T]:
    return {str(getattr(row, key)): row for row in rows}


def _lookup(table: Mapping[str, _T], kind: str, value: str) -> _T:
    try:
        return table[value]
    except KeyError:
        raise UnknownIdError(kind, value) from None


def _billing_rank(character: Character) -> tuple[int, int]:
    return (BILLING_ORDER.index(character.billing), character.order)


class Catalog:
    """Read-only views over a :class:`Pack`."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self._people = _index(pack.people, "id")
        self._characters = _index(pack.characters, "id")
        self._ceremonies = _index(pack.ceremonies, "id")
        self._sources = _index(pack.sources, "id")
        self._cast = tuple(sorted(pack.characters, key=_billing_rank))
        self._ceremonies_by_date = tuple(sorted(pack.ceremonies, key=lambda c: (c.date, c.id)))
        self._seasons = tuple(sorted(pack.seasons, key=lambda s: s.number))
        dated = [source.date for source in pack.sources if source.date is not None]
        self._facts_as_of = max(dated) if dated else None

    # --- the show -------------------------------------------------------------------------
    @property
    def show(self) -> Show:
        return self.pack.show

    @property
    def facts_as_of(self) -> dt.date | None:
        """The date of the newest dated source: how fresh the facts are."""
        return self._facts_as_of

    # --- lookups by id --------------------------------------------------------------------
    def person(self, person_id: str) -> Person:
        return _lookup(self._people, "person", person_id)

    def character(self, character_id: str) -> Character:
        return _lookup(self._characters, "character", character_id)

    def ceremony(self, ceremony_id: str) -> Ceremony:
        return _lookup(self._ceremonies, "ceremony", ceremony_id)

    def source(self, source_id: str) -> Source:
        return _lookup(self._sources, "source", source_id)

    def sources(self, source_ids: Iterable[str]) -> tuple[Source, ...]:
        """Sources in the given order, each once."""
        return tuple(self.source(source_id) for source_id in dict.fromkeys(source_ids))

    def is_person(self, entity_id: str) -> bool:
        return entity_id in self._people

    def is_character(self, entity_id: str) -> bool:
        return entity_id in self._characters

    def name_of(self, entity_id: str) -> Text:
        """The name of a person or a character."""
        if entity_id in self._characters:
            return self._characters[entity_id].name
        return self.person(entity_id).name

    # --- collections in the orders fans expect --------------------------------------------
    @property
    def people(self) -> tuple[Person, ...]:
        return tuple(self.pack.people)

    @property
    def cast(self) -> tuple[Character, ...]:
        """Characters in billing order: main, supporting, cameo; by ``order`` within each."""
        return self._cast

    @property
    def ceremonies(self) -> tuple[Ceremony, ...]:
        """Ceremonies oldest first."""
        return self._ceremonies_by_date

    @property
    def seasons(self) -> tuple[Season, ...]:
        return self._seasons

    def season(self, number: int) -> Season | None:
        return next((season for season in self._seasons if season.number == number), None)

    def characters_of(self, person_id: str) -> tuple[Character, ...]:
        """The characters ``person_id`` plays, in billing order."""
        self.person(person_id)
        return tuple(c for c in self._cast if c.played_by == person_id)

    def awards_of(self, person_id: str) -> tuple[AwardEntry, ...]:
        """Entries naming ``person_id`` as nominee, ceremonies oldest first."""
        self.person(person_id)
        return self.awards_where(lambda entry: entry.person == person_id)

    def awards_at(self, ceremony_id: str) -> tuple[AwardEntry, ...]:
        self.ceremony(ceremony_id)
        return tuple(entry for entry in self.pack.awards if entry.ceremony == ceremony_id)

    def awards_where(self, keep: Callable[[AwardEntry], bool]) -> tuple[AwardEntry, ...]:
        """Matching entries grouped by ceremony date; pack order within a ceremony."""
        rank = {ceremony.id: position for position, ceremony in enumerate(self.ceremonies)}
        kept = [entry for entry in self.pack.awards if keep(entry)]
        return tuple(sorted(kept, key=lambda entry: rank.get(entry.ceremony, len(rank))))
