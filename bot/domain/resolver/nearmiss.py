"""Near misses: a query one slip from a name (one syllable misspelt, or a few wrong jamo)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from bot.domain.hangul import Reading, Syllable, readings, skeleton


def syllable_similarity(query: Sequence[Syllable], form: Sequence[Syllable]) -> float:
    """Share of matching jamo, syllable by syllable; 0 unless both have the same length."""
    if len(query) != len(form) or not form:
        return 0.0
    same = sum(
        (q.initial == f.initial) + (q.vowel == f.vowel) + (q.final == f.final)
        for q, f in zip(query, form, strict=True)
    )
    return same / (3 * len(form))


class Aligner:
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


def slot_keys(size: int, position: int, syllable: Syllable) -> tuple[SlotKey, ...]:
    """A syllable with each of its jamo left out in turn: a syllable at most one jamo off
    shares at least one of these keys."""
    initial, vowel, final = syllable
    return (
        (size, position, 0, vowel, final),
        (size, position, 1, initial, final),
        (size, position, 2, initial, vowel),
    )


def with_one_letter_less(text: str) -> set[str]:
    """``text`` and every string one letter shorter: two strings one slip apart (a letter
    added, dropped, changed or two swapped) always share one of these."""
    return {text} | {text[:cut] + text[cut + 1 :] for cut in range(len(text))}


class FormNode:
    """Fuzzy forms syllable by syllable; ``ends``: the entries with a form ending here."""

    __slots__ = ("by_initial", "children", "depth", "ends")

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.children: dict[Syllable, FormNode] = {}
        self.by_initial: dict[int, list[tuple[Syllable, FormNode]]] = {}
        self.ends: list[int] = []

    def insert(self, form: Sequence[Syllable], index: int) -> None:
        node = self
        for syllable in form:
            child = node.children.get(syllable)
            if child is None:
                child = node.children[syllable] = FormNode(node.depth + 1)
                node.by_initial.setdefault(syllable.initial, []).append((syllable, child))
            node = child
        if index not in node.ends:
            node.ends.append(index)


class NearMissIndex:
    """Finds the names a query could be one slip from without comparing it with every name.

    A near miss is a name the query spells exactly but for one syllable (romanized query) or
    a same-length name with few wrong jamo (Hangul query). So a romanized query walks a trie
    of the names exactly, steps over one syllable that its letters miss by one slip (found
    by skeleton, one letter less), then walks exactly to the end; a Hangul query looks up
    each syllable, one jamo left out in turn, and keeps names found at enough positions.
    The similarities are the ones ``Aligner`` and ``syllable_similarity`` give.
    """

    def __init__(
        self,
        fuzzy_forms: Sequence[tuple[tuple[Syllable, ...], ...]],
        syllable_skeletons: dict[Syllable, tuple[str, ...]],
    ) -> None:
        self.root = FormNode(0)  # forms of two or more syllables (the aligner needs two)
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
                    for key in slot_keys(len(form), position, syllable):
                        self.by_slot.setdefault(key, []).append(form_id)
        self.syllables_near: dict[str, set[Syllable]] = {}
        for syllable, skeletons in syllable_skeletons.items():
            for folded in skeletons:
                for shorter in with_one_letter_less(folded):
                    self.syllables_near.setdefault(shorter, set()).add(syllable)

    # --- Hangul --------------------------------------------------------------------------------

    def hangul(self, query: tuple[Syllable, ...], min_similarity: float) -> dict[int, float]:
        """Best ``syllable_similarity`` per entry that may reach ``min_similarity``."""
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
                for key in slot_keys(size, position, syllable):
                    found.update(self.by_slot.get(key, ()))
                hits.update(found)
            candidates = [form_id for form_id, n in hits.items() if n >= near_positions]
        best: dict[int, float] = {}
        for form_id in candidates:
            index, form = self.forms[form_id]
            similarity = syllable_similarity(query, form)
            if similarity > best.get(index, -1.0):
                best[index] = similarity
        return best

    # --- romanized ---------------------------------------------------------------------------

    def romanized(self, aligner: Aligner) -> dict[int, float]:
        """Best ``aligner.similarity`` per entry, for entries where it is above 0."""
        text = aligner.text
        size = len(text)
        if not size:
            return {}
        readable = self._readable_to_end(aligner)
        near: dict[str, set[Syllable]] = {}
        # (where the exact rest starts, node after the wrong syllable) -> the nodes where
        # forms end with the rest read exactly, and the best closeness of the wrong syllable.
        finished: dict[tuple[int, int], list[FormNode]] = {}
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
    def _finish(cls, aligner: Aligner, start: int, node: FormNode) -> list[FormNode]:
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
    def _readable_to_end(aligner: Aligner) -> list[bool]:
        """Per text position: whether the rest can be read as syllables at all."""
        size = len(aligner.text)
        readable = [False] * size + [True]
        for position in range(size - 1, -1, -1):
            readable[position] = any(readable[end] for end, _ in aligner.starts[position])
        return readable

    def _syllables_near(self, folded: str) -> set[Syllable]:
        """Syllables with a spelling that may be one slip from the skeleton ``folded``."""
        found: set[Syllable] = set()
        for key in with_one_letter_less(folded):
            found |= self.syllables_near.get(key, set())
        return found

    @staticmethod
    def _exact(aligner: Aligner, start: int, node: FormNode) -> list[tuple[int, FormNode]]:
        """Every (text position, node) reached from ``start``/``node`` reading syllables exactly."""
        size = len(aligner.text)
        reached: list[tuple[int, FormNode]] = []
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
