"""Reading a query: Unicode folding, titles ("Dr.", "교수님") taken out, words split.

Also how romanized letters are checked against syllables (``spells``), which indexing uses to
split a name into family and given parts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.hangul import Syllable, has_hangul, is_syllable, readings, strip_diacritics

# Generic English honorifics, folded to one spelling each; entry titles are added per pack.
TITLE_SPELLINGS = {
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
KO_HONORIFICS = ("님", "씨")
APOSTROPHES = re.compile(r"['’‘ʼ`]")
CHUNK = re.compile(r"\s+|(?<=\.)")  # "Dr.Baek" is "Dr." + "Baek"
WORD = re.compile(r"[a-z]+|[\uac00-\ud7a3\u3131-\u314e]+")
LATIN = re.compile(r"[a-z]")


def fold_title(title: str) -> str:
    """One comparable spelling per title: "Dr." -> "doctor", "선생님" -> "선생"."""
    folded = strip_diacritics(title).casefold().strip(" .")
    for suffix in KO_HONORIFICS:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            folded = folded[: -len(suffix)]
    return TITLE_SPELLINGS.get(folded, folded)


def latin_letters(text: str) -> str:
    return "".join(LATIN.findall(strip_diacritics(text).lower()))


def spells(letters: str, target: Sequence[Syllable]) -> bool:
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


@dataclass(slots=True)
class Query:
    tokens: list[str]  # lowercase Latin words and Hangul words, titles removed
    titles: set[str]  # folded titles found in the query
    untitled: list[str] | None = None  # tokens with an attached Korean title kept (fallback)
    raw_letters: str = ""  # the non-title text as typed, for the keyboard reading

    @property
    def latin_only(self) -> bool:
        return all(not has_hangul(t) for t in self.tokens)


class QueryParser:
    """Splits a query into words and titles; knows the titles of the pack it was built for."""

    def __init__(self, english_titles: Iterable[str], korean_titles: Iterable[str]) -> None:
        self._english_titles = set(english_titles)
        self._korean_titles = set(korean_titles)
        # Longest first, so "기조실장" is removed whole rather than as "실장".
        self._korean_suffixes = sorted(self._korean_titles, key=len, reverse=True)

    def parse(self, query: str) -> Query:
        # NFKC folds full-width letters but would turn compatibility jamo (ㅇ) into conjoining
        # jamo, which 초성 search needs intact; so compose first and fold the rest per character.
        text = "".join(
            c if "\u3131" <= c <= "\u318e" else unicodedata.normalize("NFKC", c)
            for c in unicodedata.normalize("NFC", query)
        )
        text = strip_diacritics(APOSTROPHES.sub("", text))
        titles: set[str] = set()
        kept_raw: list[str] = []
        tokens: list[str] = []
        untitled: list[str] = []
        attached = False
        for chunk in CHUNK.split(text):
            if not chunk:
                continue
            folded = fold_title(chunk)
            if folded in self._english_titles or folded in self._korean_titles:
                titles.add(folded)
                continue
            kept_raw.append(chunk)
            for word in WORD.findall(chunk.lower()):
                untitled.append(word)
                stripped = self._strip_korean_title(word, titles)
                attached = attached or stripped != word
                tokens.append(stripped)
        return Query(
            tokens=[t for t in tokens if t],
            titles=titles,
            untitled=untitled if attached else None,
            raw_letters=" ".join(kept_raw),
        )

    def _strip_korean_title(self, word: str, titles: set[str]) -> str:
        if not is_syllable(word[0]):
            return word
        for suffix in KO_HONORIFICS:
            if word.endswith(suffix) and len(word) > len(suffix):
                word = word[: -len(suffix)]
        for title in self._korean_suffixes:
            if word.endswith(title) and len(word) > len(title):
                titles.add(title)
                return word[: -len(title)]
        return word
