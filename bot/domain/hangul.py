"""Hangul arithmetic and romanization keys for name search.

Three jobs, all pure functions:
- decompose/compose Hangul syllables (U+AC00..U+D7A3) and read their initial consonants (초성);
- read romanized text as Korean syllables: every way fans spell a syllable (Revised
  Romanization, McCune–Reischauer without diacritics, popular spellings) maps to the *set* of
  jamo it may stand for, so one reading can match several real syllables;
- convert text typed on a US keyboard in the 2-beolsik layout back to Hangul, and reduce any
  name to a coarse "skeleton" string for typo-tolerant comparison.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

SYLLABLE_FIRST = 0xAC00
SYLLABLE_LAST = 0xD7A3
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = (
    "",
    "ㄱ",
    "ㄲ",
    "ㄳ",
    "ㄴ",
    "ㄵ",
    "ㄶ",
    "ㄷ",
    "ㄹ",
    "ㄺ",
    "ㄻ",
    "ㄼ",
    "ㄽ",
    "ㄾ",
    "ㄿ",
    "ㅀ",
    "ㅁ",
    "ㅂ",
    "ㅄ",
    "ㅅ",
    "ㅆ",
    "ㅇ",
    "ㅈ",
    "ㅊ",
    "ㅋ",
    "ㅌ",
    "ㅍ",
    "ㅎ",
)


class Syllable(NamedTuple):
    """Indexes into INITIALS, VOWELS and FINALS (final 0 = no final consonant)."""

    initial: int
    vowel: int
    final: int


# --- decomposition ---------------------------------------------------------------------------


def is_syllable(char: str) -> bool:
    return len(char) == 1 and SYLLABLE_FIRST <= ord(char) <= SYLLABLE_LAST


def is_initial_jamo(char: str) -> bool:
    """A compatibility consonant that can start a syllable (what 초성 search types)."""
    return len(char) == 1 and char in INITIALS


def has_hangul(text: str) -> bool:
    return any(is_syllable(char) or is_initial_jamo(char) or char in VOWELS for char in text)


def decompose(char: str) -> Syllable | None:
    if not is_syllable(char):
        return None
    index = ord(char) - SYLLABLE_FIRST
    return Syllable(index // 588, (index % 588) // 28, index % 28)


def compose(syllable: Syllable) -> str:
    initial, vowel, final = syllable
    return chr(SYLLABLE_FIRST + initial * 588 + vowel * 28 + final)


def syllables(text: str) -> tuple[Syllable, ...]:
    """The Hangul syllables of ``text`` in order; anything else is skipped."""
    return tuple(s for s in map(decompose, text) if s is not None)


def initials(text: str) -> str:
    """초성 of each Hangul syllable (``양재원`` -> ``ㅇㅈㅇ``); other characters are dropped."""
    return "".join(INITIALS[s.initial] for s in syllables(text))


def jamo(text: str) -> str:
    """Compatibility jamo of each syllable in order (``강`` -> ``ㄱㅏㅇ``), for edit distances."""
    return "".join(INITIALS[s.initial] + VOWELS[s.vowel] + FINALS[s.final] for s in syllables(text))


# --- romanization: Hangul -> Latin -------------------------------------------------------------

# Revised Romanization per jamo, space separated; "-" is the silent ㅇ / no final.
_RR_INITIALS = "g kk n d tt r m b pp s ss - j jj ch k t p h"
_RR_VOWELS = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i"
_RR_FINALS = "- k k k n n n t l k m l l l p l m p p t t ng t t k t p t"


@cache
def _rr_table(spec: str) -> tuple[str, ...]:
    return tuple("" if part == "-" else part for part in spec.split())


def romanize_syllable(syllable: Syllable) -> str:
    """Revised Romanization of one syllable read on its own (no sound-change rules)."""
    initial, vowel, final = syllable
    return (
        _rr_table(_RR_INITIALS)[initial]
        + _rr_table(_RR_VOWELS)[vowel]
        + _rr_table(_RR_FINALS)[final]
    )


def romanize(text: str) -> str:
    """Revised Romanization of the Hangul in ``text``, syllable by syllable, joined."""
    return "".join(romanize_syllable(s) for s in syllables(text))


# --- romanization: Latin -> sets of jamo --------------------------------------------------------
# Each spelling lists every jamo it is used for in names (RR, McCune–Reischauer with the
# diacritics and apostrophes removed, and long-standing popular forms). Initial ㄹ also stands
# for ㅇ/ㄴ because fans write the pre-reform reading (Lee/Rhee for 이, Lim for 임).

_ONSET_SPELLINGS: dict[str, str] = {
    "": "ㅇ",
    "g": "ㄱ",
    "k": "ㄱㅋㄲ",
    "kh": "ㅋ",
    "gg": "ㄲ",
    "kk": "ㄲ",
    "n": "ㄴ",
    "d": "ㄷ",
    "t": "ㄷㅌ",
    "th": "ㅌ",
    "dd": "ㄸ",
    "tt": "ㄸ",
    "r": "ㄹㅇㄴ",
    "rh": "ㄹㅇ",
    "l": "ㄹㅇㄴ",
    "m": "ㅁ",
    "b": "ㅂ",
    "p": "ㅂㅍ",
    "ph": "ㅍ",
    "bb": "ㅃ",
    "pp": "ㅃ",
    "s": "ㅅㅆ",
    "sh": "ㅅ",
    "ss": "ㅆ",
    "j": "ㅈ",
    "jj": "ㅉ",
    "ch": "ㅈㅊㅉ",
    "c": "ㅊㅈ",
    "tch": "ㅉ",
    "h": "ㅎ",
}

_VOWEL_SPELLINGS: dict[str, str] = {
    "a": "ㅏ",
    "ar": "ㅏ",  # Park (박)
    "ae": "ㅐㅔ",
    "ai": "ㅐ",  # Baik / Paik (백)
    "e": "ㅔㅐ",
    "ya": "ㅑ",
    "yae": "ㅒㅖ",
    "ye": "ㅖㅒ",
    "eo": "ㅓ",
    "uh": "ㅓ",  # Suh (서)
    "o": "ㅗㅓ",
    "u": "ㅜㅓㅡ",
    "oo": "ㅜ",
    "ou": "ㅜ",
    "woo": "ㅜ",  # Young-woo (우)
    "wu": "ㅜ",
    "eu": "ㅡ",
    "yeo": "ㅕ",
    "yo": "ㅛㅕ",
    "you": "ㅕㅠ",
    "yu": "ㅠㅕ",
    "yoo": "ㅠ",
    "wa": "ㅘ",
    "wae": "ㅙㅞ",
    "we": "ㅞㅙㅚ",
    "oe": "ㅚㅙㅞ",
    "oi": "ㅚ",
    "wo": "ㅝ",
    "weo": "ㅝ",
    "wi": "ㅟ",
    "ui": "ㅢㅟ",
    "eui": "ㅢ",
    "i": "ㅣㅢ",
    "ee": "ㅣㅢ",
    "yi": "ㅣㅢ",
}

_FINAL_SPELLINGS: dict[str, str] = {
    "": "",
    "k": "ㄱㄲㅋ",
    "g": "ㄱ",
    "ck": "ㄱ",
    "n": "ㄴ",
    "t": "ㄷㅅㅆㅈㅊㅌㅎ",
    "d": "ㄷ",
    "s": "ㅅㅆ",
    "l": "ㄹ",
    "r": "ㄹ",
    "m": "ㅁ",
    "p": "ㅂㅍ",
    "b": "ㅂ",
    "ng": "ㅇ",
}

_MAX_ONSET = max(map(len, _ONSET_SPELLINGS))
_MAX_VOWEL = max(map(len, _VOWEL_SPELLINGS))
_MAX_FINAL = max(map(len, _FINAL_SPELLINGS))


@cache
def _onsets() -> dict[str, frozenset[int]]:
    return {k: frozenset(INITIALS.index(j) for j in v) for k, v in _ONSET_SPELLINGS.items()}


@cache
def _vowels() -> dict[str, frozenset[int]]:
    return {k: frozenset(VOWELS.index(j) for j in v) for k, v in _VOWEL_SPELLINGS.items()}


@cache
def _finals() -> dict[str, frozenset[int]]:
    table = {k: frozenset(FINALS.index(j) for j in v) for k, v in _FINAL_SPELLINGS.items() if v}
    table[""] = frozenset({0})
    return table


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read ``text[start:end]`` as a syllable: the jamo each part may stand for."""

    end: int
    initials: frozenset[int]
    vowels: frozenset[int]
    finals: frozenset[int]

    def admits(self, syllable: Syllable) -> bool:
        return (
            syllable.initial in self.initials
            and syllable.vowel in self.vowels
            and syllable.final in self.finals
        )


def readings(token: str) -> list[list[Reading]]:
    """For each start index of a lowercase Latin ``token``, the syllable readings starting there.

    Segmentation is left to the caller (a walk over known names), because romanized names
    are ambiguous on their own: ``gyeongwon`` is gyeong+won or gyeon+gwon.
    """
    onsets, vowels, finals = _onsets(), _vowels(), _finals()
    size = len(token)
    table: list[list[Reading]] = []
    for start in range(size):
        found: list[Reading] = []
        for onset_len in range(min(_MAX_ONSET, size - start) + 1):
            onset = onsets.get(token[start : start + onset_len])
            if onset is None:
                continue
            vowel_at = start + onset_len
            for vowel_len in range(1, min(_MAX_VOWEL, size - vowel_at) + 1):
                vowel = vowels.get(token[vowel_at : vowel_at + vowel_len])
                if vowel is None:
                    continue
                final_at = vowel_at + vowel_len
                for final_len in range(min(_MAX_FINAL, size - final_at) + 1):
                    final = finals.get(token[final_at : final_at + final_len])
                    if final is not None:
                        found.append(Reading(final_at + final_len, onset, vowel, final))
        table.append(found)
    return table


@cache
def spellings(syllable: Syllable) -> frozenset[str]:
    """Every romanized spelling the tables accept for ``syllable`` (for partial input)."""
    onsets = [k for k, v in _onsets().items() if syllable.initial in v]
    vowels = [k for k, v in _vowels().items() if syllable.vowel in v]
    finals = [k for k, v in _finals().items() if syllable.final in v]
    return frozenset(o + v + f for o in onsets for v in vowels for f in finals)


# --- text clean-up ---------------------------------------------------------------------------


def strip_diacritics(text: str) -> str:
    """Drop accents from Latin letters (ŏ -> o, ŭ -> u) without touching Hangul.

    NFD would also split Hangul syllables into conjoining jamo, so only non-Hangul
    characters are decomposed.
    """
    out: list[str] = []
    for char in text:
        if ord(char) < 0x1100:
            decomposed = unicodedata.normalize("NFD", char)
            out.extend(c for c in decomposed if not unicodedata.combining(c))
        else:
            out.append(char)
    return "".join(out)


# Ordered rewrites that fold the common spelling alternatives together. Lossy on purpose:
# the skeleton is only used to rank near misses, never to decide an exact match.
_SKELETON_REWRITES = (
    ("tch", "j"),
    ("ck", "k"),
    ("ph", "p"),
    ("rh", "r"),
    ("sh", "s"),
    ("ch", "j"),
    ("yeo", "yo"),
    ("you", "yo"),
    ("yoo", "yu"),
    ("yu", "yo"),
    ("eui", "i"),
    ("ui", "i"),
    ("eo", "o"),
    ("oo", "u"),
    ("eu", "u"),
    ("ee", "i"),
    ("ae", "e"),
    ("ai", "e"),
    ("oe", "we"),
    ("oi", "we"),
    ("k", "g"),
    ("t", "d"),
    ("p", "b"),
    ("l", "r"),
    ("c", "j"),
    ("u", "o"),
)
_REPEATS = re.compile(r"(.)\1+")
_NOT_LATIN = re.compile(r"[^a-z]+")


def skeleton(text: str) -> str:
    """A coarse phonetic key: ``Jung Jae-kwang`` and ``Jeong Jaegwang`` give the same string.

    Hangul is romanized first, so Hangul and Latin spellings share one key space.
    """
    latin = strip_diacritics("".join(romanize(c) if is_syllable(c) else c for c in text))
    folded = _NOT_LATIN.sub("", latin.lower())
    for old, new in _SKELETON_REWRITES:
        folded = folded.replace(old, new)
    return _REPEATS.sub(r"\1", folded)


# --- 2-beolsik keyboard ------------------------------------------------------------------------

_KEYBOARD = {
    "r": "ㄱ",
    "R": "ㄲ",
    "s": "ㄴ",
    "e": "ㄷ",
    "E": "ㄸ",
    "f": "ㄹ",
    "a": "ㅁ",
    "q": "ㅂ",
    "Q": "ㅃ",
    "t": "ㅅ",
    "T": "ㅆ",
    "d": "ㅇ",
    "w": "ㅈ",
    "W": "ㅉ",
    "c": "ㅊ",
    "z": "ㅋ",
    "x": "ㅌ",
    "v": "ㅍ",
    "g": "ㅎ",
    "k": "ㅏ",
    "o": "ㅐ",
    "i": "ㅑ",
    "O": "ㅒ",
    "j": "ㅓ",
    "p": "ㅔ",
    "P": "ㅖ",
    "u": "ㅕ",
    "h": "ㅗ",
    "y": "ㅛ",
    "n": "ㅜ",
    "b": "ㅠ",
    "m": "ㅡ",
    "l": "ㅣ",
}
_VOWEL_PAIRS = {
    ("ㅗ", "ㅏ"): "ㅘ",
    ("ㅗ", "ㅐ"): "ㅙ",
    ("ㅗ", "ㅣ"): "ㅚ",
    ("ㅜ", "ㅓ"): "ㅝ",
    ("ㅜ", "ㅔ"): "ㅞ",
    ("ㅜ", "ㅣ"): "ㅟ",
    ("ㅡ", "ㅣ"): "ㅢ",
}
_FINAL_PAIRS = {
    ("ㄱ", "ㅅ"): "ㄳ",
    ("ㄴ", "ㅈ"): "ㄵ",
    ("ㄴ", "ㅎ"): "ㄶ",
    ("ㄹ", "ㄱ"): "ㄺ",
    ("ㄹ", "ㅁ"): "ㄻ",
    ("ㄹ", "ㅂ"): "ㄼ",
    ("ㄹ", "ㅅ"): "ㄽ",
    ("ㄹ", "ㅌ"): "ㄾ",
    ("ㄹ", "ㅍ"): "ㄿ",
    ("ㄹ", "ㅎ"): "ㅀ",
    ("ㅂ", "ㅅ"): "ㅄ",
}


def from_keyboard(text: str) -> str | None:
    """Hangul for letters typed on a US keyboard in the 2-beolsik layout (``didwodnjs`` -> 양재원).

    Returns None unless there are Latin letters and every group of them forms complete
    syllables: a lone jamo means the text was not Korean typed with the wrong input method.
    Anything else is kept as a separator.
    """
    out: list[str] = []
    converted = False
    for chunk in re.split(r"([^A-Za-z]+)", text):
        if not chunk:
            continue
        if not chunk.isascii() or not chunk.isalpha():
            out.append(chunk)
            continue
        keys = [_KEYBOARD.get(c) or _KEYBOARD.get(c.lower()) for c in chunk]
        composed = _compose_keys([k for k in keys if k is not None])
        if composed is None:
            return None
        converted = True
        out.append(composed)
    return "".join(out) if converted else None


def _compose_keys(keys: list[str]) -> str | None:
    out: list[str] = []
    i, size = 0, len(keys)
    while i < size:
        if keys[i] not in INITIALS or i + 1 >= size or keys[i + 1] not in VOWELS:
            return None
        initial, vowel = keys[i], keys[i + 1]
        i += 2
        if i < size and (vowel, keys[i]) in _VOWEL_PAIRS:
            vowel = _VOWEL_PAIRS[(vowel, keys[i])]
            i += 1
        final = ""
        starts_next = i + 1 < size and keys[i + 1] in VOWELS
        if i < size and keys[i] in FINALS and not starts_next:
            final = keys[i]
            i += 1
            compound = _FINAL_PAIRS.get((final, keys[i])) if i < size else None
            if compound and not (i + 1 < size and keys[i + 1] in VOWELS):
                final = compound
                i += 1
        syllable = Syllable(INITIALS.index(initial), VOWELS.index(vowel), FINALS.index(final))
        out.append(compose(syllable))
    return "".join(out)
