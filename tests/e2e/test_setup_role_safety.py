"""The ping role can't be a way around Discord's role rules (issue 9, finding 1).

/setup takes only a role its admin could give out themselves and that grants nothing
elevated; /notify and the "Notify me" button check again at click time, because a role can gain
permissions after it was chosen; /setup check reports it. In English and in Korean.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from discord_double import DiscordDouble
from discord_double.models import Role
from discord_double.permissions import Permission

from bot.app import GoldenHourBot
from bot.production import repo_settings
from tests.e2e.production_helpers import FanServer, Newsroom, wait_for, wait_until_finished
from tests.e2e.topic_helpers import choose, open_picker

ROLE_ROUTES = (
    "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}",
    "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}",
)

# What the user reads, per language (substrings of the catalogue texts).
SAYS = {
    "en-US": {
        "elevated": "carries moderator or admin permissions",
        "administrator": "Administrator",
        "ban": "Ban Members",
        "remove_them": "Remove those permissions from",
        "needs_manage_roles": "that needs the Manage Roles permission",
        "above_you": "is not below your highest role",
        "above_bot": "sits above the bot's own role",
        "saved": "pinging",
        "joined": "You'll be pinged",
        "notify_refused": "I won't hand out or take away",
        "ask_admin": "ask a server admin",
    },
    "ko": {
        "elevated": "운영자나 관리자 권한",
        "administrator": "관리자",
        "ban": "멤버 차단하기",
        "remove_them": "역할의 이 권한을 빼거나",
        "needs_manage_roles": "역할 관리 권한이 필요해요",
        "above_you": "본인의 가장 높은 역할보다 아래에 있지 않아서",
        "above_bot": "봇 역할보다 위에 있어서",
        "saved": "역할을 멘션해요",
        "joined": "멘션을 받아요",
        "notify_refused": "주거나 뺄 수 없어요",
        "ask_admin": "서버 관리자에게",
    },
}


async def run_setup(
    double: DiscordDouble, server: FanServer, role: Role, locale: str, **who: object
) -> str:
    user = who.get("user", server.admin)
    result = await double.invoke(
        "setup announcements",
        {"channel": server.channel, "role": role},
        guild=server.guild,
        user=user,  # type: ignore[arg-type]
        locale=locale,
    )
    assert result.ephemeral
    return result.all_text


def role_requests(double: DiscordDouble) -> list[object]:
    return [r for route in ROLE_ROUTES for r in double.requests_to(route)]


async def cached_role_has_ban(bot: GoldenHourBot, role: Role) -> None:
    def updated() -> bool:
        guild = bot.get_guild(role.guild_id)
        cached = None if guild is None else guild.get_role(role.id)
        return cached is not None and cached.permissions.ban_members

    await wait_for(updated, what="the bot to see the role's new permissions")


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_setup_takes_only_a_role_its_admin_could_give_out_that_grants_nothing_elevated(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    says = SAYS[locale]
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    assert server.role is not None
    guild = server.guild
    host = double.add_member(guild, "host", permissions=Permission.MANAGE_GUILD)
    moderators = double.add_role(guild, "Moderators", permissions=Permission.ADMINISTRATOR)
    veterans = double.add_role(guild, "Veterans", position=3)  # above the admin's top role
    bot_role = next(r for r in guild.roles.values() if r.managed)
    double.update_role(bot_role, position=10)  # the bot could give out every role here
    async with room.start() as bot:
        db = bot.services.db
        # Only Manage Server: an Administrator role is refused for what it grants, and even a
        # plain role needs Manage Roles (the host couldn't give it out in Discord either).
        admin_role = await run_setup(double, server, moderators, locale, user=host)
        assert says["elevated"] in admin_role and says["administrator"] in admin_role
        assert await repo_settings.get_guild_settings(db, guild.id) is None
        plain = await run_setup(double, server, server.role, locale, user=host)
        assert says["needs_manage_roles"] in plain
        assert await repo_settings.get_guild_settings(db, guild.id) is None
        # Manage Roles, but the role sits above the admin's own top role.
        above = await run_setup(double, server, veterans, locale)
        assert f"<@&{veterans.id}>" in above and says["above_you"] in above
        assert await repo_settings.get_guild_settings(db, guild.id) is None
        # A plain role below both the admin and the bot is accepted.
        fine = await run_setup(double, server, server.role, locale)
        assert says["saved"] in fine
        settings = await repo_settings.get_guild_settings(db, guild.id)
        assert settings is not None and settings.role_id == server.role.id
        # Changing it later to the Administrator role is refused and keeps the fine one.
        again = await run_setup(double, server, moderators, locale)
        assert says["elevated"] in again
        kept = await repo_settings.get_guild_settings(db, guild.id)
        assert kept is not None and kept.role_id == server.role.id
    assert role_requests(double) == []


async def test_setup_refuses_a_role_above_the_bot(double: DiscordDouble, tmp_path: Path) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    assert server.role is not None
    double.update_role(server.role, position=5)  # above the bot's role...
    owner = double.member(server.guild, server.guild.owner_id)  # ...but not above the owner
    async with room.start() as bot:
        text = await run_setup(double, server, server.role, "en-US", user=owner)
        assert "sits above the bot's own role" in text
        assert "Drag the bot's role above" in text
        assert await repo_settings.get_guild_settings(bot.services.db, server.guild.id) is None


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_a_role_that_gains_permissions_after_setup_is_never_handed_out_or_taken_away(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    says = SAYS[locale]
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    role = server.role
    assert role is not None
    newcomer = double.add_member(server.guild, "newcomer")
    async with room.start() as bot:
        await run_setup(double, server, role, locale)
        picker = await open_picker(double, server.guild, server.fan, locale)
        joined = await choose(double, picker, ["season-news"], locale)
        assert says["joined"] in joined.all_text and role.id in server.fan.role_ids
        await room.publish(await room.preview())
        await wait_until_finished(bot.services.db, 1)
        (post,) = room.posts(server)
        granted = len(role_requests(double))

        double.update_role(role, permissions=int(Permission.BAN_MEMBERS))  # GUILD_ROLE_UPDATE
        await cached_role_has_ban(bot, role)

        leave = await double.invoke("notify", guild=server.guild, user=server.fan, locale=locale)
        click = await double.click(post, "gh:notify:1:1", user=newcomer, locale=locale)
        for answer in (leave, click):
            assert answer.ephemeral
            assert answer.latency is not None and answer.latency < 3.0
            assert says["notify_refused"] in answer.all_text
            assert says["ban"] in answer.all_text and says["ask_admin"] in answer.all_text
        assert role.id in server.fan.role_ids  # not taken away either
        assert role.id not in newcomer.role_ids
        assert len(role_requests(double)) == granted  # Discord was not asked

        check = await double.invoke(
            "setup check", guild=server.guild, user=server.admin, locale=locale
        )
        text = check.embeds[0]["description"]
        assert says["elevated"] in text and says["ban"] in text
        assert says["remove_them"] in text


async def test_a_channel_overwrite_that_lets_the_role_moderate_counts_too(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    assert server.role is not None
    double.set_overwrite(server.channel, server.role, int(Permission.MANAGE_MESSAGES), 0)
    async with room.start() as bot:
        text = await run_setup(double, server, server.role, "en-US")
        assert "carries moderator or admin permissions (Manage Messages)" in text
        assert await repo_settings.get_guild_settings(bot.services.db, server.guild.id) is None
