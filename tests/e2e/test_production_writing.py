"""Writing in the newsroom: the form, the per-language preview, the missing-language choice,
sources and the unconfirmed line, through the double in both of the maintainer's languages.

What a maintainer would notice: the form has both languages with multi-line bodies; the
preview shows each language's post as servers will get it and says how many servers get which;
a Korean server never gets English (or nothing) unless the maintainer chose it; a reported or
official post cannot go out without an https source; an unconfirmed one says so in the post.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from discord_double import DiscordDouble

from bot.production import repo_ledger
from tests.e2e.production_helpers import (
    MESSAGES_ROUTE,
    FanServer,
    Newsroom,
    outcome,
    settled,
    wait_for,
    wait_until_finished,
)

KOREAN = {
    "title_ko": "시즌 2 촬영 시작",
    "body_ko": "첫 대본 리딩을 했어요.\n배우들이 모두 모였어요.",
}
ENGLISH_TITLE = "Season 2 starts filming"

PREVIEW_LINE = {
    "en-US": "In English: {en} · in Korean: {ko}.",
    "ko": "영어로 받는 곳: {en} · 한국어로 받는 곳: {ko}",
}


def servers(locale: str, count: int) -> str:
    if locale == "ko":
        return f"서버 {count}곳"
    return f"{count} server" if count == 1 else f"{count} servers"


def titles(room: Newsroom, server: FanServer) -> list[str]:
    return [str(post.embeds[0]["title"]) for post in room.posts(server) if post.embeds]


def buttons(result: object) -> list[str]:
    message = getattr(result, "message", None)
    assert message is not None
    return [
        ":".join(str(c["custom_id"]).split(":")[: 3 if "choose" not in c["custom_id"] else 4])
        for c in message.iter_components()
        if "custom_id" in c
    ]


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_the_form_shows_both_languages_and_the_preview_counts_servers_per_language(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    english, korean = room.add_servers(2), room.add_servers(1)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, english)
        await room.subscribe(db, korean, language="ko")
        opened = await room.open_form(locale=locale)
        modal = opened.modal
        assert modal is not None  # the double checked it against Discord's schema and limits
        fields = [c for row in modal["components"] for c in row["components"]]
        assert [f["custom_id"] for f in fields] == [
            "title_en",
            "body_en",
            "title_ko",
            "body_ko",
            "source",
        ]
        assert [f["style"] for f in fields] == [1, 2, 1, 2, 1]  # bodies are multi-line
        assert ("제목 (한국어)" if locale == "ko" else "Title (Korean)") in fields[2]["label"]

        preview = await room.submit(
            opened,
            {"title_en": ENGLISH_TITLE, "body_en": "The cast met.\nAll of them.", **KOREAN},
            locale=locale,
        )
        line = PREVIEW_LINE[locale].format(en=servers(locale, 2), ko=servers(locale, 1))
        assert line in (preview.content or "")
        assert [e["title"] for e in preview.embeds] == [ENGLISH_TITLE, KOREAN["title_ko"]]
        assert "The cast met.\nAll of them." in preview.embeds[0]["description"]
        assert all(
            "Preview" in e["footer"]["text"] or "미리보기" in e["footer"]["text"]
            for e in preview.embeds
        )
        assert double.requests_to(MESSAGES_ROUTE) == []

        await room.publish(preview, locale=locale)
        await wait_until_finished(db, 1)
        for server in english:
            assert titles(room, server) == [ENGLISH_TITLE]
        for server in korean:
            assert titles(room, server) == [KOREAN["title_ko"]]
            assert "배우들이 모두 모였어요." in room.posts(server)[0].embeds[0]["description"]
        for server in english + korean:
            footer = room.posts(server)[0].embeds[0]["footer"]["text"]
            assert "Preview" not in footer and "미리보기" not in footer
            assert footer in ("Production update #1", "제작 소식 #1")


@pytest.mark.parametrize("locale", ["en-US", "ko"])
@pytest.mark.parametrize("count", [0, 1, 2])
async def test_server_counts_are_worded_for_zero_one_and_two(
    double: DiscordDouble, tmp_path: Path, locale: str, count: int
) -> None:
    room = Newsroom.build(double, tmp_path)
    english = room.add_servers(count)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, english)
        preview = await room.preview(locale=locale, **KOREAN)
        line = PREVIEW_LINE[locale].format(en=servers(locale, count), ko=servers(locale, 0))
        assert line in (preview.content or "")
        await room.publish(preview, locale=locale)
        await wait_until_finished(bot.services.db, 1)
        edit = await room.invoke("production edit", {"id": 1, "title": "New"}, locale=locale)
        copies = {0: "0 copies", 1: "1 copy", 2: "2 copies"}[count]
        assert (f"게시물 {count}개" if locale == "ko" else copies) in (edit.content or "")


@pytest.mark.parametrize(
    ("choice", "locale"),
    [
        ("fallback", "en-US"),
        ("skip", "en-US"),
        ("add", "en-US"),
        ("fallback", "ko"),
        ("skip", "ko"),
    ],
)
async def test_without_korean_text_korean_servers_get_only_what_the_maintainer_chose(
    double: DiscordDouble, tmp_path: Path, choice: str, locale: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    english, korean = room.add_servers(1), room.add_servers(2)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, english)
        await room.subscribe(db, korean, language="ko")
        preview = await room.preview(locale=locale)
        warning = (
            "**한국어 글이 없어요.** 서버 2곳이 한국어를 골랐어요."
            if locale == "ko"
            else "**There is no Korean text**, and 2 servers chose Korean."
        )
        assert warning in (preview.content or "")
        # Nobody can publish without choosing: the three choices take Publish's place.
        assert buttons(preview) == [
            "gh:prod:addlang",
            "gh:prod:choose:fallback",
            "gh:prod:choose:skip",
            "gh:prod:cancel",
        ]
        assert [e["title"] for e in preview.embeds] == [ENGLISH_TITLE]

        if choice == "add":
            assert preview.message is not None
            reopened = await double.click(
                preview.message,
                room.button_id(preview, "addlang"),
                user=room.maintainer,
                locale=locale,
            )
            assert reopened.modal is not None
            prefilled = {
                c["custom_id"]: c.get("value")
                for row in reopened.modal["components"]
                for c in row["components"]
            }
            assert prefilled["title_en"] == ENGLISH_TITLE
            message_id = preview.message.id
            await room.submit(reopened, KOREAN, locale=locale)
            await wait_for(
                lambda: len(double.state.messages[message_id].embeds) == 2,
                what="the preview rewritten with Korean",
            )
            shown = double.state.messages[message_id]
            assert [e["title"] for e in shown.embeds] == [ENGLISH_TITLE, KOREAN["title_ko"]]
            ids = [str(c["custom_id"]) for c in shown.iter_components() if "custom_id" in c]
            (publish_id,) = [i for i in ids if i.startswith("gh:prod:publish:")]
            published = await double.click(shown, publish_id, user=room.maintainer)
            await settled(published, shown.content)
            assert "Published as update #1" in outcome(published)
        else:
            published = await room.press(preview, f"choose:{choice}", locale=locale)
            said = {
                ("fallback", "en-US"): "2 servers got the English post, as you chose.",
                ("skip", "en-US"): "2 servers skipped, as you chose (no Korean text).",
                ("fallback", "ko"): "선택한 대로 서버 2곳에 영어 게시물을 보냈어요.",
                ("skip", "ko"): "선택한 대로 서버 2곳은 건너뛰었어요(한국어 글 없음).",
            }[(choice, locale)]
            assert said in outcome(published)
        counts = await wait_until_finished(db, 1)

        assert titles(room, english[0]) == [ENGLISH_TITLE]
        for server in korean:
            posts = room.posts(server)
            if choice == "skip":
                assert posts == []
            elif choice == "fallback":  # the English post, English labels and all
                assert titles(room, server) == [ENGLISH_TITLE]
                assert posts[0].embeds[0]["fields"][0]["name"] == "Confidence"
            else:
                assert titles(room, server) == [KOREAN["title_ko"]]
        assert counts.total == (1 if choice == "skip" else 3)

        report = await room.invoke("production status", {"id": 1}, locale=locale)
        text = report.all_text
        if choice == "skip":
            assert (
                "서버 2곳은 한국어를 골랐고 건너뛰었어요" in text
                if locale == "ko"
                else "2 servers chose Korean and were skipped" in text
            )
        elif choice == "fallback":
            assert (
                "영어 게시물을 받았어요" in text
                if locale == "ko"
                else "2 servers chose Korean and got the English post" in text
            )


async def test_publish_asks_when_a_korean_server_subscribed_after_the_preview(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    english, korean = room.add_servers(1), room.add_servers(1)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, english)
        preview = await room.preview()
        assert "gh:prod:publish" in buttons(preview)
        await room.subscribe(db, korean, language="ko")
        asked = await room.publish(preview)
        assert "There is no Korean text" in (asked.content or "")
        assert "gh:prod:choose:skip" in buttons(asked)
        assert await repo_ledger.recent_updates(db) == []  # nothing was published
        skipped = await room.press(asked, "choose:skip")
        assert "1 server skipped" in outcome(skipped)
        await wait_until_finished(db, 1)
        assert titles(room, english[0]) == [ENGLISH_TITLE]
        assert room.posts(korean[0]) == []


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_reported_and_official_posts_need_an_https_source(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    async with room.start() as bot:
        for confidence in ("reported", "official"):
            for source in (None, "http://news.example.com/a"):
                opened = await room.open_form({"confidence": confidence}, locale=locale)
                values = {"title_en": "t", "body_en": "b"}
                if source:
                    values["source"] = source
                refused = await room.submit(opened, values, locale=locale)
                needed = "https://로 시작하는" if locale == "ko" else "needs a `Source link"
                assert needed in (refused.content or ""), refused.content
                assert refused.embeds == [] and refused.components == []
        count = await bot.services.db.fetch_value("SELECT COUNT(*) FROM production_previews")
        assert count == 0
        accepted = await room.preview(
            confidence="official", source="https://news.example.com/a", locale=locale
        )
        assert accepted.embeds[0]["url"] == "https://news.example.com/a"


async def test_an_unconfirmed_post_says_so_in_both_languages(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    english, korean = room.add_servers(1), room.add_servers(1)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, english)
        await room.subscribe(db, korean, language="ko")
        await room.publish(await room.preview(**KOREAN))
        await room.publish(
            await room.preview(
                title="Official", confidence="official", source="https://x.example.com", **KOREAN
            )
        )
        await wait_until_finished(db, 1)
        await wait_until_finished(db, 2)
        rumour_en, official_en = room.posts(english[0])
        rumour_ko, official_ko = room.posts(korean[0])
        assert "*❔ Unconfirmed: not yet confirmed" in rumour_en.embeds[0]["description"]
        assert "*❔ 미확인 소식이에요." in rumour_ko.embeds[0]["description"]
        assert "Unconfirmed" not in official_en.embeds[0]["description"]
        assert "미확인" not in official_ko.embeds[0]["description"]


async def test_the_form_and_the_choice_work_across_a_restart(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    english, korean = room.add_servers(1), room.add_servers(1)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, english)
        await room.subscribe(bot.services.db, korean, language="ko")
        opened = await room.open_form({"confidence": "unconfirmed"})
    async with room.start():  # the form was open while the bot restarted
        preview = await room.submit(opened, {"title_en": ENGLISH_TITLE, "body_en": "Body"})
        assert "There is no Korean text" in (preview.content or "")
    async with room.start() as bot:  # and the choice is made after another restart
        fallback = await room.press(preview, "choose:fallback")
        assert "1 server got the English post" in outcome(fallback)
        await wait_until_finished(bot.services.db, 1)
    assert titles(room, korean[0]) == [ENGLISH_TITLE]
    assert titles(room, english[0]) == [ENGLISH_TITLE]


async def test_only_maintainers_can_submit_the_form(double: DiscordDouble, tmp_path: Path) -> None:
    room = Newsroom.build(double, tmp_path)
    intruder = double.add_member(room.desk, "intruder", administrator=True)
    async with room.start() as bot:
        refused = await room.invoke("production post", user=intruder)
        assert refused.modal is None
        assert refused.content == "Only the bot's maintainers can do this."
        opened = await room.open_form()
        # A submit crafted by someone else (Discord would not send one) is refused too.
        sneaked = await room.submit(opened, {"title_en": "t", "body_en": "b"}, user=intruder)
        assert "Only the bot's maintainers can do this." in (sneaked.content or "")
        count = await bot.services.db.fetch_value("SELECT COUNT(*) FROM production_previews")
        assert count == 0
