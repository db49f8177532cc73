"""Build the resolver's ``NameEntry`` list from the data pack."""

from __future__ import annotations

from bot.datapack.models import Pack, Role
from bot.domain.resolver import NameEntry

# How fans address crew by their job ("Director Lee", "이도윤 감독"); used as tie-breakers.
ROLE_TITLES: dict[Role, tuple[str, ...]] = {
    "actor": ("Actor", "배우"),
    "director": ("Director", "감독"),
    "writer": ("Writer", "작가"),
    "author": ("Author", "작가"),
    "artist": ("Artist", "작가"),
    "producer": ("Producer", "PD"),
    "executive": (),
}


def person_key(person_id: str) -> str:
    return f"person:{person_id}"


def character_key(character_id: str) -> str:
    return f"character:{character_id}"


def entries_from_pack(pack: Pack) -> list[NameEntry]:
    """Characters in billing order, then people in pack order, each linked to the other side."""
    entries: list[NameEntry] = []
    for character in sorted(pack.characters, key=lambda c: c.order):
        entries.append(
            NameEntry(
                key=character_key(character.id),
                kind="character",
                name_en=character.name.en,
                name_ko=character.name.ko,
                variants=tuple(character.variants),
                titles=tuple(character.titles),
                linked=(person_key(character.played_by),),
            )
        )
    for person in pack.people:
        titles = tuple(dict.fromkeys(t for role in person.roles for t in ROLE_TITLES[role]))
        roles_played = sorted(
            (c for c in pack.characters if c.played_by == person.id), key=lambda c: c.order
        )
        entries.append(
            NameEntry(
                key=person_key(person.id),
                kind="person",
                name_en=person.name.en,
                name_ko=person.name.ko,
                variants=tuple(person.variants),
                titles=titles,
                linked=tuple(character_key(c.id) for c in roles_played),
            )
        )
    return entries
