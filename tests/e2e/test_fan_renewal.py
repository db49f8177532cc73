"""/renewal end to end, in English and Korean: a bare /renewal is a short card about the next
season (season 2 today) with Netflix's own word, the newest report labelled as a report, the
out-of-date plans and the age of the latest news; the full timeline is one button away and the
season is a menu; a maintainer's official update settles the out-of-date plans; the menu and
buttons outlive a restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
import pytest
from discord_double import DiscordDouble, InteractionResult

from bot.i18n.catalogue import lang_for
from bot.render.limits import embed_length
from bot.ui.renewal import RenewalPageButton
from tests.e2e.fan_helpers import all_text, button, buttons, shown
from tests.e2e.production_helpers import Newsroom

if TYPE_CHECKING:
    from discord_double.models import Message

    from tests.e2e.golden import Golden


PREVIOUS, NEXT = "◀", "▶"
STRING_SELECT = 3
MENU_EN, MENU_KO = "gh:renewal:season:en", "gh:renewal:season:ko"
QUOTE_KO = (
    "“'중증외상센터'에 대한 관심에 감사하다. 후속편 제작은 현재 검토 중이다. "
    "아직 확정된 내용은 없다”"
)
QUOTE_EN = (
    "“Thank you for your interest in 'The Trauma Code'. A sequel is currently under review. "
    "Nothing has been confirmed yet.” (our translation from Korean)"
)
LATEST_NEWS = "<t:1782086400:R>"  # 22 June 2026, shown live by the Discord client

# What a fan must read on the season 2 card as of 2026-11-28, in each language.
CARD = {
    "en-US": {
        "status": "Status: **Under review** · ✅ Official",
        "netflix": f"🗣️ Netflix on record, 23 September 2025: {QUOTE_EN} — [OSEN (via Daum)]",
        "report": "📰 Newest report: reported: in talks (not confirmed by Netflix) · ❔ Unconfirmed"
        " — [UNIKPOP (relaying MyDaily)](https://unikpop.com/?p=1333), 22 June 2026",
        "summer": "⚠️ Out of date: “Filming from around summer 2026”, planned by 31 August 2026"
        " — [Xports News (via Naver)]",
        "moved": "A later report moved it: [UNIKPOP (relaying MyDaily)]",
        "october": "⚠️ Out of date: “Filming of season 2 as early as October 2026”",
        "nothing_newer": "nothing newer is recorded",
        "beside": "📺 Season 3 is in the same news: Under review · ✅ Official",
        "latest": f"🕒 Latest news: 22 June 2026 ({LATEST_NEWS})",
        "age": "Latest news 5 months ago, as of 28 November 2026",
        "timeline": "Full timeline and sources",
        "back": "Back to the summary",
        "planned": "🗓️ Planned",
        "renewed_claim": "reported: renewed (not confirmed by Netflix)",
        "renewed": "Renewed",
    },
    "ko": {
        "status": "현황: **검토 중** · ✅ 공식",
        "netflix": f"🗣️ 넷플릭스 공식 입장(2025년 9월 23일): {QUOTE_KO} — [OSEN(다음)]",
        "report": "📰 가장 최근 보도: 논의 중이라는 보도 (넷플릭스 공식 확인 전) · ❔ 미확인"
        " — [UNIKPOP(마이데일리 재인용)](https://unikpop.com/?p=1333), 2026년 6월 22일",
        "summer": "⚠️ 시한이 지난 계획: “2026년 여름께 촬영 시작”(2026년 8월 31일까지)"
        " — [엑스포츠뉴스(네이버)]",
        "moved": "이후 보도에서 일정이 바뀌었어요: [UNIKPOP(마이데일리 재인용)]",
        "october": "⚠️ 시한이 지난 계획: “이르면 2026년 10월 시즌 2 촬영 시작”",
        "nothing_newer": "이후 기록된 새 소식은 없어요",
        "beside": "📺 시즌 3도 같은 소식에 나와요: 검토 중 · ✅ 공식",
        "latest": f"🕒 가장 최근 소식: 2026년 6월 22일 ({LATEST_NEWS})",
        "age": "2026년 11월 28일 기준, 가장 최근 소식은 5개월 전",
        "timeline": "전체 타임라인·출처 보기",
        "back": "요약으로 돌아가기",
        "planned": "🗓️ 계획",
        "renewed_claim": "제작 확정 보도 (넷플릭스 공식 확인 전)",
        "renewed": "제작 확정",
    },
}


def title(golden: Golden, locale: str, number: int, key: str = "renewal.title") -> str:
    texts, lang = golden.services.texts, lang_for(locale)
    show = golden.services.facts.catalog.show.title
    first, second = (show.ko, show.en) if lang == "ko" else (show.en, show.ko)
    return texts.t(lang, key, show=f"{first} ({second})", number=number)


def menu(message: Message | None) -> dict[str, Any]:
    assert message is not None
    found = [c for c in message.iter_components() if c.get("type") == STRING_SELECT]
    assert len(found) == 1, f"no single season menu in {message.components}"
    return found[0]


def picked(message: Message | None) -> list[str]:
    return [o["value"] for o in menu(message)["options"] if o.get("default")]


def card_of(result: InteractionResult) -> tuple[dict[str, Any], str]:
    (embed,) = result.embeds
    return embed, embed["description"]


async def choose(golden: Golden, result: InteractionResult, season: int) -> InteractionResult:
    message = shown(result)
    return await golden.double.select(message, menu(message)["custom_id"], [str(season)])


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_a_bare_renewal_is_a_short_card_about_season_2(golden: Golden, locale: str) -> None:
    expected = CARD[locale]
    result = await golden.invoke("renewal", {}, locale=locale)
    assert not result.ephemeral
    embed, text = card_of(result)
    assert embed["title"] == title(golden, locale, 2)
    assert embed_length(embed) <= 1500
    lines = text.splitlines()
    assert lines[0] == expected["status"]
    assert lines[1].startswith(expected["netflix"])  # Netflix's own word, quoted
    assert lines[2] == expected["report"]  # the newest report, labelled as a report
    assert lines[3].startswith(expected["summer"]) and expected["moved"] in lines[3]
    assert lines[4].startswith(expected["october"]) and expected["nothing_newer"] in lines[4]
    assert lines[5] == expected["beside"]  # season 3 shares the news
    assert lines[6] == expected["latest"]
    assert embed["footer"]["text"] == expected["age"]
    # The menu offers every season, season 2 picked; the timeline is one button away.
    assert [o["value"] for o in menu(result.message)["options"]] == ["1", "2", "3"]
    assert picked(result.message) == ["2"]
    assert button(result.message, expected["timeline"])["disabled"] is False


async def test_the_korean_card_quotes_netflix_verbatim_and_names_outlets_in_korean(
    golden: Golden,
) -> None:
    _, text = card_of(await golden.invoke("renewal", {}, locale="ko"))
    assert QUOTE_KO in text
    assert "번역" not in text  # Netflix spoke Korean: no translation to mark
    assert "엑스포츠뉴스(네이버)" in text and "Xports" not in text
    _, english = card_of(await golden.invoke("renewal", {}))
    assert "(our translation from Korean)" in english
    assert "중증외상센터'에 대한" not in english


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_the_timeline_is_one_button_away_and_press_reports_stay_reports(
    golden: Golden, locale: str
) -> None:
    expected = CARD[locale]
    asked = await golden.invoke("renewal", {}, locale=locale)
    first = await golden.double.click(
        shown(asked), button(asked.message, expected["timeline"])["custom_id"], locale=locale
    )
    assert first.response_type == 7  # the same message turns into the timeline
    assert shown(first).id == shown(asked).id
    pages = [first]
    while any(b["label"] == NEXT and not b["disabled"] for b in buttons(pages[-1].message)):
        pages.append(
            await golden.double.click(
                shown(pages[-1]), button(pages[-1].message, NEXT)["custom_id"], locale=locale
            )
        )
    fields = [f for page in pages for f in page.embeds[0].get("fields", [])]
    season = golden.services.facts.catalog.pack.seasons[1]
    assert len(fields) == len(season.events)  # every event, each with its sources
    assert all("](http" in f["value"] for f in fields)
    assert all(page.embeds[0]["title"] == title(golden, locale, 2, "renewal.timeline_title")
               for page in pages)  # fmt: skip
    headings = [f["name"] for f in fields]
    # The Xports exclusive and the year-end article are claims; nobody but Netflix renews.
    assert sum(expected["renewed_claim"] in h for h in headings) == 2
    assert not any(h.endswith(f"· {expected['renewed']}") for h in headings)
    assert picked(first.message) == ["2"]  # the menu stays, on the same season
    back = await golden.double.click(
        shown(pages[-1]), button(pages[-1].message, expected["back"])["custom_id"], locale=locale
    )
    assert back.embeds == asked.embeds


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_the_season_menu_shows_season_1_and_season_3(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    asked = await golden.invoke("renewal", {}, locale=locale)
    one = await choose(golden, asked, 1)
    assert one.response_type == 7 and shown(one).id == shown(asked).id
    embed, text = card_of(one)
    assert embed["title"] == title(golden, locale, 1)
    released = texts.t(lang, "status.released")
    reported = texts.t(lang, "confidence.reported")
    # Season 1's release is known from the press (TIME …), not from Netflix.
    assert text.splitlines()[0] == texts.t(
        lang, "renewal.status_line", status=f"**{released}**", badge=reported
    )
    assert "✅" not in text
    assert picked(one.message) == ["1"]
    three = await choose(golden, one, 3)
    embed, text = card_of(three)
    assert embed["title"] == title(golden, locale, 3)
    assert CARD[locale]["beside"].replace("3", "2") in text
    assert picked(three.message) == ["3"]


async def test_the_card_keeps_the_askers_language_whoever_uses_it(golden: Golden) -> None:
    asked = await golden.invoke("renewal", {}, locale="ko")
    assert menu(asked.message)["custom_id"] == MENU_KO
    turned = await golden.double.select(shown(asked), MENU_KO, ["3"], user=golden.admin)
    assert turned.embeds[0]["title"] == title(golden, "ko", 3)


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_a_season_can_be_asked_for_by_number(golden: Golden, locale: str) -> None:
    result = await golden.invoke("renewal", {"season": 3}, locale=locale)
    assert result.embeds[0]["title"] == title(golden, locale, 3)
    assert picked(result.message) == ["3"]


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_an_unknown_season_gets_a_private_no(golden: Golden, locale: str) -> None:
    texts, lang = golden.services.texts, lang_for(locale)
    result = await golden.invoke("renewal", {"season": 9}, locale=locale)
    assert result.ephemeral
    assert result.content == texts.t(lang, "error.unknown_season", season=9)


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_plans_are_not_out_of_date_before_their_date(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    from tests.e2e.golden import golden_settings, start_golden

    guild = double.add_guild("Early fans")
    double.add_channel(guild, "general")
    settings = golden_settings(double, tmp_path / "early.sqlite3")
    async with start_golden(double, settings, today=dt.date(2026, 7, 1)):
        result = await double.invoke("renewal", {}, guild=guild, locale=locale)
    summary = result.embeds[0]["description"]
    assert summary.count(CARD[locale]["planned"]) == 2
    assert "⚠️" not in summary


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_netflixs_official_word_from_a_maintainer_settles_the_out_of_date_plans(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    lang = lang_for(locale)
    room = Newsroom.build(double, tmp_path)
    async with room.start() as bot:
        texts = bot.services.texts
        before = await room.invoke("renewal", {}, locale=locale)
        assert before.embeds[0]["description"].count("⚠️") == 2
        await room.publish(
            await room.preview(
                title="Netflix confirms season 2",
                season=2,
                status="renewed",
                confidence="official",
                source="https://about.netflix.com/en/news/season-2",
            )
        )
        after = await room.invoke("renewal", {}, locale=locale)
    text = after.embeds[0]["description"]
    assert "⚠️" not in text  # Netflix's renewal supersedes the press's filming plans
    renewed = texts.t(lang, "status.renewed")
    official = texts.t(lang, "confidence.official")
    assert text.splitlines()[0] == texts.t(
        lang, "renewal.status_line", status=f"**{renewed}**", badge=official
    )
    assert "Netflix confirms season 2" in text
    assert "<t:1782086400:R>" not in text  # the latest news is now the maintainer's update


async def test_the_menu_and_buttons_work_after_a_restart(
    double: DiscordDouble, tmp_path: Path
) -> None:
    from tests.e2e.golden import golden_settings, start_golden

    guild = double.add_guild("Patient fans")
    double.add_channel(guild, "general")
    settings = golden_settings(double, tmp_path / "restart.sqlite3")
    async with start_golden(double, settings):
        asked = await double.invoke("renewal", {}, guild=guild, locale="ko")
        expected = await double.invoke("renewal", {"season": 3}, guild=guild, locale="ko")
    async with start_golden(double, settings):  # a new process: nothing kept in memory
        turned = await double.select(shown(asked), MENU_KO, ["3"])
        assert turned.response_type == 7
        assert turned.embeds == expected.embeds
        timeline = await double.click(
            shown(turned), button(turned.message, CARD["ko"]["timeline"])["custom_id"]
        )
        assert "⚠️" in all_text(timeline.embeds)
        assert picked(timeline.message) == ["3"]


async def test_page_buttons_of_older_answers_still_turn(
    double: DiscordDouble, tmp_path: Path
) -> None:
    """Answers sent before the card had ◀ ▶ over every season (``…:all``): they still work."""
    from tests.e2e.golden import golden_settings, start_golden

    guild = double.add_guild("Old messages")
    channel = double.add_channel(guild, "general")
    settings = golden_settings(double, tmp_path / "old.sqlite3")
    async with start_golden(double, settings) as bot:
        # What the bot sent before this change: page buttons over all seasons.
        view = RenewalPageButton.pager_view(1, 3, "en", ("all",))
        assert view is not None
        target = bot.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        sent = await target.send("older answer", view=view)
        old = double.message(sent.id)
        assert old is not None
        turned = await double.click(old, "gh:renewal:page:2:en:all")
        assert turned.response_type == 7
        texts = bot.services.texts
        assert turned.embeds[0]["title"] == texts.t(
            "en",
            "renewal.timeline_title",
            show="The Trauma Code: Heroes on Call (중증외상센터)",
            number=2,
        )
        assert texts.t("en", "renewal.legend") in turned.embeds[0]["footer"]["text"]
