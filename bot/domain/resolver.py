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
"""

from __future__ import annotations

import re
import unicodedata
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

Mark = tuple[int, str]  # (entry index, form kind)


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
    __slots__ = ("below", "by_initial", "children", "ends", "partials")

    def __init__(self) -> None:
        self.children: dict[Syllable, _Node] = {}
        self.by_initial: dict[int, list[tuple[Syllable, _Node]]] = {}
        self.ends: list[Mark] = []
        self.below: tuple[Mark, ...] = ()
        self.partials: dict[str, list[_Node]] = {}

    def insert(self, path: Sequence[Syllable], mark: Mark) -> None:
        node = self
        for syllable in path:
            node = node.children.setdefault(syllable, _Node())
        if mark not in node.ends:
            node.ends.append(mark)

    def finish(self) -> None:
        """Fill the lookup tables once all names are inserted."""
        below = list(self.ends)
        for syllable, child in self.children.items():
            child.finish()
            below.extend(m for m in child.below if m not in below)
            self.by_initial.setdefault(syllable.initial, []).append((syllable, child))
            # Every proper prefix of every spelling of the child, for half-typed syllables.
            for spelling in spellings(syllable):
                for end in range(1, len(spelling) + 1):
                    nodes = self.partials.setdefault(spelling[:end], [])
                    if child not in nodes:
                        nodes.append(child)
        self.below = tuple(below)


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
    def __init__(self, entries: Iterable[NameEntry]) -> None:
        self.entries: tuple[NameEntry, ...] = tuple(entries)
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
        for index, kind in node.below:
            scores.add(index, _WHOLE_PREFIX[kind], "prefix")

    @staticmethod
    def _record_below(node: _Node, scores: _Scores, score: float) -> None:
        for index, _ in node.below:
            scores.add(index, score, "prefix")

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
                for alias, indexes in self._aliases.items():
                    if alias.startswith(letters):
                        for index in indexes:
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
        it is; it is scaled below every structural tier.
        """
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

    def resolve(self, query: str, limit: int = 5) -> Resolution:
        """The entry a fan means, or the candidates to ask about, or nothing.

        A unique answer carries just that entry; an ambiguous one lists up to ``limit``
        candidates, the tied best first.
        """
        parsed = self._parse(query)
        if not parsed.tokens:
            return Resolution("none", ())
        scores = self._structural(parsed, partial_aliases=False)
        fuzzy = not scores.best
        if fuzzy:
            scores = self._fuzzy(parsed)
        if not scores.best:
            return Resolution("none", ())
        listed = self._listed_rank(parsed, scores, prefixes=False)
        ranked = self._rank(scores, parsed.titles, listed)
        top = ranked[0].score
        margin = FUZZY_MARGIN * FUZZY_SCALE if fuzzy else 1e-9
        group = [c for c in ranked if c.score > top - margin]
        rest = [c for c in ranked if c.score <= top - margin]
        widened = False
        if parsed.titles:
            titled = [c for c in group if self._has_title(c.entry, parsed.titles)]
            if titled:
                group, rest = titled, [c for c in ranked if c not in titled]
            else:
                # The title fits none of the best matches but fits a weaker one ("Dr. Kang" when
                # only the minister is named Kang): ask rather than guess.
                widened = any(self._has_title(c.entry, parsed.titles) for c in rest)
                group += [c for c in rest if self._has_title(c.entry, parsed.titles)]
                rest = [c for c in rest if c not in group]
        if len(group) > 1 and not fuzzy and not widened:
            # Equally good matches, but the query is a spelling listed for exactly one of them
            # ("Choo"); two or more listed ("Kim", "Choi") still ask.
            by_listing = [c for c in group if c.entry in listed]
            if len(by_listing) == 1:
                group, rest = by_listing, [c for c in ranked if c is not by_listing[0]]
        unique = len(group) == 1 and (not fuzzy or top >= FUZZY_UNIQUE * FUZZY_SCALE)
        if unique:
            return Resolution("unique", (group[0],))
        return Resolution("ambiguous", tuple((group + rest)[: max(limit, 1)]))

    def suggest(self, prefix: str, limit: int = 25) -> list[Candidate]:
        """Autocomplete: entries that the partial input could be heading for, best first."""
        parsed = self._parse(prefix)
        if not parsed.tokens:
            if parsed.titles:
                matching = [e for e in self.entries if self._has_title(e, parsed.titles)]
                return [Candidate(e, 0.0, "title") for e in matching[:limit]]
            return [Candidate(e, 0.0, "all") for e in self.entries[:limit]]
        scores = self._structural(parsed, partial_aliases=True)
        if not scores.best:
            scores = self._fuzzy(parsed)
        listed = self._listed_rank(parsed, scores, prefixes=True)
        return self._rank(scores, parsed.titles, listed)[:limit]

    def _listed_rank(self, parsed: _Query, scores: _Scores, prefixes: bool) -> dict[NameEntry, int]:
        """Scored entries the romanized query spells as listed: 0 whole, 1 a prefix (typing)."""
        letters = "".join(parsed.tokens) if parsed.latin_only else ""
        if not letters:
            return {}
        rank = {self.entries[i]: 0 for i in self._listed.get(letters, ()) if i in scores.best}
        if prefixes:
            for index in scores.best:
                entry = self.entries[index]
                if entry not in rank and any(
                    form.startswith(letters) for form in self._listed_forms[index]
                ):
                    rank[entry] = 1
        return rank

    def _rank(
        self, scores: _Scores, titles: set[str], listed: dict[NameEntry, int]
    ) -> list[Candidate]:
        """Best score first; among equals, a fitting title, then a listed spelling."""

        def order(item: tuple[int, tuple[float, str]]) -> tuple[float, bool, int, int]:
            index, (score, _) = item
            entry = self.entries[index]
            return (-score, not self._has_title(entry, titles), listed.get(entry, 2), index)

        return [
            Candidate(self.entries[index], round(score, 4), reason)
            for index, (score, reason) in sorted(scores.best.items(), key=order)
        ]

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
                        best = max(best, self._close(self.text[a:b], syllable))
        if best <= 0.0:
            return 0.0
        return (size - 1 + best) / size

    def _close(self, letters: str, syllable: Syllable) -> float:
        """Similarity 0..1 of a misspelt syllable, 0 when it is more than one slip away."""
        folded = self.segment_skeletons.get(letters)
        if folded is None:
            folded = self.segment_skeletons[letters] = skeleton(letters)
        forms = self.syllable_skeletons[syllable]
        if min(OSA.distance(folded, s) for s in forms) > self.MAX_SLIPS:
            return 0.0
        return max(fuzz.ratio(folded, s) for s in forms) / 100
