"""When the bot joins a server it greets it once, in the server's language, in the system
channel if it may post there; never again on reconnects, outages or restarts."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from discord_double import DiscordDouble
from discord_double.backend import RecordedRequest
from discord_double.models import Channel, Guild
from discord_double.permissions import Permission

from bot.app import GoldenHourBot
from bot.i18n.catalogue import lang_for
from tests.e2e.golden import Golden, golden_settings, start_golden
from tests.e2e.production_helpers import wait_for

SETTLE = 0.5  # seconds for an event the bot should ignore to have been handled


def system_channel(double: DiscordDouble, guild: Guild) -> Channel:
    assert guild.system_channel_id is not None
    return double.state.channels[guild.system_channel_id]


def posts_to(double: DiscordDouble, channel: Channel) -> list[RecordedRequest]:
    return [
        r
        for r in double.requests
        if r.method == "POST" and r.path.endswith(f"/channels/{channel.id}/messages")
    ]


def available(bot: GoldenHourBot, guild: Guild) -> bool:
    cached = bot.get_guild(guild.id)
    return cached is not None and not cached.unavailable


async def greeted(double: DiscordDouble, guild: Guild) -> str:
    channel = system_channel(double, guild)
    await wait_for(lambda: bool(double.messages(channel)), within=5.0, what="the welcome")
    (message,) = double.messages(channel)
    assert message.embeds == [] and message.components == []
    (request,) = posts_to(double, channel)
    assert request.json["allowed_mentions"] == {"parse": []}
    assert message.mentions == [] and message.mention_roles == [] and not message.mention_everyone
    return str(message.content)


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("ko", ["중증외상센터", "/setup announcements"]),
        ("en-US", ["Trauma Code", "/setup announcements"]),
    ],
)
async def test_joining_a_server_greets_it_in_its_language(
    golden: Golden, locale: str, words: list[str]
) -> None:
    guild = golden.double.join_guild("새 팬 서버" if locale == "ko" else "New fans", locale=locale)

    text = await greeted(golden.double, guild)

    assert text == golden.services.texts.t(lang_for(locale), "welcome.message")
    assert all(word in text for word in words)
    if locale == "ko":
        assert "Thanks" not in text


@pytest.mark.parametrize(
    ("system_channel", "bot_permissions"),
    [
        ("general", Permission.VIEW_CHANNEL),  # may read, may not post
        ("general", Permission.SEND_MESSAGES),  # may not even see it
        (None, None),  # the server has no system channel
    ],
)
async def test_no_welcome_where_the_bot_may_not_post(
    golden: Golden,
    caplog: pytest.LogCaptureFixture,
    system_channel: str | None,
    bot_permissions: int | None,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.ui.welcome")
    guild = golden.double.join_guild(
        "Locked", system_channel=system_channel, system_channel_bot_permissions=bot_permissions
    )
    await wait_for(
        lambda: any("no welcome message" in r.getMessage() for r in caplog.records),
        within=5.0,
        what="the log line",
    )
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.ui.welcome"]
    assert lines == [
        f"joined server {guild.id}: no welcome message (no system channel the bot may post in)"
    ]
    for channel in guild.channels.values():
        assert golden.double.messages(channel) == []
        assert posts_to(golden.double, channel) == []  # not even tried (no 403 either)


async def test_one_welcome_per_join_through_reconnects_outages_and_restarts(
    double: DiscordDouble, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.ui.welcome")
    settings = golden_settings(double, tmp_path / "golden.sqlite3")
    async with start_golden(double, settings) as bot:
        guild = double.join_guild("팬 서버", locale="ko")
        channel = system_channel(double, guild)
        await greeted(double, guild)

        # A GUILD_CREATE shaped like the join again: discord.py calls on_guild_join a second
        # time; the recorded join keeps it to one greeting.
        double.announce_join(guild)
        await wait_for(
            lambda: any("greeted for this join" in r.getMessage() for r in caplog.records),
            what="the repeated join to be handled",
        )
        await double.gateway_reconnect()  # RESUME
        await double.gateway_invalidate(resumable=False)  # a new session: READY again
        double.guild_outage(guild)
        double.guild_recovered(guild)
        await wait_for(lambda: available(bot, guild), what="the guild back after the outage")
        await asyncio.sleep(SETTLE)
        assert len(double.messages(channel)) == 1

    # Added while the bot was down: READY reports it as available; greeted all the same.
    offline = double.join_guild("Joined while offline")
    async with start_golden(double, settings):  # a restart: READY lists both servers
        await greeted(double, offline)
        await asyncio.sleep(SETTLE)
        assert len(double.messages(channel)) == 1

        # Removed and invited again later: a new join, greeted again.
        double.remove_guild(guild)
        await asyncio.sleep(0.05)
        double.rejoin_guild(guild)
        await wait_for(lambda: len(double.messages(channel)) == 2, what="the second welcome")
    assert len(double.messages(system_channel(double, offline))) == 1


async def test_servers_joined_long_ago_are_not_greeted_at_start(
    double: DiscordDouble, tmp_path: Path
) -> None:
    """The first start with this feature: every existing server is 'available', none new."""
    old = double.join_guild("Old friends")
    old.members[double.bot_user.id].joined_at -= 86400 * 30
    settings = golden_settings(double, tmp_path / "golden.sqlite3")
    async with start_golden(double, settings) as bot:
        await wait_for(lambda: bot.get_guild(old.id) is not None, what="the guild")
        await asyncio.sleep(SETTLE)
    assert double.messages(system_channel(double, old)) == []
