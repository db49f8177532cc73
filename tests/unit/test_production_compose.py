from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.production.compose import (
    DEFAULT_LABELS,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    LANGUAGES,
    TITLE_MAX,
    allowed_mentions_for,
    build_post,
    build_preview,
    text_length,
    validate_draft,
    validate_retract_reason,
    validate_source_url,
)
from bot.production.models import LocalizedText, Update, UpdateDraft

HOSTILE_TEXTS = [
    "@everyone season 2 is confirmed!",
    "@here look <@123> and <@!456>",
    "ping <@&999> and <@&123456789012345678> now",
]


def make_draft(**overrides: object) -> UpdateDraft:
    values: dict[str, object] = {
        "title": LocalizedText("Season 2 confirmed", "시즌 2 확정"),
        "body": LocalizedText("Netflix confirmed season 2.", "넷플릭스가 시즌 2를 확정했어요."),
        "confidence": "official",
        "source_url": "https://example.com/news/1",
        "season": 2,
        "season_status": "renewed",
    }
    values.update(overrides)
    return UpdateDraft(**values)  # type: ignore[arg-type]


def make_update(draft: UpdateDraft | None = None, **overrides: object) -> Update:
    values: dict[str, object] = {
        "update_id": 7,
        "preview_token": "token-123456",
        "author_id": 1,
        "draft": draft or make_draft(),
        "created_at": 1_750_000_000.0,
        "revision": 1,
    }
    values.update(overrides)
    return Update(**values)  # type: ignore[arg-type]


def test_role_ping_allows_exactly_that_role() -> None:
    message = build_post(make_update(), "en", role_id=555)
    assert message.content == "<@&555>"
    assert dict(message.allowed_mentions) == {"parse": [], "roles": [555]}
    assert message.ping_role_id == 555


def test_without_role_nothing_can_ping_and_content_is_empty() -> None:
    message = build_post(make_update(), "en", role_id=None)
    assert message.content is None
    assert message.allowed_mentions == {"parse": []}
    assert message.ping_role_id is None


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
@pytest.mark.parametrize("role_id", [None, 555])
def test_update_text_never_widens_mentions(text: str, role_id: int | None) -> None:
    draft = make_draft(title=LocalizedText(text[:200], text[:200]), body=LocalizedText(text, text))
    for language in LANGUAGES:
        message = build_post(make_update(draft), language, role_id)
        assert message.allowed_mentions == allowed_mentions_for(role_id)
        # The text lives in the embed only; content holds nothing but the opted-in role.
        assert message.content == (None if role_id is None else f"<@&{role_id}>")
        assert text in message.embeds[0].description


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_retraction_reason_never_pings(text: str) -> None:
    update = make_update(retracted_at=1_750_000_100.0, retracted_by=1, retract_reason=text)
    message = build_post(update, "en", role_id=555)
    assert message.allowed_mentions == {"parse": []}
    assert message.content is not None and text in message.content


def test_retracted_copy_is_a_short_notice_without_embed_or_button() -> None:
    update = make_update(retracted_at=1_750_000_100.0, retracted_by=1, retract_reason="wrong date")
    en = build_post(update, "en", role_id=555)
    ko = build_post(update, "ko", role_id=555)
    assert en.content == "**Retracted:** wrong date"
    assert ko.content is not None and "철회" in ko.content
    assert en.embeds == () and not en.notify_button


def test_corrected_copy_shows_when_it_was_corrected() -> None:
    edited = make_update(edited_at=1_750_086_400.0, edited_by=2, revision=2)
    message = build_post(edited, "en", role_id=555)
    assert "Corrected <t:1750086400:D>" in message.embeds[0].description
    assert message.content == "<@&555>"  # the copy keeps its look; edits do not notify again
    original = build_post(make_update(), "en", role_id=555)
    assert "Corrected" not in original.embeds[0].description


def test_language_selection_with_english_fallback() -> None:
    ko = build_post(make_update(), "ko", None).embeds[0]
    assert ko.title == "시즌 2 확정"
    assert "시즌 2" in ko.fields[1].name and ko.fields[1].value == "제작 확정"
    english_only = make_draft(title=LocalizedText("Only English"), body=LocalizedText("Body"))
    fallback = build_post(make_update(english_only), "ko", None).embeds[0]
    assert fallback.title == "Only English" and fallback.description == "Body"


def test_preview_shows_both_languages_and_pings_nobody() -> None:
    preview = build_preview(make_draft())
    assert [e.title for e in preview.embeds] == ["Season 2 confirmed", "시즌 2 확정"]
    assert preview.allowed_mentions == {"parse": []} and preview.content is None
    english_only = make_draft(title=LocalizedText("Only"), body=LocalizedText("English"))
    assert [e.title for e in build_preview(english_only).embeds] == ["Only"]


def test_valid_draft_has_no_problems() -> None:
    assert validate_draft(make_draft()) == []


def test_over_long_korean_title_is_reported_for_korean() -> None:
    draft = make_draft(title=LocalizedText("Fine", "가" * (TITLE_MAX + 1)))
    problems = validate_draft(draft)
    assert [(p.field, p.code, p.language) for p in problems] == [("title", "too_long", "ko")]
    assert problems[0].length == TITLE_MAX + 1 and problems[0].limit == TITLE_MAX


def test_title_at_the_limit_counts_emoji_as_two() -> None:
    assert validate_draft(make_draft(title=LocalizedText("a" * TITLE_MAX, "제목"))) == []
    emoji_title = "🎬" * (TITLE_MAX // 2 + 1)  # fits in code points, not in UTF-16 units
    assert text_length(emoji_title) > TITLE_MAX
    assert any(
        p.field == "title" for p in validate_draft(make_draft(title=LocalizedText(emoji_title)))
    )


def test_body_must_leave_room_for_the_correction_line() -> None:
    full = make_draft(body=LocalizedText("x" * DESCRIPTION_MAX, "본문"))
    problems = validate_draft(full)
    assert problems and problems[0].field == "body" and problems[0].language == "en"
    assert problems[0].limit is not None and problems[0].limit < DESCRIPTION_MAX
    fits = make_draft(body=LocalizedText("x" * problems[0].limit, "가" * problems[0].limit))
    assert not any(p.field == "body" for p in validate_draft(fits))


def test_both_languages_together_must_fit_one_preview() -> None:
    # Each language alone is under 6,000, together they are not.
    body = "x" * 3500
    draft = make_draft(body=LocalizedText(body, "가" * 3500))
    problems = validate_draft(draft)
    assert [(p.field, p.code) for p in problems] == [("message", "too_long")]
    assert problems[0].length is not None and problems[0].length > EMBED_TOTAL_MAX
    english_only = make_draft(title=LocalizedText("Season 2"), body=LocalizedText(body))
    assert validate_draft(english_only) == []  # one language, one embed: fine


def test_empty_texts_are_refused() -> None:
    problems = validate_draft(make_draft(title=LocalizedText("   ", "")))
    assert ("title", "empty", "en") in [(p.field, p.code, p.language) for p in problems]


@pytest.mark.parametrize(
    "url",
    ["https://variety.com/2025/tv/news/x", "http://news.kbs.co.kr/view.do?ncd=8169106"],
)
def test_good_urls(url: str) -> None:
    assert validate_source_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/a",
        "https://",
        "https://localhost/x",
        "https://exa mple.com/",
        "https://user:pw@example.com/",
        "example.com/news",
        "https://example.com:99999/",
        "https://example.com/" + "a" * 600,
    ],
)
def test_bad_urls(url: str) -> None:
    assert not validate_source_url(url)
    assert ("source_url", "invalid_url") in [
        (p.field, p.code) for p in validate_draft(make_draft(source_url=url))
    ]


def test_season_and_status_go_together_and_need_a_source() -> None:
    def codes(draft: UpdateDraft) -> list[tuple[str, str]]:
        return [(p.field, p.code) for p in validate_draft(draft)]

    assert codes(make_draft(season_status=None)) == [("season", "season_and_status")]
    assert codes(make_draft(season=0)) == [("season", "out_of_range")]
    rumour = make_draft(source_url=None, confidence="unconfirmed")
    assert codes(rumour) == [("source_url", "required")]
    assert codes(replace(rumour, season=None, season_status=None)) == []


@pytest.mark.parametrize("confidence", ["official", "reported"])
def test_official_and_reported_posts_need_an_https_source(confidence: Any) -> None:
    def codes(draft: UpdateDraft) -> list[tuple[str, str]]:
        return [(p.field, p.code) for p in validate_draft(draft)]

    plain = make_draft(confidence=confidence, season=None, season_status=None)
    assert codes(replace(plain, source_url=None)) == [("source_url", "needs_source")]
    assert codes(replace(plain, source_url="http://example.com/a")) == [
        ("source_url", "needs_source")
    ]
    assert codes(replace(plain, source_url="https://example.com/a")) == []
    assert codes(replace(plain, confidence="unconfirmed", source_url=None)) == []


def test_half_a_language_is_refused() -> None:
    problems = validate_draft(make_draft(body=LocalizedText("Body")))  # Korean title only
    assert [(p.field, p.code, p.language) for p in problems] == [("body", "incomplete", "ko")]
    problems = validate_draft(make_draft(title=LocalizedText("Title")))  # Korean body only
    assert [(p.field, p.code, p.language) for p in problems] == [("title", "incomplete", "ko")]


def test_an_unconfirmed_post_says_so_and_a_confirmed_one_does_not() -> None:
    rumour = make_draft(confidence="unconfirmed", season=None, season_status=None)
    for language in ("en", "ko"):
        post = build_post(make_update(rumour), language, None)
        assert DEFAULT_LABELS[language].unconfirmed in post.embeds[0].description
        official = build_post(make_update(make_draft()), language, None)
        assert DEFAULT_LABELS[language].unconfirmed not in official.embeds[0].description
        assert "Preview" not in (post.embeds[0].footer or "")


def test_the_preview_has_one_post_per_written_language() -> None:
    english_only = make_draft(title=LocalizedText("T"), body=LocalizedText("B"))
    assert [e.title for e in build_preview(english_only).embeds] == ["T"]
    assert [e.title for e in build_preview(make_draft()).embeds] == [
        "Season 2 confirmed",
        "시즌 2 확정",
    ]
    assert all(
        e.footer == DEFAULT_LABELS["en"].preview_footer for e in build_preview(english_only).embeds
    )


def test_retract_reason_limits() -> None:
    assert validate_retract_reason("wrong date") == []
    assert validate_retract_reason("  ")[0].code == "empty"
    assert validate_retract_reason("x" * 301)[0].code == "too_long"
