"""Which language each server gets, and the writing form's custom_ids (pure logic)."""

from __future__ import annotations

import pytest

from bot.production.languages import delivery_language, missing_language, plan
from bot.production.models import LocalizedText, UpdateDraft
from bot.ui.production_form import (
    edit_form_id,
    new_form_id,
    parse_form_id,
    redo_form_id,
    submitted_values,
)

BOTH = UpdateDraft(LocalizedText("T", "제목"), LocalizedText("B", "본문"), "unconfirmed")
ENGLISH = UpdateDraft(LocalizedText("T"), LocalizedText("B"), "unconfirmed")


def test_a_server_gets_its_own_language_when_written() -> None:
    assert delivery_language("ko", BOTH, None) == "ko"
    assert delivery_language("en", BOTH, "skip") == "en"
    assert missing_language(BOTH) is None


def test_without_a_choice_a_missing_language_gets_nothing() -> None:
    assert missing_language(ENGLISH) == "ko"
    assert delivery_language("ko", ENGLISH, None) is None
    assert delivery_language("ko", ENGLISH, "skip") is None
    assert delivery_language("ko", ENGLISH, "fallback") == "en"
    assert delivery_language("en", ENGLISH, None) == "en"


def test_the_plan_asks_only_when_servers_chose_the_missing_language() -> None:
    assert plan({"en": 3, "ko": 2}, ENGLISH, None).needs_choice
    assert plan({"en": 3, "ko": 2}, ENGLISH, None).affected == 2
    assert not plan({"en": 3, "ko": 0}, ENGLISH, None).needs_choice
    assert not plan({"en": 3, "ko": 2}, ENGLISH, "skip").needs_choice
    assert not plan({"en": 3, "ko": 2}, BOTH, None).needs_choice


@pytest.mark.parametrize(
    "custom_id",
    [
        new_form_id("reported", 2, "filming"),
        new_form_id("unconfirmed", None, None),
        redo_form_id("AbCdEfGh12345678"),
        edit_form_id(10**15, 3, None, None, None),
        edit_form_id(12, 3, "official", 20, "post_production"),
    ],
)
def test_form_ids_round_trip_and_fit_discord(custom_id: str) -> None:
    assert len(custom_id) <= 100
    assert parse_form_id(custom_id) is not None


def test_form_ids_keep_the_options() -> None:
    target = parse_form_id(new_form_id("reported", 2, "filming"))
    assert target is not None and target.kind == "new"
    assert (target.options.confidence, target.options.season, target.options.status) == (
        "reported",
        2,
        "filming",
    )
    edit = parse_form_id(edit_form_id(12, 3, None, None, None))
    assert edit is not None and (edit.update_id, edit.revision) == (12, 3)
    assert edit.options.confidence is None


@pytest.mark.parametrize(
    "custom_id", ["gh:prod:form:new:sure:0:-", "gh:prod:form:redo:x", "other", "gh:prod:form:"]
)
def test_foreign_or_tampered_form_ids_are_ignored(custom_id: str) -> None:
    assert parse_form_id(custom_id) is None


def test_submitted_values_read_rows_and_labels() -> None:
    data = {
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "title_en", "value": "T"}]},
            {"type": 18, "component": {"type": 4, "custom_id": "body_en", "value": "a\nb"}},
        ]
    }
    assert submitted_values(data) == {"title_en": "T", "body_en": "a\nb"}
