"""/setup for server admins and /notify (command and button) for fans, end to end."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from discord_double import DiscordDouble
from discord_double.permissions import DEFAULT_BOT_PERMISSIONS, Permission

from bot.production import repo_ledger, repo_settings
from bot.store.database import Database
from tests.e2e.production_helpers import (
    MESSAGES_ROUTE,
    FanServer,
    Newsroom,
    wait_for,
    wait_until_finished,
)
from tests.e2e.topic_helpers import choose, open_picker

ROLE_ROUTE = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"


async def setup_announcements(double: DiscordDouble, server: FanServer, **options: object) -> str:
    values: dict[str, object] = {"channel": server.channel}
    if server.role is not None:
        values["role"] = server.role
    values.update(options)
    result = await double.invoke(
        "setup announcements", values, guild=server.guild, user=server.admin
    )
    assert result.ephemeral
    return result.all_text


async def test_an_admin_sets_up_posts_and_the_answer_checks_the_setup(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    good, announce = room.add_servers(1) + room.add_servers(1, kind="announcement")
    async with room.start() as bot:
        text = await setup_announcements(double, good)
        assert good.role is not None
        assert f"posted in <#{good.channel.id}> in English, pinging <@&{good.role.id}>" in text
        assert "Everything looks right" in text
        settings = await repo_settings.get_guild_settings(bot.services.db, good.guild.id)
        assert settings is not None
        assert (settings.channel_id, settings.role_id, settings.channel_kind) == (
            good.channel.id,
            good.role.id,
            "text",
        )
        await setup_announcements(double, announce)
        announce_settings = await repo_settings.get_guild_settings(
            bot.services.db, announce.guild.id
        )
        assert announce_settings is not None and announce_settings.channel_kind == "announcement"


async def test_setup_refuses_everyone_managed_roles_and_members_without_manage_server(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    async with room.start() as bot:
        everyone = await setup_announcements(double, server, role=server.guild.everyone_role)
        assert "not @everyone" in everyone
        bot_role = next(r for r in server.guild.roles.values() if r.managed)
        managed = await setup_announcements(double, server, role=bot_role)
        assert "belongs to a bot or an integration" in managed
        # A fan who got past Discord's hint (an admin changed the command's permissions).
        fan = await double.invoke(
            "setup announcements",
            {"channel": server.channel},
            guild=server.guild,
            user=server.fan,
            ignore_default_permissions=True,
        )
        assert fan.content == (
            "You need the Manage Server permission to change update posts in this server."
        )
        assert await repo_settings.get_guild_settings(bot.services.db, server.guild.id) is None


async def test_check_names_every_problem_with_its_fix(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1, bot_permissions=DEFAULT_BOT_PERMISSIONS, mentionable=False)
    assert server.role is not None
    async with room.start():
        before = await double.invoke("setup check", guild=server.guild, user=server.admin)
        assert "Updates are not set up in this server" in before.all_text
        await setup_announcements(double, server)
        double.set_bot_permissions(server.channel, int(Permission.VIEW_CHANNEL))
        double.update_role(server.role, position=5)  # above the bot's role
        check = await double.invoke("setup check", guild=server.guild, user=server.admin)
        text = check.embeds[0]["description"]
        role = f"<@&{server.role.id}>"
        expected = [
            f"The bot can't send messages in <#{server.channel.id}>",
            f"Give the bot's role Send Messages in <#{server.channel.id}>",
            f"{role} is not mentionable",
            "The bot lacks Manage Roles",
            f"{role} sits above the bot's own role",
            f"Drag the bot's role above {role}",
        ]
        for line in expected:
            assert line in text
        assert text.index("can't send messages") < text.index("is not mentionable")
        last = check.embeds[0]["fields"][0]["value"]
        assert last == "No update has been delivered here yet."


async def test_language_and_off_change_what_the_server_gets(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    korean, off = room.add_servers(2)
    async with room.start() as bot:
        for server in (korean, off):
            await setup_announcements(double, server)
        chosen = await double.invoke(
            "setup language", {"language": "ko"}, guild=korean.guild, user=korean.admin
        )
        assert chosen.content == "Update posts in this server will now be in Korean."
        stopped = await double.invoke("setup off", guild=off.guild, user=off.admin)
        assert "Update posts are off in this server." in (stopped.content or "")
        await room.publish(await room.preview(title="News", title_ko="소식", body_ko="본문"))
        counts = await wait_until_finished(bot.services.db, 1)
        assert counts.total == 1
        (post,) = room.posts(korean)
        assert post.embeds[0]["title"] == "소식"
        assert room.posts(off) == []
        resumed = await setup_announcements(double, off)
        assert "Everything looks right" in resumed


async def test_notify_gives_and_takes_the_ping_role_for_the_fan_who_asks(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    assert server.role is not None
    async with room.start():
        await setup_announcements(double, server)
        picker = await open_picker(double, server.guild, server.fan)
        assert picker.ephemeral
        joined = await choose(double, picker, ["season-news"])  # the one role: every topic
        assert "You'll be pinged for: Season 2 & 3 news · Cast & awards" in (joined.content or "")
        assert f"(<@&{server.role.id}>)" in (joined.content or "")
        assert server.role.id in server.fan.role_ids
        left = await choose(double, joined, ["-"])
        assert "You won't be pinged" in (left.content or "")
        assert server.role.id not in server.fan.role_ids
        assert server.role.id not in server.admin.role_ids


async def test_notify_explains_instead_of_asking_discord_when_it_cannot_work(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    unset, no_role = room.add_servers(1), room.add_servers(1, role=False)
    (powerless,) = room.add_servers(1, bot_permissions=DEFAULT_BOT_PERMISSIONS)
    async with room.start():
        nothing = await double.invoke("notify", guild=unset[0].guild, user=unset[0].fan)
        assert "no update ping role yet" in nothing.all_text
        await setup_announcements(double, no_role[0])
        still = await double.invoke("notify", guild=no_role[0].guild, user=no_role[0].fan)
        assert "no update ping role yet" in still.all_text
        await setup_announcements(double, powerless)
        refused = await double.invoke("notify", guild=powerless.guild, user=powerless.fan)
        assert "I can't give out" in refused.all_text
        assert double.requests_to(ROLE_ROUTE) == []  # no request Discord would refuse


async def test_the_notify_button_on_a_post_works_and_survives_a_restart(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    assert server.role is not None
    async with room.start() as bot:
        await setup_announcements(double, server)
        await room.publish(await room.preview())
        await wait_until_finished(bot.services.db, 1)
        (post,) = room.posts(server)
        clicked = await double.click(post, "gh:notify:1:1", user=server.fan)
        assert clicked.ephemeral
        joined = await choose(double, clicked, ["season-news"])
        assert "You'll be pinged" in (joined.content or "")
        assert server.role.id in server.fan.role_ids
    async with room.start():  # a new process: nothing of the old one in memory
        again = await double.click(post, "gh:notify:1:1", user=server.fan)
        left = await choose(double, again, ["-"])
        assert "You won't be pinged" in (left.content or "")
        assert server.role.id not in server.fan.role_ids


def hold_write_lock(database: Path, seconds: float, locked: threading.Event) -> None:
    """Another process's write transaction (a seed, a second bot, an open sqlite3 shell)."""
    conn = sqlite3.connect(database, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("locale", "done"),
    [("en-US", "will be posted in"), ("ko", "채널에 영어로 게시되고")],
)
async def test_setup_answers_in_time_while_another_process_holds_the_write_lock(
    double: DiscordDouble, tmp_path: Path, locale: str, done: str
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    async with room.start() as bot:
        locked = threading.Event()
        holder = asyncio.create_task(asyncio.to_thread(hold_write_lock, room.database, 4.0, locked))
        assert await asyncio.to_thread(locked.wait, 5.0)
        result = await double.invoke(
            "setup announcements",
            {"channel": server.channel, "role": server.role},
            guild=server.guild,
            user=server.admin,
            locale=locale,
        )
        await holder
        assert result.latency is not None and result.latency < 3.0  # no "interaction failed"
        assert result.ephemeral and not result.loading
        assert done in result.all_text  # the outcome, once the lock was released
        settings = await repo_settings.get_guild_settings(bot.services.db, server.guild.id)
        assert settings is not None and settings.channel_id == server.channel.id


async def unsubscribed(db: Database, server: FanServer, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while True:
        settings = await repo_settings.get_guild_settings(db, server.guild.id)
        if settings is not None and not settings.enabled:
            return
        assert time.monotonic() < deadline, "the server was not unsubscribed"
        await asyncio.sleep(0.02)


async def test_a_server_that_removes_the_bot_is_unsubscribed_and_its_queued_posts_skipped(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    stays, leaves = room.add_servers(2)
    # Discord rate-limits the leaving server's channel for a minute, so its post is still
    # queued when the bot is removed.
    double.faults.rate_limit(MESSAGES_ROUTE, retry_after=60.0, times=None, channel=leaves.channel)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, [stays, leaves])
        await room.publish(await room.preview())

        def retrying() -> bool:
            return len(room.send_requests(leaves)) >= 1 and len(room.posts(stays)) == 1

        await wait_for(retrying, what="the first post and the leaving server's first try")
        tried = len(room.send_requests(leaves))
        double.remove_guild(leaves.guild)  # GUILD_DELETE: kicked, not an outage

        await unsubscribed(db, leaves)
        first = await wait_until_finished(db, 1, within=5.0)
        assert (first.delivered, first.cancelled, first.failed) == (1, 1, 0)
        (skipped,) = [
            d for d in await repo_ledger.list_deliveries(db, 1) if d.guild_id == leaves.guild.id
        ]
        assert skipped.last_error == "the bot was removed from this server"
        assert await repo_settings.count_subscribers(db) == 1

        await room.publish(await room.preview(title="Second"))
        second = await wait_until_finished(db, 2)
        assert second.total == 1 and second.delivered == 1
        assert len(room.posts(stays)) == 2
        assert len(room.send_requests(leaves)) == tried  # nothing more was tried there


async def test_a_correction_skips_the_copy_in_a_server_that_removed_the_bot(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    stays, leaves = room.add_servers(2)
    async with room.start() as bot:
        db = bot.services.db
        await room.subscribe(db, [stays, leaves])
        await room.publish(await room.preview())
        await wait_until_finished(db, 1)
        double.remove_guild(leaves.guild)
        await unsubscribed(db, leaves)
        edited = await room.correct({"id": 1, "title": "Filming starts in June"})
        assert "1 copy will be edited" in (edited.content or "")
        counts = await wait_until_finished(db, 1)
        assert counts.edits_failed == 0
        (post,) = room.posts(stays)
        assert post.embeds[0]["title"] == "Filming starts in June"
        edits = double.requests_to("PATCH /channels/{channel_id}/messages/{message_id}")
        assert [r.path.split("/")[2] for r in edits] == [str(stays.channel.id)]
