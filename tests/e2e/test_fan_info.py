"""/show and /help end to end, and what every fan answer sends over the wire: no mentions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from bot.i18n.catalogue import lang_for
from bot.i18n.dates import format_date
from tests.e2e.fan_helpers import all_text, button, custom_ids, field, shown

if TYPE_CHECKING:
    from tests.e2e.golden import Golden


@pytest.mark.parametrize(
    ("locale", "title", "premiere"),
    [
        ("en-US", "The Trauma Code: Heroes on Call (중증외상센터)", "24 January 2025"),
        ("ko", "중증외상센터 (The Trauma Code: Heroes on Call)", "2025년 1월 24일"),
    ],
)
async def test_show_card_is_public_and_localised(
    golden: Golden, locale: str, title: str, premiere: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("show", locale=locale)
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == title
    assert field(embed, texts.t(lang, "show.premiere")) == premiere
    assert field(embed, texts.t(lang, "show.episodes")) == (
        "8 episodes" if lang == "en" else "8부작"
    )
    platform = field(embed, texts.t(lang, "show.platform"))
    assert platform == (
        "Netflix, about 190 countries" if lang == "en" else "넷플릭스 (190여 개국 동시 공개)"
    )
    assert field(embed, texts.t(lang, "common.sources")).startswith("[")


@pytest.mark.parametrize(
    ("locale", "setting"),
    [("en-US", "Setting: Hankuk University Hospital"), ("ko", "배경: 한국대학교병원 (한국대병원)")],
)
async def test_show_labels_every_line_and_writes_dates_one_way(
    golden: Golden, locale: str, setting: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("show", locale=locale)
    (embed,) = result.embeds
    lines = embed["description"].splitlines()
    assert lines[0] == setting
    release = texts.t(lang, "show.release", note="")
    assert all(line.startswith((setting, release)) for line in lines), lines
    # Dates the bot writes (data labels such as "27 Jan – 2 Feb 2025" are the pack's words).
    text = "\n".join(
        [
            field(embed, texts.t(lang, "show.premiere")),
            field(embed, texts.t(lang, "common.sources")),
            embed["footer"]["text"],
        ]
    )
    if lang == "en":
        # "24 January 2025", never "24 Jan 2025" beside it
        assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}", text)
    else:
        assert not re.search(r"\d{4}\. \d{1,2}\. \d{1,2}\.", text)  # never "2025. 1. 24."
    assert re.search(r"\]\(http", text)
    sources = field(embed, texts.t(lang, "common.sources")).split(" • ")
    assert len(sources) == len(set(sources)) > 1


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_show_shows_fans_no_internal_notes(golden: Golden, locale: str) -> None:
    result = await golden.invoke("show", locale=locale)
    text = all_text(result.embeds)
    assert "unclear whether" not in text and "불분명" not in text


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_help_lists_fan_and_admin_commands_privately_with_the_facts_date(
    golden: Golden, locale: str
) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("help", locale=locale)
    assert result.ephemeral
    text = all_text(result.embeds)
    usages = (
        ("/cast [name]", "/awards [who] [ceremony] [result]", "/renewal [season]")
        if lang == "en"
        else ("/cast [이름]", "/awards [인물] [시상식] [결과]", "/renewal [시즌]")
    )
    for usage in usages:
        assert f"`{usage}`" in text
    # Forum posts are not news: the data line names what sources are.
    assert texts.t(lang, "help.sources_note") in text
    assert ("forum" in text) if lang == "en" else ("커뮤니티" in text)
    for name in ("cast", "awards", "renewal", "show", "updates", "notify", "help", "setup"):
        assert texts.t(lang, f"help.cmd.{name}") in text
    assert texts.t(lang, "help.audience.admins") in text
    assert "/production" not in text  # fans cannot run it: not listed for them
    as_of = golden.services.facts.catalog.facts_as_of
    assert as_of is not None
    assert texts.t(lang, "help.facts_as_of", date=format_date(as_of, lang)) in text


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_help_shows_maintainers_their_commands(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("help", user=golden.maintainer, locale=locale)
    assert result.ephemeral
    text = all_text(result.embeds)
    assert "/production" in text
    assert texts.t(lang, "help.audience.maintainers") in text


def message_payloads(golden: Golden) -> list[dict[str, Any]]:
    """Every message body the bot sent: interaction responses, edits and follow-ups."""
    bodies: list[dict[str, Any]] = []
    for request in golden.double.requests:
        body = request.json if isinstance(request.json, dict) else {}
        if request.path.endswith("/callback") and body.get("type") in (4, 7):
            bodies.append(body.get("data") or {})
        elif request.method in ("POST", "PATCH") and "/webhooks/" in request.path:
            bodies.append(body)
    return bodies


async def test_no_fan_answer_can_ping_anyone(golden: Golden) -> None:
    await golden.invoke("show")
    await golden.invoke("help", user=golden.maintainer, locale="ko")
    await golden.invoke("cast", {})
    await golden.invoke("cast", {"name": "Squid Game"})
    await golden.invoke("awards", {"who": "Squid Game"})
    await golden.invoke("renewal", {"season": 42})
    renewal = await golden.invoke("renewal", {})
    timeline = button(renewal.message, "Full timeline and sources")["custom_id"]
    await golden.double.click(shown(renewal), timeline)
    await golden.double.select(shown(renewal), "gh:renewal:season:en", ["3"])
    prompt = await golden.invoke("awards", {"who": "Jae-won"}, locale="ko")
    click = await golden.double.click(shown(prompt), custom_ids(prompt.message)[0], locale="ko")
    await click.wait_for_followups(1)

    bodies = message_payloads(golden)
    assert len(bodies) >= 11
    for body in bodies:
        mentions = body.get("allowed_mentions")
        assert mentions is not None, body
        assert (
            mentions.get("parse") == [] and not mentions.get("users") and not mentions.get("roles")
        ), mentions
