"""The resolver: builds the indexes once from the pack's name entries, then answers a query
(unique, ambiguous or none) or lists autocomplete suggestions. Each step is a module of its own:
``query`` reads what was typed, ``trie`` matches it structurally, ``nearmiss`` finds names one
slip away, ``ranking`` orders what was found."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from bot.domain.hangul import Syllable, from_keyboard, has_hangul, skeleton, spellings, syllables
from bot.domain.resolver.entries import (
    EXACT,
    FUZZY_MARGIN,
    FUZZY_MIN,
    FUZZY_SCALE,
    FUZZY_UNIQUE,
    PREFIX,
    Candidate,
    NameEntry,
    Resolution,
)
from bot.domain.resolver.nearmiss import Aligner, NearMissIndex, syllable_similarity
from bot.domain.resolver.query import (
    TITLE_SPELLINGS,
    WORD,
    Query,
    QueryParser,
    fold_title,
    latin_letters,
    spells,
)
from bot.domain.resolver.ranking import Ranker, listed_forms, starting_with
from bot.domain.resolver.trie import Node, Scores, walk


class Resolver:
    """``indexed=False`` compares near misses and half-typed spellings with every entry, as the
    index's reference; answers are the same either way, only the time grows with the pack."""

    def __init__(self, entries: Iterable[NameEntry], *, indexed: bool = True) -> None:
        self.entries: tuple[NameEntry, ...] = tuple(entries)
        self._indexed = indexed
        self._root = Node()
        self._aliases: dict[str, list[int]] = {}
        self._korean_titles: set[str] = set()
        self._english_titles: set[str] = set(TITLE_SPELLINGS.values())
        self._titles_by_key: dict[str, frozenset[str]] = {}
        # Latin spellings listed in the pack, as letters: whole, given+family, family, given.
        # They break ties against matches that exist only through a generated reading.
        self._listed_forms: list[frozenset[str]] = []
        # Per entry: the syllable sequences a near miss is compared with (name, variants, and
        # the given+family order when the name splits).
        self._fuzzy_forms: list[tuple[tuple[Syllable, ...], ...]] = []
        self._syllable_skeletons: dict[Syllable, tuple[str, ...]] = {}
        for index, entry in enumerate(self.entries):
            self._index_entry(index, entry)
        self._root.finish()
        self._parser = QueryParser(self._english_titles, self._korean_titles)
        # Sorted, so the spellings that start with what is typed are one bisect away.
        self._alias_keys = sorted(self._aliases)
        self._near_misses = NearMissIndex(self._fuzzy_forms, self._syllable_skeletons)
        self._ranker = Ranker(
            self.entries, self._titles_by_key, self._listed_forms, indexed=indexed
        )

    # --- indexing ----------------------------------------------------------------------

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
            self._aliases.setdefault(latin_letters(name), []).append(index)
        listed = frozenset(form for name in latin_names for form in listed_forms(name))
        self._listed_forms.append(listed)

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

        folded = frozenset(fold_title(t) for t in entry.titles)
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
        first = latin_letters(words[0])
        for size in (1, 2):
            if spells(first, full[:size]):
                return size
        return 1

    # --- query parsing -------------------------------------------------------------------------

    def _structural(self, parsed: Query, partial_aliases: bool) -> Scores:
        scores = walk(self._root, parsed.tokens)
        if parsed.untitled is not None:
            # "김원장" may be a name, not 김 + 원장: keep whichever reading matches better.
            scores.merge(walk(self._root, parsed.untitled))
        letters = "".join(parsed.tokens) if parsed.latin_only else ""
        if letters:
            for index in self._aliases.get(letters, ()):
                scores.add(index, EXACT, "variant")
            if partial_aliases and len(letters) >= 2:
                if self._indexed:
                    aliases = starting_with(self._alias_keys, letters)
                else:
                    aliases = [alias for alias in self._aliases if alias.startswith(letters)]
                for alias in aliases:
                    for index in self._aliases[alias]:
                        scores.add(index, PREFIX, "prefix")
        if not scores.best and parsed.latin_only:
            hangul = from_keyboard(parsed.raw_letters)
            if hangul is not None:
                keyed = walk(self._root, WORD.findall(hangul))
                scores.merge(keyed, "keyboard")
        return scores

    # --- fuzzy matching ----------------------------------------------------------------------

    def _fuzzy(self, parsed: Query) -> Scores:
        """Near misses: the query lines up with a name except for one syllable.

        Similarity is the share of syllables that match, the wrong one counting by how close
        it is; it is scaled below every structural tier. Only names the index finds within one
        slip are compared (``_fuzzy_scan`` compares every name, for reference).
        """
        if not self._indexed:
            return self._fuzzy_scan(parsed)
        if parsed.latin_only:
            aligner = Aligner(parsed.tokens, self._syllable_skeletons)
            similarities = self._near_misses.romanized(aligner)
        else:
            query = syllables("".join(parsed.tokens))
            similarities = self._near_misses.hangul(query, FUZZY_MIN)
        scores = Scores()
        for index, similarity in similarities.items():
            if similarity >= FUZZY_MIN:
                scores.add(index, similarity * FUZZY_SCALE, "fuzzy")
        return scores

    def _fuzzy_scan(self, parsed: Query) -> Scores:
        """``_fuzzy`` by comparing the query with every entry's forms."""
        scores = Scores()
        if parsed.latin_only:
            aligner = Aligner(parsed.tokens, self._syllable_skeletons)
            similarity_of = aligner.similarity
        else:
            query = syllables("".join(parsed.tokens))

            def similarity_of(form: tuple[Syllable, ...]) -> float:
                return syllable_similarity(query, form)

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
        parsed = self._parser.parse(query)
        resolution = self._resolve(parsed, limit)
        if resolution.outcome != "none" or guesses <= 0:
            return resolution
        found = self._suggest(parsed, guesses, fuzzy_found_nothing=bool(parsed.tokens))
        return Resolution("none", (), tuple(found))

    def _resolve(self, parsed: Query, limit: int) -> Resolution:
        if not parsed.tokens:
            return Resolution("none", ())
        scores = self._structural(parsed, partial_aliases=False)
        fuzzy = not scores.best
        if fuzzy:
            scores = self._fuzzy(parsed)
        if not scores.best:
            return Resolution("none", ())
        listed = self._ranker.listed_rank(parsed, scores, prefixes=False)
        # Ranked as plain tuples, Candidates made only for the answer: "Cho" matches hundreds of
        # entries in a large pack. A tuple's second field is False when the entry has the title.
        ranked = sorted(self._ranker.ordered(scores, parsed.titles, listed))
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
            by_listing = [item for item in group if self._ranker.same_as[item[3]] in listed]
            if len(by_listing) == 1:
                group, rest = by_listing, [item for item in ranked if item is not by_listing[0]]
        unique = len(group) == 1 and (not fuzzy or top >= FUZZY_UNIQUE * FUZZY_SCALE)
        if unique:
            return Resolution("unique", (self._ranker.candidate(group[0]),))
        if not fuzzy:
            # Asking between equally good structural matches ("Lee": every Lee): a weaker
            # tier (a prefix of someone's given name) is not a plausible extra option.
            rest = [item for item in rest if round(-item[0], 4) >= top]
        answer = (group + rest)[: max(limit, 1)]
        return Resolution("ambiguous", tuple(self._ranker.candidate(item) for item in answer))

    def suggest(self, prefix: str, limit: int = 25) -> list[Candidate]:
        """Autocomplete: entries that the partial input could be heading for, best first."""
        return self._suggest(self._parser.parse(prefix), limit, fuzzy_found_nothing=False)

    def _suggest(self, parsed: Query, limit: int, fuzzy_found_nothing: bool) -> list[Candidate]:
        # fuzzy_found_nothing: resolve() already ran the same near-miss search, in vain.
        if not parsed.tokens:
            if parsed.titles:
                matching = [e for e in self.entries if self._ranker.has_title(e, parsed.titles)]
                return [Candidate(e, 0.0, "title") for e in matching[:limit]]
            return [Candidate(e, 0.0, "all") for e in self.entries[:limit]]
        scores = self._structural(parsed, partial_aliases=True)
        if not scores.best and not fuzzy_found_nothing:
            scores = self._fuzzy(parsed)
        listed = self._ranker.listed_rank(parsed, scores, prefixes=True)
        return self._ranker.rank(scores, parsed.titles, listed, limit)
