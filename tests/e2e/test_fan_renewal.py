"""/renewal end to end: every season page by page, one season, an unknown season, stale plans
judged against the services' clock, and page buttons that outlive a restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from discord_double import DiscordDouble

from bot.i18n.catalogue import lang_for
from tests.e2e.fan_helpers import all_text, button, buttons, shown

if TYPE_CHECKING:
    from tests.e2e.golden import Golden


PREVIOUS, NEXT = "◀", "▶"

# What a fan must see on season 2 as of 2026-11-28, in each language.
SEASON_2 = {
    "en-US": {
        "official": "✅ Official · Netflix / the studio on record",
        "under_review": "**Under review**",
        "press": "📰 Reported · Latest press report",
        "stale": "⚠️ Out of date: “Filming from around summer 2026”",
        "stale_october": "⚠️ Out of date: “Filming of season 2 as early as October 2026”",
        "planned": "🗓️ Planned",
    },
    "ko": {
        "official": "✅ 공식 · 넷플릭스·제작사 공식 입장",
        "under_review": "**검토 중**",
        "press": "📰 보도 · 최근 언론 보도",
        "stale": "⚠️ 지난 계획: “2026년 여름께 촬영 시작”",
        "stale_october": "⚠️ 지난 계획: “이르면 2026년 10월 시즌 2 촬영 시작”",
        "planned": "🗓️ 계획",
    },
}


def season_title(golden: Golden, locale: str, number: int) -> str:
    texts, lang = golden.services.texts, lang_for(locale)
    catalog = golden.services.facts.catalog
    show = catalog.show.title
    first, second = (show.ko, show.en) if lang == "ko" else (show.en, show.ko)
    return texts.t(lang, "renewal.title", show=f"{first} ({second})", number=number)


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_every_season_page_by_page_with_netflixs_word_beside_the_press(
    golden: Golden, locale: str
) -> None:
    expected = SEASON_2[locale]
    first = await golden.invoke("renewal", {}, locale=locale)
    assert not first.ephemeral
    (embed,) = first.embeds
    assert embed["title"] == season_title(golden, locale, 1)
    assert button(first.message, "1/3")["disabled"] is True  # where you are
    assert button(first.message, PREVIOUS)["disabled"] is True
    assert button(first.message, NEXT)["disabled"] is False

    second = await golden.double.click(
        shown(first), button(first.message, NEXT)["custom_id"], locale=locale
    )
    assert second.response_type == 7  # the same message turns its page
    assert shown(second).id == shown(first).id
    (embed,) = second.embeds
    assert embed["title"] == season_title(golden, locale, 2)
    summary = embed["description"]
    official = next(line for line in summary.splitlines() if line.startswith(expected["official"]))
    assert expected["under_review"] in official
    assert "Netflix" in official or "넷플릭스" in official
    assert any(line.startswith(expected["press"]) for line in summary.splitlines())
    assert expected["stale"] in summary
    assert expected["stale_october"] in summary
    assert expected["planned"] not in summary

    third = await golden.double.click(
        shown(second), button(second.message, NEXT)["custom_id"], locale=locale
    )
    assert third.embeds[0]["title"] == season_title(golden, locale, 3)
    assert button(third.message, "3/3")["disabled"] is True
    assert button(third.message, NEXT)["disabled"] is True
    back = await golden.double.click(
        shown(third), button(third.message, PREVIOUS)["custom_id"], locale=locale
    )
    assert back.embeds == second.embeds


async def test_pages_keep_the_askers_language_whoever_turns_them(golden: Golden) -> None:
    asked = await golden.invoke("renewal", {}, locale="ko")
    turned = await golden.double.click(
        shown(asked), button(asked.message, NEXT)["custom_id"], user=golden.admin
    )
    assert turned.embeds[0]["title"] == season_title(golden, "ko", 2)


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_one_season_is_one_page(golden: Golden, locale: str) -> None:
    one = await golden.invoke("renewal", {"season": 2}, locale=locale)
    assert not one.ephemeral
    assert buttons(one.message) == []
    (embed,) = one.embeds
    assert embed["title"] == season_title(golden, locale, 2)
    assert SEASON_2[locale]["stale"] in embed["description"]


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_an_unknown_season_gets_a_private_no(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("renewal", {"season": 9}, locale=locale)
    assert result.ephemeral
    assert result.content == texts.t(lang, "error.unknown_season", season=9)


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_plans_are_not_stale_before_their_date(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    from tests.e2e.golden import golden_settings, start_golden

    guild = double.add_guild("Early fans")
    double.add_channel(guild, "general")
    settings = golden_settings(double, tmp_path / "early.sqlite3")
    async with start_golden(double, settings, today=dt.date(2026, 7, 1)):
        result = await double.invoke("renewal", {"season": 2}, guild=guild, locale=locale)
    summary = result.embeds[0]["description"]
    assert SEASON_2[locale]["planned"] in summary
    assert SEASON_2[locale]["stale"] not in summary
    assert "⚠️" not in summary


async def test_page_buttons_work_after_a_restart(double: DiscordDouble, tmp_path: Path) -> None:
    from tests.e2e.golden import golden_settings, start_golden

    guild = double.add_guild("Patient fans")
    double.add_channel(guild, "general")
    settings = golden_settings(double, tmp_path / "restart.sqlite3")
    async with start_golden(double, settings):
        asked = await double.invoke("renewal", {}, guild=guild, locale="ko")
        expected = await double.invoke("renewal", {"season": 2}, guild=guild, locale="ko")
    async with start_golden(double, settings):  # a new process: nothing kept in memory
        turned = await double.click(shown(asked), button(asked.message, NEXT)["custom_id"])
    assert turned.response_type == 7
    assert turned.embeds[0]["description"] == expected.embeds[0]["description"]
    assert "⚠️" in all_text(turned.embeds)
