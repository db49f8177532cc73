"""What the resolver answers with: name entries, candidates, resolutions, and tier scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EntryKind = Literal["person", "character"]
Outcome = Literal["unique", "ambiguous", "none"]


@dataclass(frozen=True, slots=True)
class NameEntry:
    key: str  # "person:ju-ji-hoon" / "character:baek-kang-hyuk"
    kind: EntryKind
    name_en: str
    name_ko: str
    variants: tuple[str, ...] = ()  # spellings listed in the pack (Latin or Hangul)
    titles: tuple[str, ...] = ()  # honorifics that fit this entry: "Dr.", "교수" ...
    linked: tuple[str, ...] = ()  # keys on the other side: a character's actor, a person's roles


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: NameEntry
    score: float  # 0..1; 1 = exact
    reason: str  # "exact", "variant", "swapped", "family", "given", "prefix", "fuzzy" ...


@dataclass(frozen=True, slots=True)
class Resolution:
    outcome: Outcome
    candidates: tuple[Candidate, ...]
    # Only for ``resolve(..., guesses=n)`` with outcome "none": what ``suggest`` would list.
    guesses: tuple[Candidate, ...] = ()

    @property
    def best(self) -> NameEntry | None:
        """The entry, only when the answer is unique."""
        return self.candidates[0].entry if self.outcome == "unique" else None


# Tier scores. Fuzzy scores are scaled below PREFIX so a structural match always wins.
EXACT = 1.0
SWAPPED = 0.95
PART = 0.85
PREFIX = 0.7
FUZZY_SCALE = 0.6
# Fuzzy similarity (0..1) needed to be listed at all / to be the unique answer, and the lead
# the best needs over the runner-up. Tuned on tests/data/resolver_queries.yaml.
FUZZY_MIN = 0.75
FUZZY_UNIQUE = 0.75
FUZZY_MARGIN = 0.08
