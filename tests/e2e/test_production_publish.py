"""/production post → preview → Publish, through the double with many servers.

Nothing is sent before Publish; Publish reaches every subscribed server exactly once, pings
only the opted-in role (the exact allowed_mentions payload), publishes in announcement
channels, writes in each server's language, and the maintainer's message follows the
delivery to its report. Double clicks, Cancel after Publish, expired previews, bad input and
non-maintainers change nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from discord_double import DiscordDouble

from bot.production import repo_ledger
from bot.production.compose import TITLE_MAX
from bot.store.database import Database
from tests.e2e.production_helpers import (
    MESSAGES_ROUTE,
    Newsroom,
    outcome,
    wait_for,
    wait_until_finished,
)


async def outbox_size(db: Database) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM production_deliveries"))


HOSTILE = "Big news @everyone @here <@123456789012345678> <@&999999999999999999>"


async def test_production_is_registered_only_in_the_newsroom(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    room.add_servers(1)
    async with room.start():
        desk_commands = {c.name for c in double.commands(room.desk)}
        global_commands = {c.name for c in double.commands()}
    assert "production" in desk_commands
    assert "production" not in global_commands
    assert {"setup", "notify", "updates"} <= global_commands


async def test_without_a_newsroom_production_is_global_but_hidden_from_members(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    async with room.start(admin_guild_id=None):
        (production,) = [c for c in double.commands() if c.name == "production"]
    assert production.data["default_member_permissions"] == "0"


async def test_preview_sends_nothing_and_shows_both_languages(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(3)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        preview = await room.preview(title_ko="시즌 2 촬영 시작", body_ko="첫 대본 리딩을 했어요.")
        assert preview.ephemeral
        assert "nobody has been pinged" in (preview.content or "")
        assert "3 subscribed servers" in (preview.content or "")
        titles = [e["title"] for e in preview.embeds]
        assert titles == ["Season 2 starts filming", "시즌 2 촬영 시작"]
        assert preview.message is not None and not preview.message.mention_roles
        # Nothing queued (the worker could not send if it wanted to), and nothing sent.
        assert await outbox_size(bot.services.db) == 0
        assert await outbox_size(bot.services.db) == 0
        await asyncio.sleep(0.3)
        assert double.requests_to(MESSAGES_ROUTE) == []
        assert await repo_ledger.recent_updates(bot.services.db) == []


async def test_publish_reaches_every_server_once_pinging_only_its_role(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    english = room.add_servers(24)
    korean = room.add_servers(6)
    announcement = room.add_servers(4, kind="announcement")
    no_role = room.add_servers(4, role=False)
    everyone = english + korean + announcement + no_role
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, english + announcement + no_role)
        await room.subscribe(db, korean, language="ko")
        preview = await room.preview(
            title=HOSTILE, body=f"{HOSTILE} — the body", title_ko="큰 소식", body_ko="본문"
        )
        published = await room.publish(preview)
        assert "Published as update #1" in (published.content or "")
        counts = await wait_until_finished(db, 1)
        assert (counts.total, counts.delivered, counts.failed) == (38, 38, 0)

        for server in everyone:
            (post,) = room.posts(server)  # exactly one message per server
            (request,) = room.send_requests(server)
            if server.role is None:
                assert request.json["allowed_mentions"] == {"parse": []}
                assert post.content == ""
                assert post.mention_roles == []
            else:
                assert request.json["allowed_mentions"] == {"parse": [], "roles": [server.role.id]}
                assert post.content == f"<@&{server.role.id}>"
                assert post.mention_roles == [server.role.id]
            assert not post.mention_everyone and post.mentions == []
            # The Notify button's custom_id also marks the copy: update 1, revision 1.
            assert [c["custom_id"] for c in post.iter_components() if "custom_id" in c] == [
                "gh:notify:1:1"
            ]
        assert all(room.posts(s)[0].embeds[0]["title"] == HOSTILE for s in english)
        assert all(room.posts(s)[0].embeds[0]["title"] == "큰 소식" for s in korean)
        assert all(room.posts(s)[0].crossposted for s in announcement)
        assert not any(room.posts(s)[0].crossposted for s in english)
        assert double.rate_limited_count == 0

        # The maintainer's message followed the delivery to its report.
        message_id = published.record.original_message_id
        assert message_id is not None
        await wait_for(
            lambda: "Delivery finished" in (double.message(message_id).content or ""),  # type: ignore[union-attr]
            what="the delivery report",
        )
        report = double.message(message_id)
        assert report is not None and report.ephemeral
        assert "Delivered 38 / 38 · 0 failed" in report.embeds[0]["description"]
        assert report.components == []


async def test_a_role_that_is_not_mentionable_gets_the_post_and_check_says_why(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (quiet,) = room.add_servers(1, mentionable=False)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, [quiet])
        await room.publish(await room.preview())
        await wait_until_finished(bot.services.db, 1)
        (post,) = room.posts(quiet)
        assert quiet.role is not None and post.content == f"<@&{quiet.role.id}>"
        assert post.mention_roles == []  # posted, but the ping notified nobody
        check = await double.invoke("setup check", guild=quiet.guild, user=quiet.admin)
        text = check.embeds[0]["description"]
        assert "is not mentionable" in text
        assert "Allow anyone to @mention this role" in text


async def test_a_double_click_on_publish_creates_one_update(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(5)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        preview = await room.preview()
        first, second = await asyncio.gather(room.publish(preview), room.publish(preview))
        assert "Published as update #1" in (first.content or "")
        # The second click leaves the first's "Published" on the preview and says why.
        assert "Published as update #1" in (second.content or "")
        assert "already published as update #1; nothing changed" in outcome(second)
        await wait_until_finished(bot.services.db, 1)
        assert len(await repo_ledger.recent_updates(bot.services.db)) == 1
        assert all(len(room.posts(s)) == 1 for s in servers)


async def test_cancel_after_publish_is_too_late_and_changes_nothing(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(3)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        preview = await room.preview()
        assert preview.message is not None
        published, cancelled = await asyncio.gather(
            room.publish(preview), room.press(preview, "cancel")
        )
        assert "Published as update #1" in (published.content or "")
        assert "Too late to cancel" in outcome(cancelled)
        assert "/production retract id:1" in outcome(cancelled)
        await wait_until_finished(bot.services.db, 1)
        assert all(len(room.posts(s)) == 1 for s in servers)


async def test_cancel_sends_nothing_and_a_publish_clicked_after_it_says_so(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(2)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        preview = await room.preview()
        assert preview.message is not None
        # Cancel first, then Publish from the same (not yet updated) message.
        cancelled, late = await asyncio.gather(room.press(preview, "cancel"), room.publish(preview))
        assert "Cancelled: nothing was sent" in (cancelled.content or "")
        assert cancelled.components == []
        assert "This preview was cancelled, so nothing was sent." in outcome(late)
        assert await outbox_size(bot.services.db) == 0
        await asyncio.sleep(0.3)
        assert double.requests_to(MESSAGES_ROUTE) == []
        assert await repo_ledger.recent_updates(bot.services.db) == []


async def test_publish_after_the_preview_expired_sends_nothing(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(2)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        preview = await room.preview()
        room.clock.advance(16 * 60)  # the preview lives 15 minutes
        late = await room.publish(preview)
        assert "This preview expired, so nothing was sent" in outcome(late)
        assert late.ephemeral and all(m.ephemeral for m in late.followups)
        assert await outbox_size(bot.services.db) == 0
        await asyncio.sleep(0.3)
        assert double.requests_to(MESSAGES_ROUTE) == []
        assert await repo_ledger.recent_updates(bot.services.db) == []


async def test_bad_input_is_refused_before_any_preview(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    async with room.start() as bot:
        long_title = await room.invoke(
            "production post", {"title": "x" * (TITLE_MAX + 1), "body": "body"}
        )
        assert f"`title` is 257 characters; the limit is {TITLE_MAX}" in (long_title.content or "")
        bad_url = await room.invoke(
            "production post", {"title": "t", "body": "b", "source": "not a link"}
        )
        assert "`source` must be a full http(s) link" in (bad_url.content or "")
        # Each language fits on its own, but the preview shows both in one message.
        both = await room.invoke(
            "production post",
            {"title": "t", "body": "e" * 3500, "title_ko": "제목", "body_ko": "한" * 3500},
        )
        assert "both count" in (both.content or "")
        half = await room.invoke("production post", {"title": "t", "body": "b", "season": 2})
        assert "Give `season` and `status` together" in (half.content or "")
        for result in (long_title, bad_url, both, half):
            assert result.ephemeral and result.components == [] and result.embeds == []
        count = await bot.services.db.fetch_value("SELECT COUNT(*) FROM production_previews")
        assert count == 0


async def test_non_maintainers_are_refused_even_if_discord_lets_them_run_it(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    intruder = double.add_member(room.desk, "intruder", administrator=True)
    async with room.start() as bot:
        refused = await room.invoke("production post", {"title": "t", "body": "b"}, user=intruder)
        assert refused.content == "Only the bot's maintainers can do this."
        listed = await room.invoke("production list", user=intruder)
        assert listed.content == "Only the bot's maintainers can do this."
        count = await bot.services.db.fetch_value("SELECT COUNT(*) FROM production_previews")
        assert count == 0


async def test_a_maintainer_removed_from_the_list_cannot_publish_their_old_preview(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(2)
    async with room.start() as bot:
        await room.subscribe(bot.services.db, servers)
        preview = await room.preview()
    async with room.start(maintainer_ids=frozenset()) as bot:
        refused = await room.publish(preview)
        assert outcome(refused) == "Only the bot's maintainers can do this."
        assert await repo_ledger.recent_updates(bot.services.db) == []
        assert double.requests_to(MESSAGES_ROUTE) == []


async def test_list_status_updates_and_renewal_show_the_published_update(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    servers = room.add_servers(3)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, servers)
        await room.publish(await room.preview(title="Older news"))
        await room.publish(
            await room.preview(
                title="Season 2 is filming",
                season=2,
                status="filming",
                confidence="official",
                source="https://example.com/season-2-filming",
            )
        )
        await wait_until_finished(db, 1)
        await wait_until_finished(db, 2)
        listed = await room.invoke("production list")
        text = listed.embeds[0]["description"]
        assert text.index("#2") < text.index("#1")
        assert "Delivered 3 / 3 · 0 failed" in text
        status = await room.invoke("production status", {"id": 2})
        assert "Update #2: Season 2 is filming" in (status.content or "")
        assert "No failures." in status.all_text
        unknown = await room.invoke("production status", {"id": 99})
        assert unknown.content == "There is no update #99."

        fan = servers[0]
        updates = await double.invoke("updates", guild=fan.guild, user=fan.fan)
        newest_first = updates.embeds[0]["description"]
        assert newest_first.index("Season 2 is filming") < newest_first.index("Older news")
        renewal = await double.invoke("renewal", {"season": 2}, guild=fan.guild, user=fan.fan)
        assert "Season 2 is filming" in renewal.all_text
