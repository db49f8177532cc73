"""Names as fans type them: autocomplete choices, and what a submitted value refers to.

Autocomplete values are entity keys (``character:yang-jae-won``), but Discord does not
enforce choices: a fan can type a name and press enter without picking. So a submitted
value is never trusted — a known key is used as is, anything else goes to the resolver.
Everything here answers from memory (the fact index), never from disk or network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final, Literal

from discord import app_commands

from bot.datapack.models import Text
from bot.domain.catalog import Catalog
from bot.i18n.catalogue import Catalogue, Lang
from bot.render.cast import MAX_SUGGESTIONS
from bot.render.limits import truncate
from bot.services import FactIndex

log = logging.getLogger(__name__)

CHOICES_MAX: Final = 25  # Discord's autocomplete limit
CHOICE_NAME_MAX: Final = 100
QUERY_MAX: Final = 100  # longer input is cut before it reaches the resolver
KINDS: Final = ("character", "person")
GUESSES_MAX: Final = 25  # guesses asked of the resolver, before stale keys are dropped

Outcome = Literal["unique", "ambiguous", "none"]


@dataclass(frozen=True, slots=True)
class NameLookup:
    """What a submitted name refers to: one key, several (did you mean), or closest guesses."""

    query: str
    outcome: Outcome
    keys: tuple[str, ...]  # unique: the one key; ambiguous: ≤ 5 candidates; none: ≤ 5 guesses

    @property
    def key(self) -> str | None:
        return self.keys[0] if self.outcome == "unique" else None


def entity_id(key: str) -> str:
    """``character:yang-jae-won`` → ``yang-jae-won`` (the catalog id)."""
    return key.partition(":")[2]


def is_known_key(catalog: Catalog, value: str) -> bool:
    kind, _, ident = value.partition(":")
    if kind == "character":
        return catalog.is_character(ident)
    if kind == "person":
        return catalog.is_person(ident)
    return False


def lookup_name(facts: FactIndex, submitted: str) -> NameLookup:
    """Resolve a submitted value: a known key as is, otherwise the typed text."""
    text = submitted.strip()[:QUERY_MAX]
    if is_known_key(facts.catalog, text):
        return NameLookup(text, "unique", (text,))
    # A "none" answer carries the closest guesses, so the search that found nothing is not
    # run a second time by suggest().
    resolution = facts.resolver.resolve(text, limit=MAX_SUGGESTIONS, guesses=GUESSES_MAX)
    keys = _known(facts.catalog, [c.entry.key for c in resolution.candidates])
    if resolution.outcome == "unique" and resolution.best is not None:
        best = resolution.best.key
        if is_known_key(facts.catalog, best):
            return NameLookup(text, "unique", (best,))
    if resolution.outcome == "ambiguous" and len(keys) >= 2:
        return NameLookup(text, "ambiguous", keys[:MAX_SUGGESTIONS])
    if len(keys) == 1:  # one candidate left after dropping stale keys: still ask, don't guess
        return NameLookup(text, "ambiguous", keys)
    if not keys and text:
        guesses = (
            resolution.guesses
            if resolution.outcome == "none"
            else facts.resolver.suggest(text, limit=GUESSES_MAX)  # every candidate was stale
        )
        keys = _known(facts.catalog, [c.entry.key for c in guesses])
    return NameLookup(text, "none", keys[:MAX_SUGGESTIONS])


def _known(catalog: Catalog, keys: list[str]) -> tuple[str, ...]:
    return tuple(key for key in dict.fromkeys(keys) if is_known_key(catalog, key))


def _first(name: Text, lang: Lang) -> str:
    return name.ko if lang == "ko" else name.en


def _both(name: Text, lang: Lang) -> str:
    first, second = (name.ko, name.en) if lang == "ko" else (name.en, name.ko)
    return first if first == second else f"{first} ({second})"


def name_label(
    key: str, lang: Lang, texts: Catalogue, catalog: Catalog, limit: int = CHOICE_NAME_MAX
) -> str:
    """Plain text (autocomplete and buttons are not markdown): the name in both scripts,
    then the other side, e.g. 'Yang Jae-won (양재원) · Choo Young-woo' (en) or
    '양재원 (Yang Jae-won) · 추영우' (ko); a crew member shows their roles instead."""
    ident = entity_id(key)
    if key.startswith("character:"):
        character = catalog.character(ident)
        actor = catalog.person(character.played_by)
        label = f"{_both(character.name, lang)} · {_first(actor.name, lang)}"
    else:
        person = catalog.person(ident)
        characters = catalog.characters_of(ident)
        other = (
            ", ".join(_first(c.name, lang) for c in characters)
            if characters
            else ", ".join(texts.t(lang, f"role.{role}") for role in person.roles)
        )
        label = f"{_both(person.name, lang)} · {other}"
    return truncate(" ".join(label.split()), limit)


def default_keys(catalog: Catalog) -> list[str]:
    """Before anything is typed: the cast in billing order, then the crew."""
    keys = [f"character:{c.id}" for c in catalog.cast]
    played = {c.played_by for c in catalog.cast}  # one pass, not characters_of() per person
    keys += [f"person:{p.id}" for p in catalog.people if p.id not in played]
    return keys


def name_choices(
    facts: FactIndex, texts: Catalogue, lang: Lang, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for a person or character; [] (and a log line) rather than an error."""
    try:
        typed = current.strip()[:QUERY_MAX]
        if typed:
            keys = [c.entry.key for c in facts.resolver.suggest(typed, limit=CHOICES_MAX)]
        else:
            keys = default_keys(facts.catalog)
        return [
            app_commands.Choice(name=name_label(key, lang, texts, facts.catalog), value=key)
            for key in _known(facts.catalog, keys)[:CHOICES_MAX]
        ]
    except Exception:
        log.exception("name autocomplete failed for %r", current)
        return []
