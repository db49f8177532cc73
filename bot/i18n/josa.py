"""Korean particles (조사) chosen by the sound that ends the word before them.

A Korean template writes the particle in its two-form spelling right after a placeholder,
``{language}(으)로`` or ``{name}이(가)``; :func:`resolve` turns every such marker into the one
form that fits the final sound of what precedes it ("한국어로", "서울로", "영어로", "시즌 2가").
So no answer ever shows a "(이)가" fallback, and templates stay readable.

The final sound is read from Hangul (its 받침), from digits (as Sino-Korean numbers are read:
1 일, 3 삼, 10 십, 100 백 …) and from Latin letters (as the word is commonly said in Korean:
"Netflix" 넷플릭스 ends in a vowel, "KBS" 케이비에스 too, "Hall" 홀 in ㄹ). Closing quotes and
brackets are looked through ("“양재원”이" is read at 원).
"""

from __future__ import annotations

import re
from typing import Final, Literal

Sound = Literal["none", "rieul", "other"]  # no final consonant, ㄹ, any other final consonant

_HANGUL_FIRST: Final = 0xAC00
_HANGUL_LAST: Final = 0xD7A3
_RIEUL: Final = 8  # index of ㄹ among the 28 final-consonant slots (0 = none)

# Digits as Sino-Korean numerals: 0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구.
_DIGIT: Final[dict[str, Sound]] = {
    "0": "other",
    "1": "rieul",
    "2": "none",
    "3": "other",
    "4": "none",
    "5": "none",
    "6": "other",
    "7": "rieul",
    "8": "rieul",
    "9": "none",
}
# A number ending in zeros is read by its last unit: 십, 백, 천, 만 (then 십만, 백만 …).
_ZEROS: Final[dict[int, Sound]] = {1: "other", 2: "other", 3: "other", 0: "other"}
# Letters said on their own (acronyms: KBS, OTT, SBS): 에이 비 씨 디 이 에프 지 에이치 아이 제이
# 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이 더블유 엑스 와이 제트.
_LETTER_NAME: Final[dict[str, Sound]] = {
    **dict.fromkeys("abcdefghijkopqstuvwxyz", "none"),
    "l": "rieul",
    "r": "rieul",
    "m": "other",
    "n": "other",
}
_CLOSERS: Final = set("”’\"')]}」』》〉*_`~ ")

# (two-form marker, form after a final consonant, form after none, form after ㄹ)
_PARTICLES: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("(으)로", "으로", "로", "로"),
    ("(이)가", "이", "가", "이"),
    ("이(가)", "이", "가", "이"),
    ("을(를)", "을", "를", "을"),
    ("(을)를", "을", "를", "을"),
    ("은(는)", "은", "는", "은"),
    ("(은)는", "은", "는", "은"),
    ("과(와)", "과", "와", "과"),
    ("(와)과", "과", "와", "과"),
    ("(이)라는", "이라는", "라는", "이라는"),
    ("(이)에요", "이에요", "예요", "이에요"),
)
_MARKER: Final = re.compile("|".join(re.escape(marker) for marker, *_ in _PARTICLES))
_BY_MARKER: Final = {marker: forms for marker, *forms in _PARTICLES}


def final_sound(word: str) -> Sound | None:
    """How ``word`` ends when said in Korean; None when nothing readable ends it."""
    text = word.rstrip()
    while text and text[-1] in _CLOSERS:
        text = text[:-1]
    if not text:
        return None
    last = text[-1]
    code = ord(last)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        jong = (code - _HANGUL_FIRST) % 28
        if jong == 0:
            return "none"
        return "rieul" if jong == _RIEUL else "other"
    if last.isdigit():
        return _number_final(text)
    if last.isascii() and last.isalpha():
        return _latin_final(text)
    return None


def _number_final(text: str) -> Sound:
    digits = re.search(r"[0-9][0-9,]*$", text)
    number = (digits.group(0) if digits else text[-1]).replace(",", "")
    stripped = number.rstrip("0")
    zeros = len(number) - len(stripped)
    if not stripped:  # "0"
        return "other"
    if zeros == 0:
        return _DIGIT[number[-1]]
    # 십 백 천 만, then 십만 백만 천만 억 …: all end in a consonant other than ㄹ.
    return _ZEROS.get(zeros % 4, "other")


def _latin_final(text: str) -> Sound:
    word = re.search(r"[A-Za-z]+$", text)
    letters = word.group(0) if word else text[-1]
    if letters.isupper() and len(letters) <= 5:  # an acronym, said letter by letter
        return _LETTER_NAME.get(letters[-1].lower(), "none")
    low = letters.lower()
    if low.endswith(("ng", "m", "n")):
        return "other"
    if low.endswith("l"):
        return "rieul"
    if low.endswith(("ck", "k", "p", "t", "b", "d", "g")) and not low.endswith("ght"):
        return "other"
    # Vowels, and r, s, x, f, h, ch, sh … are said with a vowel after them in Korean.
    return "none"


def particle(word: str, marker: str) -> str:
    """The form of ``marker`` (e.g. ``"(으)로"``) that follows ``word``."""
    after_consonant, after_none, after_rieul = _BY_MARKER[marker]
    sound = final_sound(word)
    if sound == "rieul":
        return after_rieul
    if sound == "other":
        return after_consonant
    return after_none  # also when nothing readable precedes: the vowel form reads naturally


def attach(word: str, marker: str) -> str:
    """``word`` followed by the right form of ``marker``."""
    return word + particle(word, marker)


def resolve(text: str) -> str:
    """Every two-form particle marker in ``text`` replaced by the form that fits."""

    def pick(match: re.Match[str]) -> str:
        return particle(text[: match.start()], match.group(0))

    return _MARKER.sub(pick, text)
