"""Ranking scored entries: best score first; among equals a fitting title, then a spelling
listed in the pack (a fan typing "Choo" means the actor listed as "Choo Young-woo")."""

from __future__ import annotations

import heapq
from bisect import bisect_left

from bot.domain.resolver.entries import Candidate, NameEntry
from bot.domain.resolver.query import Query, latin_letters
from bot.domain.resolver.trie import Scores

LAST_CHAR = chr(0x10FFFF)  # prefix + LAST_CHAR sorts after every key that starts with prefix
# Sort key of a scored entry: (-score, lacks the query's title, listed rank, index, reason).
Ranked = tuple[float, bool, int, int, str]


def starting_with(sorted_keys: list[str], prefix: str) -> list[str]:
    start = bisect_left(sorted_keys, prefix)
    return sorted_keys[start : bisect_left(sorted_keys, prefix + LAST_CHAR, start)]


def listed_forms(name: str) -> set[str]:
    """A listed spelling as a fan may type it: whole, given+family, family alone, given alone.

    "Choo Young-woo" gives chooyoungwoo, youngwoochoo, choo and youngwoo. The first word is the
    family name, as everywhere in the pack's English names.
    """
    words = [latin_letters(word) for word in name.split()]
    words = [word for word in words if word]
    forms = {"".join(words)}
    if len(words) >= 2:
        family, given = words[0], "".join(words[1:])
        forms |= {given + family, family, given}
    forms.discard("")
    return forms


class Ranker:
    """Orders one pack's entries; built once with the resolver's indexes of listed spellings."""

    def __init__(
        self,
        entries: tuple[NameEntry, ...],
        titles_by_key: dict[str, frozenset[str]],
        listed_forms: list[frozenset[str]],
        *,
        indexed: bool,
    ) -> None:
        self.entries = entries
        self._indexed = indexed
        # Per entry, the index of the first entry equal to it: a listed spelling ranks equal
        # entries alike, without hashing whole entries per query.
        first_equal: dict[NameEntry, int] = {}
        self.same_as = [first_equal.setdefault(e, i) for i, e in enumerate(entries)]
        self._titles_by_key = titles_by_key
        self._titles_of = [titles_by_key[entry.key] for entry in entries]
        self._listed_forms = listed_forms
        self._listed: dict[str, list[int]] = {}
        for index, forms in enumerate(listed_forms):
            for letters in forms:
                self._listed.setdefault(letters, []).append(index)
        self._listed_keys = sorted(self._listed)
        self._listed_joined = ["".join("\n" + form for form in f) for f in listed_forms]

    def listed_rank(self, parsed: Query, scores: Scores, prefixes: bool) -> dict[int, int]:
        """Scored entries the romanized query spells as listed: 0 whole, 1 a prefix (typing).

        Keyed by ``_same_as`` index.
        """
        letters = "".join(parsed.tokens) if parsed.latin_only else ""
        if not letters:
            return {}
        same_as = self.same_as
        rank = {same_as[i]: 0 for i in self._listed.get(letters, ()) if i in scores.best}
        if not prefixes:
            return rank
        if not self._indexed:
            for index in scores.best:
                if same_as[index] not in rank and any(
                    form.startswith(letters) for form in self._listed_forms[index]
                ):
                    rank[same_as[index]] = 1
            return rank
        # Walk whichever is shorter: the listed spellings that start so, or the matches.
        start = bisect_left(self._listed_keys, letters)
        stop = bisect_left(self._listed_keys, letters + LAST_CHAR, start)
        if stop - start < len(scores.best):
            for form in self._listed_keys[start:stop]:
                for index in self._listed[form]:
                    if index in scores.best:
                        rank.setdefault(same_as[index], 1)
        else:
            # One substring search per match: "\n" + letters is in "\nform\nform..." exactly
            # when a listed form starts with the letters (both are Latin letters only).
            typed, joined = "\n" + letters, self._listed_joined
            for index in scores.best:
                if typed in joined[index]:
                    rank.setdefault(same_as[index], 1)
        return rank

    def rank(
        self,
        scores: Scores,
        titles: set[str],
        listed: dict[int, int],
        limit: int | None = None,
    ) -> list[Candidate]:
        """Best score first; among equals, a fitting title, then a listed spelling.

        With ``limit``, only the best ``limit`` (a short prefix can match much of the pack).
        """

        order = self.ordered(scores, titles, listed)
        if limit is not None and 0 <= limit < len(order):
            best = heapq.nsmallest(limit, order)  # the same as sorted(order)[:limit]
        else:
            best = sorted(order)[:limit]
        return [self.candidate(item) for item in best]

    def ordered(self, scores: Scores, titles: set[str], listed: dict[int, int]) -> list[Ranked]:
        """Sort keys, one per scored entry; plain tuples compare fast (no key function)."""
        same_as, titles_of = self.same_as, self._titles_of
        return [
            (
                -score,
                not titles or titles.isdisjoint(titles_of[index]),
                listed.get(same_as[index], 2) if listed else 2,
                index,
                reason,
            )
            for index, (score, reason) in scores.best.items()
        ]

    def candidate(self, item: Ranked) -> Candidate:
        negated_score, _, _, index, reason = item
        return Candidate(self.entries[index], round(-negated_score, 4), reason)

    def has_title(self, entry: NameEntry, titles: set[str]) -> bool:
        if not titles:
            return False
        return not titles.isdisjoint(self._titles_by_key.get(entry.key, ()))
