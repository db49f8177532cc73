"""The name trie: every entry's Hangul forms, syllable by syllable, and the walk that reads a
query through it (romanized text segmented into syllables as it goes, 초성 as wildcards,
half-typed last syllables as an IME shows them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain.hangul import (
    FINALS,
    INITIALS,
    Syllable,
    decompose,
    has_hangul,
    is_initial_jamo,
    readings,
    spellings,
)
from bot.domain.resolver.entries import EXACT, PART, PREFIX, SWAPPED

Mark = tuple[int, str]  # (entry index, form kind)

COMPLETE = {
    "full": (EXACT, "exact"),
    "variant": (EXACT, "variant"),
    "swapped": (SWAPPED, "swapped"),
    "family": (PART, "family"),
    "given": (PART, "given"),
}
# A query that ends on a syllable boundary inside a name: a full-name prefix ("Kim Jae") is as
# telling as a family name; a prefix of the given name or of the swapped order is weaker.
WHOLE_PREFIX = {"full": PART, "variant": PART, "family": PART, "given": PREFIX, "swapped": PREFIX}


@dataclass(slots=True)
class Scores:
    """Best (score, reason) per entry index."""

    best: dict[int, tuple[float, str]] = field(default_factory=dict)

    def add(self, index: int, score: float, reason: str) -> None:
        current = self.best.get(index)
        if current is None or score > current[0]:
            self.best[index] = (score, reason)

    def merge(self, other: Scores, reason: str | None = None) -> None:
        for index, (score, why) in other.best.items():
            self.add(index, score, reason or why)


class Node:
    __slots__ = ("below", "by_initial", "children", "ends", "partials", "whole_prefix")

    def __init__(self) -> None:
        self.children: dict[Syllable, Node] = {}
        self.by_initial: dict[int, list[tuple[Syllable, Node]]] = {}
        self.ends: list[Mark] = []
        # Entries with a form ending here or deeper: each index once, and with the best
        # WHOLE_PREFIX score of its forms (a query ending here is a prefix of them).
        self.below: tuple[int, ...] = ()
        self.whole_prefix: tuple[tuple[int, float], ...] = ()
        self.partials: dict[str, list[Node]] = {}

    def insert(self, path: Sequence[Syllable], mark: Mark) -> None:
        node = self
        for syllable in path:
            node = node.children.setdefault(syllable, Node())
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
            whole_prefix[index] = max(whole_prefix.get(index, 0.0), WHOLE_PREFIX[kind])
        self.below = tuple(whole_prefix)
        self.whole_prefix = tuple(whole_prefix.items())
        return below


def walk(root: Node, tokens: list[str]) -> Scores:
    """Match the tokens against every indexed form, reading romanized text as syllables."""
    scores = Scores()
    if not tokens:
        return scores
    latin = [None if has_hangul(t) else readings(t) for t in tokens]
    # A typed 초성 is a wildcard for its syllable, so such a match is not "exact".
    uses_initials = any(is_initial_jamo(c) for t in tokens for c in t)
    last = len(tokens) - 1
    stack: list[tuple[int, int, Node]] = [(0, 0, root)]
    seen: set[tuple[int, int, int]] = set()
    while stack:
        state = stack.pop()
        token_index, pos, node = state
        marker = (token_index, pos, id(node))
        if marker in seen:
            continue
        seen.add(marker)
        if token_index > last:
            record_end(node, scores, uses_initials)
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
                        if syllable.vowel in reading.vowels and syllable.final in reading.finals:
                            stack.append((token_index, reading.end, child))
            if token_index == last:
                for child in node.partials.get(token[pos:], ()):
                    record_below(child, scores, PREFIX)
            continue
        char = token[pos]
        typed = decompose(char)
        if typed is not None:
            exact = node.children.get(typed)
            if exact is not None:
                stack.append((token_index, pos + 1, exact))
            if token_index == last and pos == len(token) - 1:
                for partial in hangul_partials(typed, node):
                    record_below(partial, scores, PREFIX)
        elif is_initial_jamo(char):
            for _, child in node.by_initial.get(INITIALS.index(char), ()):
                stack.append((token_index, pos + 1, child))
    return scores


def record_end(node: Node, scores: Scores, uses_initials: bool) -> None:
    for index, kind in node.ends:
        score, reason = COMPLETE[kind]
        scores.add(index, score, "initials" if uses_initials else reason)
    best = scores.best  # inlined Scores.add: a short prefix reaches much of the pack
    for index, score in node.whole_prefix:
        current = best.get(index)
        if current is None or score > current[0]:
            best[index] = (score, "prefix")


def record_below(node: Node, scores: Scores, score: float) -> None:
    best = scores.best
    for index in node.below:
        current = best.get(index)
        if current is None or score > current[0]:
            best[index] = (score, "prefix")


VOWEL_GROWTH = {8: (9, 10, 11), 13: (14, 15, 16), 18: (19,)}  # ㅗ->ㅘㅙㅚ, ㅜ->ㅝㅞㅟ, ㅡ->ㅢ
# Final consonant -> the same consonant as an initial (ㄱ->ㄱ, ㅇ->ㅇ ...), for IME states like 쟁.
FINAL_AS_INITIAL = {FINALS.index(j): INITIALS.index(j) for j in FINALS if j and j in INITIALS}


def hangul_partials(typed: Syllable, node: Node) -> list[Node]:
    """Nodes a half-composed last syllable may still become, as a Korean IME shows it.

    Typing 원 passes through 우 and 워; typing 재원 passes through 쟁 (the next initial sits in
    the final slot until the vowel arrives).
    """
    found: list[Node] = []
    for syllable, child in node.by_initial.get(typed.initial, ()):
        vowel_ok = syllable.vowel == typed.vowel or syllable.vowel in VOWEL_GROWTH.get(
            typed.vowel, ()
        )
        if not vowel_ok:
            continue
        if typed.final == 0 or syllable.final == typed.final:
            if syllable != typed:
                found.append(child)
            continue
        next_initial = FINAL_AS_INITIAL.get(typed.final)
        if syllable.vowel == typed.vowel and syllable.final == 0 and next_initial is not None:
            found.extend(n for _, n in child.by_initial.get(next_initial, ()))
    return found
