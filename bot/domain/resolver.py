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
and ``_NearMissIndex`` for near misses), so a query costs what the names it may match cost, not
a pass over the whole pack.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from bot.domain.hangul import (
    FINALS,
    INITIALS,
    Reading,
    Syllable,
    decompose,
    from_keyboard,
    has_hangul,
    is_initial_jamo,
    is_syllable,
    readings,
    skeleton,
    spellings,
    strip_diacritics,
    syllables,
)

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

# Generic English honorifics, folded to one spelling each; entry titles are added per pack.
_TITLE_SPELLINGS = {
    "dr": "doctor",
    "doc": "doctor",
    "doctor": "doctor",
    "prof": "professor",
    "professor": "professor",
    "capt": "captain",
    "cpt": "captain",
    "captain": "captain",
    "dir": "director",
    "director": "director",
    "nurse": "nurse",
    "minister": "minister",
    "chief": "chief",
    "mr": "mr",
    "mrs": "mrs",
    "ms": "ms",
    "miss": "miss",
    "sir": "sir",
}
# Korean honorific suffixes that carry no role ("교수님" is 교수, "재원씨" is 재원).
_KO_HONORIFICS = ("님", "씨")
_APOSTROPHES = re.compile(r"['’‘ʼ`]")
_CHUNK = re.compile(r"\s+|(?<=\.)")  # "Dr.Baek" is "Dr." + "Baek"
_WORD = re.compile(r"[a-z]+|[\uac00-\ud7a3\u3131-\u314e]+")
_LATIN = re.compile(r"[a-z]")
_LAST_CHAR = chr(0x10FFFF)  # prefix + _LAST_CHAR sorts after every key that starts with prefix

Mark = tuple[int, str]  # (entry index, form kind)
# Sort key of a scored entry: (-score, lacks the query's title, listed rank, index, reason).
_Ranked = tuple[float, bool, int, int, str]


def _fold_title(title: str) -> str:
    """One comparable spelling per title: "Dr." -> "doctor", "선생님" -> "선생"."""
    folded = strip_diacritics(title).casefold().strip(" .")
    for suffix in _KO_HONORIFICS:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            folded = folded[: -len(suffix)]
    return _TITLE_SPELLINGS.get(folded, folded)


def _letters(text: str) -> str:
    return "".join(_LATIN.findall(strip_diacritics(text).lower()))


class _Node:
    __slots__ = ("below", "by_initial", "children", "ends", "partials", "whole_prefix")

    def __init__(self) -> None:
        self.children: dict[Syllable, _Node] = {}
        self.by_initial: dict[int, list[tuple[Syllable, _Node]]] = {}
        self.ends: list[Mark] = []
        # Entries with a form ending here or deeper: each index once, and with the best
        # _WHOLE_PREFIX score of its forms (a query ending here is a prefix of them).
        self.below: tuple[int, ...] = ()
        self.whole_prefix: tuple[tuple[int, float], ...] = ()
        self.partials: dict[str, list[_Node]] = {}

    def insert(self, path: Sequence[Syllable], mark: Mark) -> None:
        node = self
        for syllable in path:
            node = node.children.setdefault(syllable, _Node())
        if mark not in node.ends:
            node.ends.append(mark)

    def finish(self) -> list[Mark]:
        """Fill the lookup tables once all names are inserted; the marks here and below."""
        below = list(self.ends)
        seen = set(below)
        for syllable, child in self.children.items():
            for mark in child.finish():
                if mark not in seen:
                    seen.add(mark)
                    below.append(mark)
            self.by_initial.setdefault(syllable.initial, []).append((syllable, child))
            # Every proper prefix of every spelling of the child, for half-typed syllables.
            typed = {
                spelling[:end]
                for spelling in spellings(syllable)
                for end in range(1, 1 + len(spelling))
            }
            for letters in typed:
                self.partials.setdefault(letters, []).append(child)
        whole_prefix: dict[int, float] = {}
        for index, kind in below:
            whole_prefix[index] = max(whole_prefix.get(index, 0.0), _WHOLE_PREFIX[kind])
        self.below = tuple(whole_prefix)
        self.whole_prefix = tuple(whole_prefix.items())
        return below


@dataclass(slots=True)
class _Query:
    tokens: list[str]  # lowercase Latin words and Hangul words, titles removed
    titles: set[str]  # folded titles found in the query
    untitled: list[str] | None = None  # tokens with an attached Korean title kept (fallback)
    raw_letters: str = ""  # the non-title text as typed, for the keyboard reading

    @property
    def latin_only(self) -> bool:
        return all(not has_hangul(t) for t in self.tokens)


@dataclass(slots=True)
class _Scores:
    """Best (score, reason) per entry index."""

    best: dict[int, tuple[float, str]] = field(default_factory=dict)

    def add(self, index: int, score: float, reason: str) -> None:
        current = self.best.get(index)
        if current is None or score > current[0]:
            self.best[index] = (score, reason)

    def merge(self, other: _Scores, reason: str | None = None) -> None:
        for index, (score, why) in other.best.items():
            self.add(index, score, reason or why)


_COMPLETE = {
    "full": (EXACT, "exact"),
    "variant": (EXACT, "variant"),
    "swapped": (SWAPPED, "swapped"),
    "family": (PART, "family"),
    "given": (PART, "given"),
}
# A query that ends on a syllable boundary inside a name: a full-name prefix ("Kim Jae") is as
# telling as a family name; a prefix of the given name or of the swapped order is weaker.
_WHOLE_PREFIX = {"full": PART, "variant": PART, "family": PART, "given": PREFIX, "swapped": PREFIX}


class Resolver:
    """``indexed=False`` compares near misses and half-typed spellings with every entry, as the
    index's reference; answers are the same either way, only the time grows with the pack."""

    def __init__(self, entries: Iterable[NameEntry], *, indexed: bool = True) -> None:
        self.entries: tuple[NameEntry, ...] = tuple(entries)
        self._indexed = indexed
        # Per entry, the index of the first entry equal to it: a listed spelling ranks equal
        # entries alike, without hashing whole entries per query.
        first_equal: dict[NameEntry, int] = {}
        self._same_as = [first_equal.setdefault(e, i) for i, e in enumerate(self.entries)]
        self._root = _Node()
        self._aliases: dict[str, list[int]] = {}
        self._korean_titles: set[str] = set()
        self._english_titles: set[str] = set(_TITLE_SPELLINGS.values())
        self._titles_by_key: dict[str, frozenset[str]] = {}
        # Latin spellings listed in the pack, as letters: whole, given+family, family, given.
        # They break ties against matches that exist only through a generated reading.
        self._listed_forms: list[frozenset[str]] = []
        self._listed: dict[str, list[int]] = {}
        # Per entry: the syllable sequences a near miss is compared with (name, variants, and
        # the given+family order when the name splits).
        self._fuzzy_forms: list[tuple[tuple[Syllable, ...], ...]] = []
        self._syllable_skeletons: dict[Syllable, tuple[str, ...]] = {}
        for index, entry in enumerate(self.entries):
            self._index_entry(index, entry)
        self._root.finish()
        # Longest first, so "기조실장" is removed whole rather than as "실장".
        self._korean_suffixes = sorted(self._korean_titles, key=len, reverse=True)
        # Sorted, so the spellings that start with what is typed are one bisect away.
        self._alias_keys = sorted(self._aliases)
        self._listed_keys = sorted(self._listed)
        self._near_misses = _NearMissIndex(self._fuzzy_forms, self._syllable_skeletons)
        self._titles_of = [self._titles_by_key[entry.key] for entry in self.entries]
        self._listed_joined = ["".join("\n" + form for form in f) for f in self._listed_forms]

    # --- indexing ------------------------------------------------------------------------------

    def _index_entry(self, index: int, entry: NameEntry) -> None:
        full = syllables(entry.name_ko)
        hangul_forms = [full]
        self._root.insert(full, (index, "full"))
        latin_names = [entry.name_en]
        for variant in entry.variants:
            if has_hangul(variant):
                form = syllables(variant)
                hangul_forms.append(form)
                self._root.insert(form, (index, "variant"))
            else:
                latin_names.append(variant)
        for name in latin_names:
            self._aliases.setdefault(_letters(name), []).append(index)
        listed = frozenset(form for name in latin_names for form in _listed_forms(name))
        self._listed_forms.append(listed)
        for letters in listed:
            self._listed.setdefault(letters, []).append(index)

        family_size = self._family_size(full, entry.name_en)
        if family_size:
            family, given = full[:family_size], full[family_size:]
            self._root.insert(given + family, (index, "swapped"))
            self._root.insert(family, (index, "family"))
            self._root.insert(given, (index, "given"))
            hangul_forms.append(given + family)
        self._fuzzy_forms.append(tuple(hangul_forms))
        for form in hangul_forms:
            for syllable in form:
                if syllable not in self._syllable_skeletons:
                    self._syllable_skeletons[syllable] = tuple(
                        {skeleton(spelling) for spelling in spellings(syllable)}
                    )

        folded = frozenset(_fold_title(t) for t in entry.titles)
        self._titles_by_key[entry.key] = folded
        for title in folded:
            (self._korean_titles if has_hangul(title) else self._english_titles).add(title)

    @staticmethod
    def _family_size(full: tuple[Syllable, ...], name_en: str) -> int:
        """Syllables in the family name, or 0 when the name has no family/given split.

        A split needs three or more syllables and a space in the English name: two-syllable
        stage names (하영) and one-word pen names (홍비치라) are kept whole. The English first word
        decides between one- and two-syllable family names; one is the default.
        """
        words = name_en.split()
        if len(full) < 3 or len(words) < 2:
            return 0
        first = _letters(words[0])
        for size in (1, 2):
            if _spells(first, full[:size]):
                return size
        return 1

    # --- query parsing -------------------------------------------------------------------------

    def _parse(self, query: str) -> _Query:
        # NFKC folds full-width letters but would turn compatibility jamo (ㅇ) into conjoining
        # jamo, which 초성 search needs intact; so compose first and fold the rest per character.
        text = "".join(
            c if "\u3131" <= c <= "\u318e" else unicodedata.normalize("NFKC", c)
            for c in unicodedata.normalize("NFC", query)
        )
        text = strip_diacritics(_APOSTROPHES.sub("", text))
        titles: set[str] = set()
        kept_raw: list[str] = []
        tokens: list[str] = []
        untitled: list[str] = []
        attached = False
        for chunk in _CHUNK.split(text):
            if not chunk:
                continue
            folded = _fold_title(chunk)
            if folded in self._english_titles or folded in self._korean_titles:
                titles.add(folded)
                continue
            kept_raw.append(chunk)
            for word in _WORD.findall(chunk.lower()):
                untitled.append(word)
                stripped = self._strip_korean_title(word, titles)
                attached = attached or stripped != word
                tokens.append(stripped)
        return _Query(
            tokens=[t for t in tokens if t],
            titles=titles,
            untitled=untitled if attached else None,
            raw_letters=" ".join(kept_raw),
        )

    def _strip_korean_title(self, word: str, titles: set[str]) -> str:
        if not is_syllable(word[0]):
            return word
        for suffix in _KO_HONORIFICS:
            if word.endswith(suffix) and len(word) > len(suffix):
                word = word[: -len(suffix)]
        for title in self._korean_suffixes:
            if word.endswith(title) and len(word) > len(title):
                titles.add(title)
                return word[: -len(title)]
        return word

    # --- structural matching ----------------------------------------------------------------

    def _walk(self, tokens: list[str]) -> _Scores:
        """Match the tokens against every indexed form, reading romanized text as syllables."""
        scores = _Scores()
        if not tokens:
            return scores
        latin = [None if has_hangul(t) else readings(t) for t in tokens]
        # A typed 초성 is a wildcard for its syllable, so such a match is not "exact".
        uses_initials = any(is_initial_jamo(c) for t in tokens for c in t)
        last = len(tokens) - 1
        stack: list[tuple[int, int, _Node]] = [(0, 0, self._root)]
        seen: set[tuple[int, int, int]] = set()
        while stack:
            state = stack.pop()
            token_index, pos, node = state
            marker = (token_index, pos, id(node))
            if marker in seen:
                continue
            seen.add(marker)
            if token_index > last:
                self._record_end(node, scores, uses_initials)
                continue
            token = tokens[token_index]
            if pos == len(token):
                stack.append((token_index + 1, 0, node))
                continue
            table = latin[token_index]
            if table is not None:
                for reading in table[pos]:
                    for initial in reading.initials:
                        for syllable, child in node.by_initial.get(initial, ()):
                            if (
                                syllable.vowel in reading.vowels
                                and syllable.final in reading.finals
                            ):
                                stack.append((token_index, reading.end, child))
                if token_index == last:
                    for child in node.partials.get(token[pos:], ()):
                        self._record_below(child, scores, PREFIX)
                continue
            char = token[pos]
            typed = decompose(char)
            if typed is not None:
                exact = node.children.get(typed)
                if exact is not None:
                    stack.append((token_index, pos + 1, exact))
                if token_index == last and pos == len(token) - 1:
                    for partial in _hangul_partials(typed, node):
                        self._record_below(partial, scores, PREFIX)
            elif is_initial_jamo(char):
                for _, child in node.by_initial.get(INITIALS.index(char), ()):
                    stack.append((token_index, pos + 1, child))
        return scores

    @staticmethod
    def _record_end(node: _Node, scores: _Scores, uses_initials: bool) -> None:
        for index, kind in node.ends:
            score, reason = _COMPLETE[kind]
            scores.add(index, score, "initials" if uses_initials else reason)
        best = scores.best  # inlined _Scores.add: a short prefix reaches much of the pack
        for index, score in node.whole_prefix:
            current = best.get(index)
            if current is None or score > current[0]:
                best[index] = (score, "prefix")

    @staticmethod
    def _record_below(node: _Node, scores: _Scores, score: float) -> None:
        best = scores.best
        for index in node.below:
            current = best.get(index)
            if current is None or score > current[0]:
                best[index] = (score, "prefix")

    def _structural(self, parsed: _Query, partial_aliases: bool) -> _Scores:
        scores = self._walk(parsed.tokens)
        if parsed.untitled is not None:
            # "김원장" may be a name, not 김 + 원장: keep whichever reading matches better.
            scores.merge(self._walk(parsed.untitled))
        letters = "".join(parsed.tokens) if parsed.latin_only else ""
        if letters:
            for index in self._aliases.get(letters, ()):
                scores.add(index, EXACT, "variant")
            if partial_aliases and len(letters) >= 2:
                if self._indexed:
                    aliases = _starting_with(self._alias_keys, letters)
                else:
                    aliases = [alias for alias in self._aliases if alias.startswith(letters)]
                for alias in aliases:
                    for index in self._aliases[alias]:
                        scores.add(index, PREFIX, "prefix")
        if not scores.best and parsed.latin_only:
            hangul = from_keyboard(parsed.raw_letters)
            if hangul is not None:
                keyed = self._walk(_WORD.findall(hangul))
                scores.merge(keyed, "keyboard")
        return scores

    # --- fuzzy matching ----------------------------------------------------------------------

    def _fuzzy(self, parsed: _Query) -> _Scores:
        """Near misses: the query lines up with a name except for one syllable.

        Similarity is the share of syllables that match, the wrong one counting by how close
        it is; it is scaled below every structural tier. Only names the index finds within one
        slip are compared (``_fuzzy_scan`` compares every name, for reference).
        """
        if not self._indexed:
            return self._fuzzy_scan(parsed)
        if parsed.latin_only:
            aligner = _Aligner(parsed.tokens, self._syllable_skeletons)
            similarities = self._near_misses.romanized(aligner)
        else:
            query = syllables("".join(parsed.tokens))
            similarities = self._near_misses.hangul(query, FUZZY_MIN)
        scores = _Scores()
        for index, similarity in similarities.items():
            if similarity >= FUZZY_MIN:
                scores.add(index, similarity * FUZZY_SCALE, "fuzzy")
        return scores

    def _fuzzy_scan(self, parsed: _Query) -> _Scores:
        """``_fuzzy`` by comparing the query with every entry's forms."""
        scores = _Scores()
        if parsed.latin_only:
            aligner = _Aligner(parsed.tokens, self._syllable_skeletons)
            similarity_of = aligner.similarity
        else:
            query = syllables("".join(parsed.tokens))

            def similarity_of(form: tuple[Syllable, ...]) -> float:
                return _syllable_similarity(query, form)

        for index, forms in enumerate(self._fuzzy_forms):
            similarity = max(similarity_of(form) for form in forms)
            if similarity >= FUZZY_MIN:
                scores.add(index, similarity * FUZZY_SCALE, "fuzzy")
        return scores

    # --- answers -----------------------------------------------------------------------------

    def resolve(self, query: str, limit: int = 5, *, guesses: int = 0) -> Resolution:
        """The entry a fan means, or the candidates to ask about, or nothing.

        A unique answer carries just that entry; an ambiguous one lists up to ``limit``
        candidates, the tied best first. With ``guesses``, a "none" answer also carries what
        ``suggest(query, guesses)`` would list, without repeating the search that found nothing.
        """
        parsed = self._parse(query)
        resolution = self._resolve(parsed, limit)
        if resolution.outcome != "none" or guesses <= 0:
            return resolution
        found = self._suggest(parsed, guesses, fuzzy_found_nothing=bool(parsed.tokens))
        return Resolution("none", (), tuple(found))

    def _resolve(self, parsed: _Query, limit: int) -> Resolution:
        if not parsed.tokens:
            return Resolution("none", ())
        scores = self._structural(parsed, partial_aliases=False)
        fuzzy = not scores.best
        if fuzzy:
            scores = self._fuzzy(parsed)
        if not scores.best:
            return Resolution("none", ())
        listed = self._listed_rank(parsed, scores, prefixes=False)
        # Ranked as plain tuples, Candidates made only for the answer: "Cho" matches hundreds of
        # entries in a large pack. A tuple's second field is False when the entry has the title.
        ranked = sorted(self._ordered(scores, parsed.titles, listed))
        top = round(-ranked[0][0], 4)  # compared rounded, as the Candidates show it
        margin = FUZZY_MARGIN * FUZZY_SCALE if fuzzy else 1e-9
        # Sorted by score, so the best group is a head of the list.
        split = bisect_left(ranked, True, key=lambda item: round(-item[0], 4) <= top - margin)
        group, rest = ranked[:split], ranked[split:]
        widened = False
        if parsed.titles:
            titled = [item for item in group if not item[1]]
            if titled:
                rest = [item for at, item in enumerate(ranked) if item[1] or at >= split]
                group = titled
            else:
                # The title fits none of the best matches but fits a weaker one ("Dr. Kang" when
                # only the minister is named Kang): ask rather than guess.
                widened = any(not item[1] for item in rest)
                group += [item for item in rest if not item[1]]
                rest = [item for item in rest if item[1]]
        if len(group) > 1 and not fuzzy and not widened:
            # Equally good matches, but the query is a spelling listed for exactly one of them
            # ("Choo"); two or more listed ("Kim", "Choi") still ask.
            by_listing = [item for item in group if self._same_as[item[3]] in listed]
            if len(by_listing) == 1:
                group, rest = by_listing, [item for item in ranked if item is not by_listing[0]]
        unique = len(group) == 1 and (not fuzzy or top >= FUZZY_UNIQUE * FUZZY_SCALE)
        if unique:
            return Resolution("unique", (self._candidate(group[0]),))
        if not fuzzy:
            # Asking between equally good structural matches ("Lee": every Lee): a weaker
            # tier (a prefix of someone's given name) is not a plausible extra option.
            rest = [item for item in rest if round(-item[0], 4) >= top]
        answer = (group + rest)[: max(limit, 1)]
        return Resolution("ambiguous", tuple(self._candidate(item) for item in answer))

    def suggest(self, prefix: str, limit: int = 25) -> list[Candidate]:
        """Autocomplete: entries that the partial input could be heading for, best first."""
        return self._suggest(self._parse(prefix), limit, fuzzy_found_nothing=False)

    def _suggest(self, parsed: _Query, limit: int, fuzzy_found_nothing: bool) -> list[Candidate]:
        # fuzzy_found_nothing: resolve() already ran the same near-miss search, in vain.
        if not parsed.tokens:
            if parsed.titles:
                matching = [e for e in self.entries if self._has_title(e, parsed.titles)]
                return [Candidate(e, 0.0, "title") for e in matching[:limit]]
            return [Candidate(e, 0.0, "all") for e in self.entries[:limit]]
        scores = self._structural(parsed, partial_aliases=True)
        if not scores.best and not fuzzy_found_nothing:
            scores = self._fuzzy(parsed)
        listed = self._listed_rank(parsed, scores, prefixes=True)
        return self._rank(scores, parsed.titles, listed, limit)

    def _listed_rank(self, parsed: _Query, scores: _Scores, prefixes: bool) -> dict[int, int]:
        """Scored entries the romanized query spells as listed: 0 whole, 1 a prefix (typing).

        Keyed by ``_same_as`` index.
        """
        letters = "".join(parsed.tokens) if parsed.latin_only else ""
        if not letters:
            return {}
        same_as = self._same_as
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
        stop = bisect_left(self._listed_keys, letters + _LAST_CHAR, start)
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

    def _rank(
        self,
        scores: _Scores,
        titles: set[str],
        listed: dict[int, int],
        limit: int | None = None,
    ) -> list[Candidate]:
        """Best score first; among equals, a fitting title, then a listed spelling.

        With ``limit``, only the best ``limit`` (a short prefix can match much of the pack).
        """

        order = self._ordered(scores, titles, listed)
        if limit is not None and 0 <= limit < len(order):
            best = heapq.nsmallest(limit, order)  # the same as sorted(order)[:limit]
        else:
            best = sorted(order)[:limit]
        return [self._candidate(item) for item in best]

    def _ordered(self, scores: _Scores, titles: set[str], listed: dict[int, int]) -> list[_Ranked]:
        """Sort keys, one per scored entry; plain tuples compare fast (no key function)."""
        same_as, titles_of = self._same_as, self._titles_of
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

    def _candidate(self, item: _Ranked) -> Candidate:
        negated_score, _, _, index, reason = item
        return Candidate(self.entries[index], round(-negated_score, 4), reason)

    def _has_title(self, entry: NameEntry, titles: set[str]) -> bool:
        if not titles:
            return False
        return not titles.isdisjoint(self._titles_by_key.get(entry.key, ()))


# --- helpers ---------------------------------------------------------------------------------

_VOWEL_GROWTH = {8: (9, 10, 11), 13: (14, 15, 16), 18: (19,)}  # ㅗ->ㅘㅙㅚ, ㅜ->ㅝㅞㅟ, ㅡ->ㅢ
# Final consonant -> the same consonant as an initial (ㄱ->ㄱ, ㅇ->ㅇ ...), for IME states like 쟁.
_FINAL_AS_INITIAL = {FINALS.index(j): INITIALS.index(j) for j in FINALS if j and j in INITIALS}


def _hangul_partials(typed: Syllable, node: _Node) -> list[_Node]:
    """Nodes a half-composed last syllable may still become, as a Korean IME shows it.

    Typing 원 passes through 우 and 워; typing 재원 passes through 쟁 (the next initial sits in
    the final slot until the vowel arrives).
    """
    found: list[_Node] = []
    for syllable, child in node.by_initial.get(typed.initial, ()):
        vowel_ok = syllable.vowel == typed.vowel or syllable.vowel in _VOWEL_GROWTH.get(
            typed.vowel, ()
        )
        if not vowel_ok:
            continue
        if typed.final == 0 or syllable.final == typed.final:
            if syllable != typed:
                found.append(child)
            continue
        next_initial = _FINAL_AS_INITIAL.get(typed.final)
        if syllable.vowel == typed.vowel and syllable.final == 0 and next_initial is not None:
            found.extend(n for _, n in child.by_initial.get(next_initial, ()))
    return found


def _starting_with(sorted_keys: list[str], prefix: str) -> list[str]:
    start = bisect_left(sorted_keys, prefix)
    return sorted_keys[start : bisect_left(sorted_keys, prefix + _LAST_CHAR, start)]


def _listed_forms(name: str) -> set[str]:
    """A listed spelling as a fan may type it: whole, given+family, family alone, given alone.

    "Choo Young-woo" gives chooyoungwoo, youngwoochoo, choo and youngwoo. The first word is the
    family name, as everywhere in the pack's English names.
    """
    words = [_letters(word) for word in name.split()]
    words = [word for word in words if word]
    forms = {"".join(words)}
    if len(words) >= 2:
        family, given = words[0], "".join(words[1:])
        forms |= {given + family, family, given}
    forms.discard("")
    return forms


def _spells(letters: str, target: Sequence[Syllable]) -> bool:
    """Whether romanized ``letters`` can be read as exactly the ``target`` syllables."""
    table = readings(letters)
    states = {(0, 0)}
    while states:
        pos, done = states.pop()
        if pos == len(letters):
            if done == len(target):
                return True
            continue
        if done == len(target):
            continue
        for reading in table[pos]:
            if reading.admits(target[done]):
                states.add((reading.end, done + 1))
    return False


def _syllable_similarity(query: Sequence[Syllable], form: Sequence[Syllable]) -> float:
    """Share of matching jamo, syllable by syllable; 0 unless both have the same length."""
    if len(query) != len(form) or not form:
        return 0.0
    same = sum(
        (q.initial == f.initial) + (q.vowel == f.vowel) + (q.final == f.final)
        for q, f in zip(query, form, strict=True)
    )
    return same / (3 * len(form))


class _Aligner:
    """Lines romanized query text up with one name's syllables, allowing one wrong syllable.

    Exact syllables come from ``hangul.readings``. The wrong one must be a single slip (one
    letter added, dropped, changed or swapped in the skeleton) from some spelling of the real
    syllable: "Jae-wan" for Jae-won is a typo, "Jung Kyung-ho" is another actor, not a misspelt
    Yoon Kyung-ho.
    """

    MAX_WRONG_LETTERS = 7
    MAX_SLIPS = 1

    def __init__(self, tokens: list[str], syllable_skeletons: dict[Syllable, tuple[str, ...]]):
        self.text = "".join(tokens)
        self.token_of: list[int] = []
        self.starts: list[list[tuple[int, Reading]]] = []
        for number, token in enumerate(tokens):
            offset = len(self.token_of)
            self.token_of.extend([number] * len(token))
            for found in readings(token):
                self.starts.append([(r.end + offset, r) for r in found])
        self.ends: list[list[tuple[int, Reading]]] = [[] for _ in range(len(self.text) + 1)]
        for start, options in enumerate(self.starts):
            for end, reading in options:
                self.ends[end].append((start, reading))
        self.syllable_skeletons = syllable_skeletons
        self.segment_skeletons: dict[str, str] = {}

    def similarity(self, form: tuple[Syllable, ...]) -> float:
        size = len(form)
        if size < 2 or not self.text:
            return 0.0
        forward = [{0}]
        for syllable in form[:-1]:
            forward.append(
                {e for a in forward[-1] for e, r in self.starts[a] if r.admits(syllable)}
            )
        backward = [{len(self.text)}]
        for syllable in reversed(form[1:]):
            backward.append(
                {s for b in backward[-1] if b > 0 for s, r in self.ends[b] if r.admits(syllable)}
            )
        backward.reverse()  # backward[k]: where syllables k+1.. start matching exactly
        best = 0.0
        for k, syllable in enumerate(form):
            for a in forward[k]:
                for b in backward[k]:
                    if (
                        0 < b - a <= self.MAX_WRONG_LETTERS
                        and self.token_of[a] == self.token_of[b - 1]
                    ):
                        best = max(best, self.close(self.text[a:b], syllable))
        if best <= 0.0:
            return 0.0
        return (size - 1 + best) / size

    def skeleton_of(self, letters: str) -> str:
        folded = self.segment_skeletons.get(letters)
        if folded is None:
            folded = self.segment_skeletons[letters] = skeleton(letters)
        return folded

    def close(self, letters: str, syllable: Syllable) -> float:
        """Similarity 0..1 of a misspelt syllable, 0 when it is more than one slip away."""
        folded = self.skeleton_of(letters)
        forms = self.syllable_skeletons[syllable]
        if min(OSA.distance(folded, s) for s in forms) > self.MAX_SLIPS:
            return 0.0
        return max(fuzz.ratio(folded, s) for s in forms) / 100


# --- near-miss index -------------------------------------------------------------------------

SlotKey = tuple[int, int, int, int, int]  # (form length, position, left-out jamo, the other two)


def _slot_keys(size: int, position: int, syllable: Syllable) -> tuple[SlotKey, ...]:
    """A syllable with each of its jamo left out in turn: a syllable at most one jamo off
    shares at least one of these keys."""
    initial, vowel, final = syllable
    return (
        (size, position, 0, vowel, final),
        (size, position, 1, initial, final),
        (size, position, 2, initial, vowel),
    )


def _with_one_letter_less(text: str) -> set[str]:
    """``text`` and every string one letter shorter: two strings one slip apart (a letter
    added, dropped, changed or two swapped) always share one of these."""
    return {text} | {text[:cut] + text[cut + 1 :] for cut in range(len(text))}


class _FormNode:
    """Fuzzy forms syllable by syllable; ``ends``: the entries with a form ending here."""

    __slots__ = ("by_initial", "children", "depth", "ends")

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.children: dict[Syllable, _FormNode] = {}
        self.by_initial: dict[int, list[tuple[Syllable, _FormNode]]] = {}
        self.ends: list[int] = []

    def insert(self, form: Sequence[Syllable], index: int) -> None:
        node = self
        for syllable in form:
            child = node.children.get(syllable)
            if child is None:
                child = node.children[syllable] = _FormNode(node.depth + 1)
                node.by_initial.setdefault(syllable.initial, []).append((syllable, child))
            node = child
        if index not in node.ends:
            node.ends.append(index)


class _NearMissIndex:
    """Finds the names a query could be one slip from without comparing it with every name.

    A near miss is a name the query spells exactly but for one syllable (romanized query) or
    a same-length name with few wrong jamo (Hangul query). So a romanized query walks a trie
    of the names exactly, steps over one syllable that its letters miss by one slip (found
    by skeleton, one letter less), then walks exactly to the end; a Hangul query looks up
    each syllable, one jamo left out in turn, and keeps names found at enough positions.
    The similarities are the ones ``_Aligner`` and ``_syllable_similarity`` give.
    """

    def __init__(
        self,
        fuzzy_forms: Sequence[tuple[tuple[Syllable, ...], ...]],
        syllable_skeletons: dict[Syllable, tuple[str, ...]],
    ) -> None:
        self.root = _FormNode(0)  # forms of two or more syllables (the aligner needs two)
        self.forms: list[tuple[int, tuple[Syllable, ...]]] = []  # (entry index, form)
        self.forms_by_size: dict[int, list[int]] = {}
        self.by_slot: dict[SlotKey, list[int]] = {}
        for index, forms in enumerate(fuzzy_forms):
            for form in dict.fromkeys(forms):
                if len(form) >= 2:
                    self.root.insert(form, index)
                form_id = len(self.forms)
                self.forms.append((index, form))
                self.forms_by_size.setdefault(len(form), []).append(form_id)
                for position, syllable in enumerate(form):
                    for key in _slot_keys(len(form), position, syllable):
                        self.by_slot.setdefault(key, []).append(form_id)
        self.syllables_near: dict[str, set[Syllable]] = {}
        for syllable, skeletons in syllable_skeletons.items():
            for folded in skeletons:
                for shorter in _with_one_letter_less(folded):
                    self.syllables_near.setdefault(shorter, set()).add(syllable)

    # --- Hangul --------------------------------------------------------------------------------

    def hangul(self, query: tuple[Syllable, ...], min_similarity: float) -> dict[int, float]:
        """Best ``_syllable_similarity`` per entry that may reach ``min_similarity``."""
        size = len(query)
        if not size:
            return {}
        slots = 3 * size
        allowed = [m for m in range(slots + 1) if (slots - m) / slots >= min_similarity]
        if not allowed:
            return {}
        # Each syllable two or more jamo off uses two of the allowance, so at least
        # ``near_positions`` syllables are at most one jamo off, found under a slot key.
        near_positions = size - max(allowed) // 2
        if near_positions <= 0:
            candidates: Iterable[int] = self.forms_by_size.get(size, ())
        else:
            hits: Counter[int] = Counter()
            for position, syllable in enumerate(query):
                found: set[int] = set()
                for key in _slot_keys(size, position, syllable):
                    found.update(self.by_slot.get(key, ()))
                hits.update(found)
            candidates = [form_id for form_id, n in hits.items() if n >= near_positions]
        best: dict[int, float] = {}
        for form_id in candidates:
            index, form = self.forms[form_id]
            similarity = _syllable_similarity(query, form)
            if similarity > best.get(index, -1.0):
                best[index] = similarity
        return best

    # --- romanized ---------------------------------------------------------------------------

    def romanized(self, aligner: _Aligner) -> dict[int, float]:
        """Best ``aligner.similarity`` per entry, for entries where it is above 0."""
        text = aligner.text
        size = len(text)
        if not size:
            return {}
        readable = self._readable_to_end(aligner)
        near: dict[str, set[Syllable]] = {}
        # (where the exact rest starts, node after the wrong syllable) -> the nodes where
        # forms end with the rest read exactly, and the best closeness of the wrong syllable.
        finished: dict[tuple[int, int], list[_FormNode]] = {}
        slipped: dict[tuple[int, int], float] = {}
        for start, node in self._exact(aligner, 0, self.root):
            if start == size or not node.children:
                continue
            for end in range(start + 1, min(start + aligner.MAX_WRONG_LETTERS, size) + 1):
                if aligner.token_of[start] != aligner.token_of[end - 1]:
                    break  # the wrong syllable lies within one word
                if not readable[end]:
                    continue
                letters = text[start:end]
                folded = aligner.skeleton_of(letters)
                options = near.get(folded)
                if options is None:
                    options = near[folded] = self._syllables_near(folded)
                for syllable in options:
                    child = node.children.get(syllable)
                    if child is None:
                        continue
                    key = (end, id(child))
                    ends = finished.get(key)
                    if ends is None:
                        ends = finished[key] = self._finish(aligner, end, child)
                    if not ends:
                        continue  # checked before the costlier closeness
                    closeness = aligner.close(letters, syllable)
                    if closeness > slipped.get(key, 0.0):
                        slipped[key] = closeness
        best: dict[int, float] = {}
        for key, closeness in slipped.items():
            for at in finished[key]:
                similarity = (at.depth - 1 + closeness) / at.depth
                for index in at.ends:
                    if similarity > best.get(index, -1.0):
                        best[index] = similarity
        return best

    @classmethod
    def _finish(cls, aligner: _Aligner, start: int, node: _FormNode) -> list[_FormNode]:
        """Nodes where forms end after reading ``text[start:]`` exactly from ``node``."""
        size = len(aligner.text)
        if start == size:
            return [node] if node.ends else []
        # Most slips lead nowhere: no child that the next letters can spell.
        if not any(
            initial in node.by_initial
            for _, reading in aligner.starts[start]
            for initial in reading.initials
        ):
            return []
        reached = cls._exact(aligner, start, node)
        return [at for position, at in reached if position == size and at.ends]

    @staticmethod
    def _readable_to_end(aligner: _Aligner) -> list[bool]:
        """Per text position: whether the rest can be read as syllables at all."""
        size = len(aligner.text)
        readable = [False] * size + [True]
        for position in range(size - 1, -1, -1):
            readable[position] = any(readable[end] for end, _ in aligner.starts[position])
        return readable

    def _syllables_near(self, folded: str) -> set[Syllable]:
        """Syllables with a spelling that may be one slip from the skeleton ``folded``."""
        found: set[Syllable] = set()
        for key in _with_one_letter_less(folded):
            found |= self.syllables_near.get(key, set())
        return found

    @staticmethod
    def _exact(aligner: _Aligner, start: int, node: _FormNode) -> list[tuple[int, _FormNode]]:
        """Every (text position, node) reached from ``start``/``node`` reading syllables exactly."""
        size = len(aligner.text)
        reached: list[tuple[int, _FormNode]] = []
        seen: set[tuple[int, int]] = set()
        stack = [(start, node)]
        while stack:
            position, at = stack.pop()
            mark = (position, id(at))
            if mark in seen:
                continue
            seen.add(mark)
            reached.append((position, at))
            if position == size or not at.children:
                continue
            for end, reading in aligner.starts[position]:
                for initial in reading.initials:
                    for syllable, child in at.by_initial.get(initial, ()):
                        if syllable.vowel in reading.vowels and syllable.final in reading.finals:
                            stack.append((end, child))
        return reached
