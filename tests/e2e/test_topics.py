"""Topic pings (issue 11): fans choose topics, servers map topics to roles, posts ping exactly
the role of their topic. In English and in Korean, through the double."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord_double import DiscordDouble
from discord_double.models import Role
from discord_double.permissions import Permission

from bot.production import repo_topics, repo_updates
from tests.e2e.production_helpers import FanServer, Newsroom, wait_until_finished
from tests.e2e.test_setup_role_safety import cached_role_has_ban
from tests.e2e.topic_helpers import (
    CREATE_ROLE,
    NAMES,
    choose,
    language,
    open_picker,
    options,
    prefilled,
    role_requests,
    setup_topic_roles,
)

SAYS = {
    "en-US": {
        "choose": "Choose the topics that ping you",
        "pinged_for": "You'll be pinged for:",
        "off": "You won't be pinged",
        "none": "No pings",
        "every": "Every topic",
        "saved": "Posts about",
        "refused": "I won't hand out or take away",
        "elevated": "carries moderator or admin permissions",
        "ban": "Ban Members",
        "created": "Created 3 roles with no permissions",
        "no_role": "has no role: posts about it ping nobody",
        "not_mentionable": "is not mentionable",
    },
    "ko": {
        "choose": "멘션을 받을 주제를 골라 주세요",
        "pinged_for": "멘션을 받아요:",
        "off": "멘션을 받지 않아요",
        "none": "멘션 받지 않기",
        "every": "모든 주제",
        "saved": "주제의 소식은",
        "refused": "주거나 뺄 수 없어요",
        "elevated": "운영자나 관리자 권한",
        "ban": "멤버 차단하기",
        "created": "역할을 3개 만들었어요",
        "no_role": "주제에 역할이 없어서",
        "not_mentionable": "멘션할 수 없게",
    },
}


async def subscribe_with_topic_roles(
    double: DiscordDouble, server: FanServer, locale: str
) -> dict[str, Role]:
    """/setup announcements without a role, then a plain role per topic with /setup topic-role."""
    done = await double.invoke(
        "setup announcements",
        {"channel": server.channel},
        guild=server.guild,
        user=server.admin,
        locale=locale,
    )
    assert done.ephemeral
    roles = {
        topic: double.add_role(server.guild, f"{topic} fans", mentionable=True)
        for topic in NAMES["en"]
    }
    for answer, topic in zip(
        await setup_topic_roles(double, server.guild, server.admin, roles, locale),
        roles,
        strict=True,
    ):
        assert SAYS[locale]["saved"] in answer.all_text
        assert NAMES[language(locale)][topic] in answer.all_text
    return roles


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_notify_offers_the_topics_and_choosing_changes_exactly_their_roles(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    says, lang = SAYS[locale], language(locale)
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    async with room.start():
        roles = await subscribe_with_topic_roles(double, server, locale)
        season, cast, events = (roles[t].id for t in ("season-news", "cast-awards", "events"))
        picker = await open_picker(double, server.guild, server.fan, locale)
        assert says["choose"] in (picker.content or "")
        assert options(picker.message) == {**NAMES[lang], "-": says["none"]}
        assert prefilled(picker.message) == {"-"}  # nothing chosen yet

        first = await choose(double, picker, ["season-news", "events"], locale)
        assert set(server.fan.role_ids) >= {season, events} and cast not in server.fan.role_ids
        assert role_requests(double) == [("PUT", season), ("PUT", events)]
        assert says["pinged_for"] in (first.content or "")
        assert NAMES[lang]["events"] in (first.content or "")
        assert prefilled(first.message) == {"season-news", "events"}

        again = await open_picker(double, server.guild, server.fan, locale)
        assert prefilled(again.message) == {"season-news", "events"}
        # "none" left on together with a topic: the topic counts.
        await choose(double, again, ["cast-awards", "-"], locale)
        assert cast in server.fan.role_ids
        assert season not in server.fan.role_ids and events not in server.fan.role_ids
        assert sorted(role_requests(double)[2:]) == sorted(
            [("PUT", cast), ("DELETE", season), ("DELETE", events)]
        )

        off = await choose(double, again, ["-"], locale)
        assert not {season, cast, events} & set(server.fan.role_ids)
        assert role_requests(double)[-1] == ("DELETE", cast)
        assert says["off"] in (off.content or "")
        assert prefilled(off.message) == {"-"}
        assert server.admin.role_ids == [r for r in server.admin.role_ids if r not in roles]


async def test_the_notify_button_on_a_post_opens_the_same_picker_even_after_a_restart(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    async with room.start() as bot:
        roles = await subscribe_with_topic_roles(double, server, "en-US")
        await room.publish(await room.preview(topic="cast-awards"))
        await wait_until_finished(bot.services.db, 1)
        (post,) = room.posts(server)
        clicked = await double.click(post, "gh:notify:1:1", user=server.fan)
        assert clicked.ephemeral and SAYS["en-US"]["choose"] in (clicked.content or "")
        assert options(clicked.message) == {**NAMES["en"], "-": "No pings"}
        await choose(double, clicked, ["cast-awards"])
        assert roles["cast-awards"].id in server.fan.role_ids
    async with room.start():  # a new process: the button and the picker still answer
        again = await double.click(post, "gh:notify:1:1", user=server.fan)
        assert prefilled(again.message) == {"cast-awards"}
        await choose(double, again, ["-"])
        assert roles["cast-awards"].id not in server.fan.role_ids


async def test_a_server_with_one_role_offers_it_as_every_topic(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    assert server.role is not None
    async with room.start():
        await double.invoke(
            "setup announcements",
            {"channel": server.channel, "role": server.role},
            guild=server.guild,
            user=server.admin,
        )
        picker = await open_picker(double, server.guild, server.fan)
        assert options(picker.message) == {"season-news": "Every topic", "-": "No pings"}
        joined = await choose(double, picker, ["season-news"])
        assert server.role.id in server.fan.role_ids
        assert role_requests(double) == [("PUT", server.role.id)]
        assert "Season 2 & 3 news · Cast & awards · Events & anniversaries" in (
            joined.content or ""
        )


async def post_mentions(double: DiscordDouble, room: Newsroom, server: FanServer) -> list[object]:
    """(content, allowed_mentions, roles Discord resolved as pinged) of each post, in order."""
    bodies = [r.json for r in room.send_requests(server)]
    posts = room.posts(server)
    assert len(bodies) == len(posts)
    return [
        (body.get("content"), body.get("allowed_mentions"), post.mention_roles)
        for body, post in zip(bodies, posts, strict=True)
    ]


async def test_a_post_pings_exactly_the_role_of_its_topic_in_each_server(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    per_topic, korean, single = room.add_servers(3)
    assert single.role is not None
    async with room.start() as bot:
        roles = await subscribe_with_topic_roles(double, per_topic, "en-US")
        ko_roles = await subscribe_with_topic_roles(double, korean, "ko")
        await double.invoke(
            "setup announcements",
            {"channel": single.channel, "role": single.role},
            guild=single.guild,
            user=single.admin,
        )
        preview = await room.preview(topic="cast-awards")
        assert "Topic: **Cast & awards**" in (preview.content or "")
        await room.publish(preview)
        await wait_until_finished(bot.services.db, 1)
        await room.publish(await room.preview(title="Fan screening", topic="events"))
        await wait_until_finished(bot.services.db, 2)
        await room.publish(await room.preview(title="Filming news"))  # the first topic
        await wait_until_finished(bot.services.db, 3)

        def pings(role_id: int) -> tuple[str, dict[str, object], list[int]]:
            return f"<@&{role_id}>", {"parse": [], "roles": [role_id]}, [role_id]

        order = ("cast-awards", "events", "season-news")
        assert await post_mentions(double, room, per_topic) == [pings(roles[t].id) for t in order]
        assert await post_mentions(double, room, korean) == [pings(ko_roles[t].id) for t in order]
        assert await post_mentions(double, room, single) == [pings(single.role.id)] * 3
        updates = [await repo_updates.get_update(bot.services.db, n) for n in (1, 2, 3)]
        assert [u.draft.topic for u in updates if u is not None] == list(order)


async def test_unknown_topic_is_refused_before_any_preview(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    async with room.start():
        result = await room.invoke(
            "production post", {"title": "T", "body": "B", "topic": "gossip"}
        )
        assert "There is no topic “gossip”" in (result.content or "")
        choices = await double.autocomplete(
            "production post",
            {"title": "T", "body": "B", "topic": "cast"},
            focused="topic",
            user=room.maintainer,
            channel=room.desk_channel,
        )
        assert [c["value"] for c in choices] == ["cast-awards"]


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_setup_creates_a_plain_mentionable_role_per_topic_named_in_the_server_language(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    says, lang = SAYS[locale], language(locale)
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1, role=False)
    async with room.start() as bot:
        db = bot.services.db
        await double.invoke(
            "setup announcements", {"channel": server.channel}, guild=server.guild,
            user=server.admin, locale=locale,
        )  # fmt: skip
        await double.invoke(
            "setup language", {"language": lang}, guild=server.guild, user=server.admin
        )
        before = set(server.guild.roles)
        made = await double.invoke(
            "setup topics",
            {"mode": "each", "create": True},
            guild=server.guild,
            user=server.admin,
            locale=locale,
        )
        assert made.ephemeral and says["created"] in made.all_text
        created = [server.guild.roles[r] for r in set(server.guild.roles) - before]
        assert sorted(r.name for r in created) == sorted(NAMES[lang].values())
        for role in created:
            assert role.permissions == 0 and role.mentionable and not role.managed
            assert role.mention in made.all_text
        requests = double.requests_to(CREATE_ROLE)
        assert len(requests) == 3
        assert all(r.json["permissions"] == "0" and r.json["mentionable"] for r in requests)
        mapping = await repo_topics.get_topic_roles(db, server.guild.id)
        assert mapping is not None and mapping.mode == "each"
        by_name = {r.name: r.id for r in created}
        assert dict(mapping.per_topic) == {t: by_name[NAMES[lang][t]] for t in NAMES[lang]}

        # Asked again: every topic has a role, so nothing more is created.
        await double.invoke(
            "setup topics", {"mode": "each", "create": True}, guild=server.guild,
            user=server.admin, locale=locale,
        )  # fmt: skip
        assert len(double.requests_to(CREATE_ROLE)) == 3
        # A fan can take the created roles right away.
        picker = await open_picker(double, server.guild, server.fan, locale)
        await choose(double, picker, ["events"], locale)
        assert mapping.per_topic["events"] in server.fan.role_ids


async def test_role_creation_needs_manage_roles_for_the_admin_and_the_bot(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1, role=False)
    host = double.add_member(server.guild, "host", permissions=Permission.MANAGE_GUILD)
    async with room.start():
        await double.invoke(
            "setup announcements", {"channel": server.channel}, guild=server.guild,
            user=server.admin,
        )  # fmt: skip
        refused = await double.invoke(
            "setup topics", {"mode": "each", "create": True}, guild=server.guild, user=host
        )
        assert "Creating roles needs the Manage Roles permission" in refused.all_text
        one = await double.invoke(
            "setup topics", {"mode": "one", "create": True}, guild=server.guild, user=server.admin
        )
        assert "use it with mode: A role for each topic" in one.all_text
        assert double.requests_to(CREATE_ROLE) == []


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_an_elevated_topic_role_is_refused_at_setup_and_when_a_fan_chooses(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    says = SAYS[locale]
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    moderators = double.add_role(server.guild, "Moderators", permissions=Permission.BAN_MEMBERS)
    async with room.start() as bot:
        db = bot.services.db
        roles = await subscribe_with_topic_roles(double, server, locale)
        refused = await double.invoke(
            "setup topic-role",
            {"topic": "events", "role": moderators},
            guild=server.guild,
            user=server.admin,
            locale=locale,
        )
        assert says["elevated"] in refused.all_text and says["ban"] in refused.all_text
        mapping = await repo_topics.get_topic_roles(db, server.guild.id)
        assert mapping is not None and mapping.per_topic["events"] == roles["events"].id

        picker = await open_picker(double, server.guild, server.fan, locale)
        await choose(double, picker, ["cast-awards", "events"], locale)
        granted = role_requests(double)
        cast = roles["cast-awards"]
        double.update_role(cast, permissions=int(Permission.BAN_MEMBERS))  # after setup
        await cached_role_has_ban(bot, cast)

        # The fan leaves both topics: events goes, the now-elevated role is not touched.
        left = await choose(double, picker, ["-"], locale)
        assert says["refused"] in (left.content or "") and says["ban"] in (left.content or "")
        assert cast.id in server.fan.role_ids
        assert roles["events"].id not in server.fan.role_ids
        assert role_requests(double)[len(granted) :] == [("DELETE", roles["events"].id)]
        # Opening the picker again no longer offers it.
        again = await open_picker(double, server.guild, server.fan, locale)
        assert "cast-awards" not in options(again.message)
        assert says["refused"] in (again.content or "")


@pytest.mark.parametrize("locale", ["en-US", "ko"])
async def test_setup_check_names_the_problems_of_each_topic_role(
    double: DiscordDouble, tmp_path: Path, locale: str
) -> None:
    says, lang = SAYS[locale], language(locale)
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    quiet = double.add_role(server.guild, "Quiet", mentionable=False)
    async with room.start():
        await double.invoke(
            "setup announcements", {"channel": server.channel}, guild=server.guild,
            user=server.admin, locale=locale,
        )  # fmt: skip
        await setup_topic_roles(double, server.guild, server.admin, {"cast-awards": quiet}, locale)
        check = await double.invoke(
            "setup check", guild=server.guild, user=server.admin, locale=locale
        )
        text = check.embeds[0]["description"]
        names = NAMES[lang]
        assert f"[{names['cast-awards']}]" in text and says["not_mentionable"] in text
        assert quiet.mention in text
        for topic in ("season-news", "events"):
            assert f"{names[topic]}" in text
        assert text.count(says["no_role"]) == 2


async def test_switching_back_to_one_role_pings_it_for_every_topic_and_keeps_the_mapping(
    double: DiscordDouble, tmp_path: Path
) -> None:
    room = Newsroom.build(double, tmp_path)
    (server,) = room.add_servers(1)
    assert server.role is not None
    async with room.start() as bot:
        db = bot.services.db
        roles = await subscribe_with_topic_roles(double, server, "en-US")
        one = await double.invoke(
            "setup topics", {"mode": "one"}, guild=server.guild, user=server.admin
        )
        assert "Every topic pings the role chosen with /setup announcements" in one.all_text
        await double.invoke(
            "setup announcements",
            {"channel": server.channel, "role": server.role},
            guild=server.guild,
            user=server.admin,
        )
        await room.publish(await room.preview(topic="events"))
        await wait_until_finished(db, 1)
        (first,) = room.posts(server)
        assert first.mention_roles == [server.role.id]
        each = await double.invoke(
            "setup topics", {"mode": "each"}, guild=server.guild, user=server.admin
        )
        assert f"Events & anniversaries: {roles['events'].mention}" in each.all_text
        await room.publish(await room.preview(title="Second", topic="events"))
        await wait_until_finished(db, 2)
        assert room.posts(server)[-1].mention_roles == [roles["events"].id]
        # /setup announcements with a role means "ping this role": one role again.
        await double.invoke(
            "setup announcements",
            {"channel": server.channel, "role": server.role},
            guild=server.guild,
            user=server.admin,
        )
        mapping = await repo_topics.get_topic_roles(db, server.guild.id)
        assert mapping is not None and mapping.mode == "one"
        assert mapping.per_topic["events"] == roles["events"].id
