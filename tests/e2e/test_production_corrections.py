"""Corrections, retractions and picking an update, as a maintainer does them.

/production edit shows the corrected post first and edits nothing before Publish; Cancel
edits nothing at all. /production retract shows what every reader will see, per language,
and retracts only on Confirm. The id options offer recent updates as "#12 · title · date ·
state", to maintainers only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from discord_double import DiscordDouble

from tests.e2e.production_helpers import Newsroom, outcome, wait_until_finished

PATCH_ROUTE = "PATCH /channels/{channel_id}/messages/{message_id}"
KOREAN = {"title_ko": "5월 촬영 시작", "body_ko": "촬영이 5월에 시작돼요."}


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_a_correction_is_previewed_and_only_publish_edits_the_copies(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    english, korean = room.add_servers(2), room.add_servers(1)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, english)
        await room.subscribe(db, korean, language="ko")
        await room.publish(await room.preview(title="Filming starts in May", **KOREAN))
        await wait_until_finished(db, 1)

        preview = await room.invoke(
            "production edit", {"id": 1, "title": "Filming starts in June"}, locale=locale
        )
        lead = "소식 #1 정정 미리보기" if locale == "ko" else "Preview of the correction to #1"
        assert lead in (preview.content or "")
        assert ("게시물 3개" if locale == "ko" else "3 copies") in (preview.content or "")
        assert [e["title"] for e in preview.embeds] == ["Filming starts in June", "5월 촬영 시작"]
        assert "Corrected" in preview.embeds[0]["description"]

        cancelled = await room.press(preview, "cancel", locale=locale)
        assert "nothing was sent" in outcome(cancelled) or "취소했어요" in outcome(cancelled)
        assert double.requests_to(PATCH_ROUTE) == []
        for server in english:
            assert room.posts(server)[0].embeds[0]["title"] == "Filming starts in May"

        again = await room.invoke(
            "production edit", {"id": 1, "title": "Filming starts in June"}, locale=locale
        )
        published = await room.press(again, "apply", locale=locale)
        assert ("소식 #1" if locale == "ko" else "Update #1 corrected") in outcome(published)
        await wait_until_finished(db, 1)
        for server in english:
            (post,) = room.posts(server)
            assert post.embeds[0]["title"] == "Filming starts in June"
        (korean_post,) = room.posts(korean[0])
        assert korean_post.embeds[0]["title"] == "5월 촬영 시작"
        assert "정정됨" in korean_post.embeds[0]["description"]
        assert len(double.requests_to(PATCH_ROUTE)) == 3
        # A second Publish of the same preview changes nothing.
        twice = (
            await room.press(again, "apply", locale=locale)
            if room.has_button(again, "apply")
            else None
        )
        assert twice is None or len(double.requests_to(PATCH_ROUTE)) == 3


async def test_edit_without_text_opens_the_form_with_the_current_text(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(1)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, servers)
        await room.publish(await room.preview(title="Filming starts in May"))
        await wait_until_finished(db, 1)
        opened = await room.invoke("production edit", {"id": 1})
        assert opened.modal is not None
        assert opened.modal["title"] == "Correct update #1"
        values = {
            c["custom_id"]: c.get("value")
            for row in opened.modal["components"]
            for c in row["components"]
        }
        assert values["title_en"] == "Filming starts in May"
        preview = await room.submit(opened, {"body_en": "Now in June.\nSecond line."})
        assert "Preview of the correction to #1" in (preview.content or "")
        assert double.requests_to(PATCH_ROUTE) == []
        await room.press(preview, "apply")
        await wait_until_finished(db, 1)
        (post,) = room.posts(servers[0])
        assert post.embeds[0]["description"].startswith("Now in June.\nSecond line.")


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_retract_shows_every_readers_notice_and_waits_for_confirm(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    english, korean = room.add_servers(2), room.add_servers(1)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, english)
        await room.subscribe(db, korean, language="ko")
        await room.publish(await room.preview(**KOREAN))
        await wait_until_finished(db, 1)

        asked = await room.invoke(
            "production retract", {"id": 1, "reason": "the outlet withdrew it"}, locale=locale
        )
        text = asked.content or ""
        assert ("소식 #1을 철회할까요?" if locale == "ko" else "Retract update #1?") in text
        assert "> **Retracted:** the outlet withdrew it" in text
        assert "> **철회됨:** the outlet withdrew it" in text
        assert ("서버 2곳" if locale == "ko" else "(2 servers)") in text
        assert ("서버 1곳" if locale == "ko" else "(1 server)") in text

        kept = await room.press(asked, "keep", locale=locale)
        assert ("철회하지 않았고" if locale == "ko" else "was not retracted") in outcome(kept)
        assert double.requests_to(PATCH_ROUTE) == []
        confirm_after_cancel = (
            await room.double.click(
                asked.message, room.button_id(asked, "retract"), user=room.maintainer
            )
            if room.has_button(asked, "retract")
            else None
        )
        assert confirm_after_cancel is None  # Cancel took the buttons away

        asked = await room.invoke(
            "production retract", {"id": 1, "reason": "the outlet withdrew it"}, locale=locale
        )
        confirmed = await room.press(asked, "retract", locale=locale)
        assert ("소식 #1" if locale == "ko" else "Update #1 retracted") in outcome(confirmed)
        await wait_until_finished(db, 1)
        for server in english:
            assert room.posts(server)[0].content == "**Retracted:** the outlet withdrew it"
        assert room.posts(korean[0])[0].content == "**철회됨:** the outlet withdrew it"


async def test_id_options_suggest_recent_updates_to_maintainers(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    fan = double.add_member(room.desk, "curious", administrator=True)
    servers = room.add_servers(1)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, servers)
        await room.publish(await room.preview(title="Filming starts in May", **KOREAN))
        await room.publish(await room.preview(title="A rumour"))
        await wait_until_finished(db, 1)
        await wait_until_finished(db, 2)
        await room.retract({"id": 2, "reason": "false"})

        for command in ("production edit", "production retract", "production status"):
            offered = await double.autocomplete(
                command,
                {"id": ""},
                focused="id",
                guild=room.desk,
                channel=room.desk_channel,
                user=room.maintainer,
            )
            names = [c["name"] for c in offered]
            assert names[0].startswith("#2 · A rumour · ") and names[0].endswith(" · retracted")
            assert names[1].startswith("#1 · Filming starts in May · ")
            assert names[1].endswith(" · live")
            assert [c["value"] for c in offered] == [2, 1]
        offered = await double.autocomplete(
            "production retry",
            {"id": "Film"},
            focused="id",
            guild=room.desk,
            channel=room.desk_channel,
            user=room.maintainer,
        )
        assert [c["value"] for c in offered] == [1]
        korean = await double.autocomplete(
            "production edit",
            {"id": ""},
            focused="id",
            guild=room.desk,
            channel=room.desk_channel,
            user=room.maintainer,
            locale="ko",
        )
        assert korean[1]["name"].startswith("#1 · 5월 촬영 시작 · ")
        assert korean[1]["name"].endswith(" · 게시 중")
        assert "년" in korean[1]["name"]  # a Korean date
        refused = await double.autocomplete(
            "production edit",
            {"id": ""},
            focused="id",
            guild=room.desk,
            channel=room.desk_channel,
            user=fan,
        )
        assert refused == []
