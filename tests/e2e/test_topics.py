"""Topic pings (issue 11): fans choose topics, servers map topics to roles, posts ping exactly
the role of their topic. In English and in Korean, through the double."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord_double import DiscordDouble
from discord_double.models import Role

from tests.e2e.production_helpers import FanServer, Newsroom
from tests.e2e.topic_helpers import (
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
        "not_mentionable": "멘션할 수 없고",
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
