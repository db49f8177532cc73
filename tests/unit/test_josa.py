"""Korean particles chosen by the final sound of the word before them."""

from __future__ import annotations

import pytest

from bot.i18n.josa import attach, final_sound, resolve


@pytest.mark.parametrize(
    ("word", "marker", "expected"),
    [
        ("양재원", "(이)가", "양재원이"),
        ("백강혁", "은(는)", "백강혁은"),
        ("주지훈", "을(를)", "주지훈을"),
        ("하영", "과(와)", "하영과"),
        ("추영우", "(이)가", "추영우가"),
        ("시즌", "(으)로", "시즌으로"),
        ("서울", "(으)로", "서울로"),  # ㄹ takes 로
        ("한국어", "(으)로", "한국어로"),
        ("서울", "(이)가", "서울이"),
        ("배우", "(이)에요", "배우예요"),
        ("감독", "(이)에요", "감독이에요"),
    ],
)
def test_hangul_final_consonant_picks_the_form(word: str, marker: str, expected: str) -> None:
    assert attach(word, marker) == expected


@pytest.mark.parametrize(
    ("word", "sound"),
    [
        ("1", "rieul"),  # 일
        ("2", "none"),  # 이
        ("3", "other"),  # 삼
        ("6", "other"),  # 육
        ("7", "rieul"),  # 칠
        ("8", "rieul"),  # 팔
        ("9", "none"),  # 구
        ("10", "other"),  # 십
        ("100", "other"),  # 백
        ("1,000", "other"),  # 천
        ("#12", "none"),  # 십이
        ("Netflix", "none"),  # 넷플릭스
        ("KBS", "none"),  # 케이비에스
        ("OTT", "none"),  # 오티티
        ("English", "none"),  # 잉글리시
        ("Hall", "rieul"),  # 홀
        ("Studio N", "other"),  # 엔
        ("Golden", "other"),  # 골든
        ("“양재원”", "other"),  # quotes are looked through
        ("", None),
        ("🙂", None),
    ],
)
def test_digits_latin_and_punctuation_are_read_sensibly(word: str, sound: str | None) -> None:
    assert final_sound(word) == sound


def test_resolve_replaces_every_marker_in_a_sentence() -> None:
    text = "소식 #3을(를) 정정했어요. 게시물 2개이(가) 한국어(으)로 바뀌고, 7은(는) 보내지 않아요."
    assert resolve(text) == "소식 #3을 정정했어요. 게시물 2개가 한국어로 바뀌고, 7은 보내지 않아요."
