"""The /cast answers: one profile (character ↔ actor, or a crew member), or the whole cast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.datapack.models import AwardEntry, Character, Person
from bot.domain.catalog import Catalog

Subject = Literal["character", "person"]


@dataclass(frozen=True, slots=True)
class CastProfile:
    """A person and the characters they play in the show (none for crew).

    ``subject`` says what the fan asked about, so the card can lead with it.
    Awards are this show's only: the pack holds no other show's awards.
    """

    subject: Subject
    person: Person
    characters: tuple[Character, ...]
    awards_won: tuple[AwardEntry, ...]
    awards_nominated: tuple[AwardEntry, ...]
    source_ids: tuple[str, ...]  # profile facts first, then the awards' sources; each once

    @property
    def variants(self) -> tuple[str, ...]:
        """Other spellings of the character(s) and the person, each once."""
        spellings = [v for c in self.characters for v in c.variants] + list(self.person.variants)
        return tuple(dict.fromkeys(spellings))

    @property
    def variants_by_name(self) -> tuple[tuple[Character | Person, tuple[str, ...]], ...]:
        """Other spellings kept apart: each character's, then the person's (each spelling
        once, under the first name that lists it)."""
        seen: set[str] = set()
        groups: list[tuple[Character | Person, tuple[str, ...]]] = []
        owners: list[Character | Person] = [*self.characters, self.person]
        for owner in owners:
            own = tuple(v for v in dict.fromkeys(owner.variants) if v not in seen)
            seen.update(own)
            if own:
                groups.append((owner, own))
        return tuple(groups)


def _profile(
    catalog: Catalog, subject: Subject, person: Person, characters: tuple[Character, ...]
) -> CastProfile:
    awards = catalog.awards_of(person.id)
    fact_sources = [s for c in characters for s in c.sources] + list(person.sources)
    award_sources = [s for entry in awards for s in entry.sources]
    return CastProfile(
        subject=subject,
        person=person,
        characters=characters,
        awards_won=tuple(entry for entry in awards if entry.result == "won"),
        awards_nominated=tuple(entry for entry in awards if entry.result == "nominated"),
        source_ids=tuple(dict.fromkeys(fact_sources + award_sources)),
    )


def character_profile(catalog: Catalog, character_id: str) -> CastProfile:
    character = catalog.character(character_id)
    return _profile(catalog, "character", catalog.person(character.played_by), (character,))


def person_profile(catalog: Catalog, person_id: str) -> CastProfile:
    person = catalog.person(person_id)
    return _profile(catalog, "person", person, catalog.characters_of(person_id))


def profile_for(catalog: Catalog, entity_id: str) -> CastProfile:
    """The profile for a resolved id, whether it names a character or a person."""
    if catalog.is_character(entity_id):
        return character_profile(catalog, entity_id)
    return person_profile(catalog, entity_id)


@dataclass(frozen=True, slots=True)
class CastLine:
    character: Character
    actor: Person


def whole_cast(catalog: Catalog) -> tuple[CastLine, ...]:
    """Every character with its actor, in billing order (main, supporting, cameo)."""
    return tuple(CastLine(c, catalog.person(c.played_by)) for c in catalog.cast)
