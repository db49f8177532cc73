"""Resolve what a fan types to a person or character entry.

Works only from the ``NameEntry`` data, so another fandom's pack works unchanged. Every entry's
Hangul name is indexed syllable by syllable in a trie (full name, given+family order, family
alone, given alone, Hangul variants). A query is read as Hangul, 초성 or romanization; romanized
text is segmented while walking the trie, each spelling standing for the set of jamo it may
mean (see ``hangul.readings``), so spellings that are in no data file still match.

Matches are ranked in tiers: exact > order-swapped > family/given alone or whole-syllable
prefix > partial prefix > fuzzy (skeleton / jamo similarity). Only the best non-empty tier
decides; a title in the query ("Dr.", "장관") breaks ties, then a spelling listed in the pack: a
fan typing "Choo" means the actor listed as "Choo Young-woo", not the one whose 주 only reads
"Choo" in McCune–Reischauer. The answer is unique only when one entry is clearly ahead, because
a wrong unique answer is worse than asking "did you mean".

Everything is indexed once, when the resolver is built (the trie, sorted spellings for prefixes,
and ``nearmiss.NearMissIndex`` for near misses), so a query costs what the names it may match
cost, not a pass over the whole pack.

One module per step: ``query`` (reading what was typed), ``trie`` (the name trie and the walk),
``nearmiss`` (names one slip away), ``ranking`` (ordering), ``resolver`` (indexing and answers).
"""

from bot.domain.resolver.entries import Candidate, EntryKind, NameEntry, Outcome, Resolution
from bot.domain.resolver.resolver import Resolver

__all__ = ["Candidate", "EntryKind", "NameEntry", "Outcome", "Resolution", "Resolver"]
