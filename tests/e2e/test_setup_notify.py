"""/setup for server admins and /notify (command and button) for fans, end to end."""

from __future__ import annotations

from pathlib import Path

from discord_double import DiscordDouble
from discord_double.permissions import DEFAULT_BOT_PERMISSIONS, Permission

from bot.production import repository as repo
from tests.e2e.production_helpers import FanServer, Newsroom, wait_until_finished

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
        settings = await repo.get_guild_settings(bot.services.db, good.guild.id)
        assert settings is not None
        assert (settings.channel_id, settings.role_id, settings.channel_kind) == (
            good.channel.id,
            good.role.id,
            "text",
        )
        await setup_announcements(double, announce)
        announce_settings = await repo.get_guild_settings(bot.services.db, announce.guild.id)
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
        assert await repo.get_guild_settings(bot.services.db, server.guild.id) is None


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
        assert chosen.content == "Update posts in this server will now be in 한국어."
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


async def test_notify_toggles_the_ping_role_for_the_fan_who_asks(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    assert server.role is not None
    async with room.start():
        await setup_announcements(double, server)
        joined = await double.invoke("notify", guild=server.guild, user=server.fan)
        assert joined.ephemeral
        assert f"You'll be pinged (<@&{server.role.id}>)" in joined.all_text
        assert server.role.id in server.fan.role_ids
        left = await double.invoke("notify", guild=server.guild, user=server.fan)
        assert "You won't be pinged" in left.all_text
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
        assert clicked.ephemeral and "You'll be pinged" in clicked.all_text
        assert server.role.id in server.fan.role_ids
    async with room.start():  # a new process: nothing of the old one in memory
        again = await double.click(post, "gh:notify:1:1", user=server.fan)
        assert "You won't be pinged" in again.all_text
        assert server.role.id not in server.fan.role_ids
