"""Hangul arithmetic, 초성, romanized readings, 2-beolsik and skeleton keys."""

from __future__ import annotations

import pytest

from bot.domain.hangul import (
    FINALS,
    INITIALS,
    VOWELS,
    Syllable,
    compose,
    decompose,
    from_keyboard,
    initials,
    jamo,
    readings,
    romanize,
    skeleton,
    spellings,
    strip_diacritics,
    syllables,
)


def test_decompose_follows_the_unicode_arithmetic() -> None:
    # 양 = ㅇ + ㅑ + ㅇ
    assert decompose("양") == Syllable(INITIALS.index("ㅇ"), VOWELS.index("ㅑ"), FINALS.index("ㅇ"))
    assert decompose("가") == Syllable(0, 0, 0)
    assert decompose("힣") == Syllable(18, 20, 27)
    assert decompose("a") is None
    assert decompose("ㅇ") is None  # a lone jamo is not a syllable


def test_compose_round_trips_every_syllable() -> None:
    for code in range(0xAC00, 0xD7A4, 97):
        char = chr(code)
        parts = decompose(char)
        assert parts is not None
        assert compose(parts) == char


def test_initials_of_names() -> None:
    assert initials("양재원") == "ㅇㅈㅇ"
    assert initials("백강혁") == "ㅂㄱㅎ"
    assert initials("홍비치라") == "ㅎㅂㅊㄹ"
    assert initials("양 재원!") == "ㅇㅈㅇ"  # spaces and punctuation are skipped


def test_syllables_and_jamo_skip_other_characters() -> None:
    assert len(syllables("Yang 양재원")) == 3
    assert jamo("강") == "ㄱㅏㅇ"


def test_romanize_is_revised_romanization() -> None:
    assert romanize("양재원") == "yangjaewon"
    assert romanize("백강혁") == "baekganghyeok"
    assert romanize("최조은") == "choejoeun"


def _readable_as(text: str, hangul: str) -> bool:
    """Whether the letters can be segmented into exactly these syllables."""
    target = syllables(hangul)
    table = readings(text)
    states = {(0, 0)}
    while states:
        pos, done = states.pop()
        if pos == len(text) and done == len(target):
            return True
        if pos < len(text) and done < len(target):
            states |= {(r.end, done + 1) for r in table[pos] if r.admits(target[done])}
    return False


@pytest.mark.parametrize(
    ("letters", "hangul"),
    [
        ("yangjaewon", "양재원"),  # RR
        ("yangchaewon", "양재원"),  # McCune–Reischauer
        ("paekkanghyok", "백강혁"),
        ("baikkanghyuk", "백강혁"),  # popular
        ("choijoeun", "최조은"),
        ("choechoeun", "최조은"),
        ("kangmyunghee", "강명희"),
        ("gangmyeonghui", "강명희"),
        ("joojihoon", "주지훈"),
        ("lee", "이"),
        ("yi", "이"),
        ("rhee", "이"),
        ("park", "박"),
        ("suh", "서"),
        ("kyoungwon", "경원"),
        ("hansaniga", "한산이가"),
    ],
)
def test_romanized_spellings_read_as_the_hangul(letters: str, hangul: str) -> None:
    assert _readable_as(letters, hangul)


@pytest.mark.parametrize(
    ("letters", "hangul"),
    [("yangjaewon", "양재훈"), ("kim", "박"), ("baek", "백강"), ("jaewon", "재")],
)
def test_romanized_spellings_do_not_read_as_other_names(letters: str, hangul: str) -> None:
    assert not _readable_as(letters, hangul)


def test_spellings_cover_rr_and_popular_forms() -> None:
    won = decompose("원")
    assert won is not None
    assert {"won", "weon"} <= spellings(won)
    hee = decompose("희")
    assert hee is not None
    assert {"hui", "hee", "heui"} <= spellings(hee)


def test_strip_diacritics_keeps_hangul_whole() -> None:
    assert strip_diacritics("Kyŏng-wŏn Ŭi") == "Kyong-won Ui"
    assert strip_diacritics("양재원") == "양재원"


@pytest.mark.parametrize(
    ("typed", "hangul"),
    [("didwodnjs", "양재원"), ("qorrkdgur", "백강혁"), ("gksdbfla", "한유림"), ("dkssud", "안녕")],
)
def test_keyboard_letters_become_hangul(typed: str, hangul: str) -> None:
    assert from_keyboard(typed) == hangul


@pytest.mark.parametrize("typed", ["kim", "qwerty", "ㅇ", ""])
def test_keyboard_rejects_text_that_is_not_korean(typed: str) -> None:
    assert from_keyboard(typed) is None


def test_skeleton_folds_spelling_systems_together() -> None:
    assert skeleton("Jung Jae-kwang") == skeleton("Jeong Jaegwang") == skeleton("정재광")
    assert skeleton("Choi") == skeleton("Choe")
    assert skeleton("Yang Jae-won") != skeleton("Kim Jae-won")
