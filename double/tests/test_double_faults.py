"""Faults on demand, produced as Discord (or the network) produces them, and what the real
discord.py client makes of them: 403/404 raised at once, 429 and 5xx retried, dropped
connections surfacing as client errors, buckets advertised so the client paces itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands
from discord_double import DiscordDouble
from discord_double.client_runner import run_client

MESSAGES = "POST /channels/{channel_id}/messages"


class PlainBot(commands.Bot):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), **kwargs)


def _text_channel(bot: discord.Client, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


@pytest.fixture
def place(double: DiscordDouble) -> tuple[Any, Any]:
    guild = double.add_guild("Fans")
    return guild, double.add_channel(guild, "general")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _auth(double: DiscordDouble) -> dict[str, str]:
    return {"Authorization": f"Bot {double.token}"}


async def test_forbidden_channel_raises_forbidden_with_the_code(
    double: DiscordDouble, place: Any
) -> None:
    guild, channel = place
    other = double.add_channel(guild, "other")
    double.faults.channel_forbidden(channel)
    double.faults.channel_forbidden(other, code=50001)
    bot = PlainBot()
    async with run_client(bot, double):
        with pytest.raises(discord.Forbidden) as missing_permissions:
            await _text_channel(bot, channel.id).send("hi")
        with pytest.raises(discord.Forbidden) as missing_access:
            await _text_channel(bot, other.id).send("hi")
    assert missing_permissions.value.code == 50013
    assert missing_access.value.code == 50001
    assert double.stats.invalid_requests == 2


async def test_missing_channel_raises_not_found(double: DiscordDouble, place: Any) -> None:
    _, channel = place
    double.faults.channel_missing(channel)
    bot = PlainBot()
    async with run_client(bot, double):
        with pytest.raises(discord.NotFound) as error:
            await _text_channel(bot, channel.id).send("hi")
    assert error.value.code == 10003


async def test_server_error_is_retried_by_the_client(double: DiscordDouble, place: Any) -> None:
    _, channel = place
    double.faults.server_error(MESSAGES, 500, times=1)
    bot = PlainBot()
    async with run_client(bot, double):
        await _text_channel(bot, channel.id).send("after a hiccup")
    assert [r.status for r in double.requests_to(MESSAGES)] == [500, 200]
    assert [m.content for m in double.messages(channel)] == ["after a hiccup"]


async def test_bad_gateway_is_an_html_page(
    double: DiscordDouble, place: Any, http: aiohttp.ClientSession
) -> None:
    _, channel = place
    double.faults.server_error(MESSAGES, 502)
    url = f"{double.api_base}/channels/{channel.id}/messages"
    async with http.post(url, json={"content": "hi"}, headers=_auth(double)) as response:
        assert response.status == 502
        assert response.content_type == "text/html"
        assert "Bad Gateway" in await response.text()


async def test_route_429_has_discords_headers_and_body(
    double: DiscordDouble, place: Any, http: aiohttp.ClientSession
) -> None:
    _, channel = place
    double.faults.rate_limit(MESSAGES, retry_after=2.5)
    url = f"{double.api_base}/channels/{channel.id}/messages"
    async with http.post(url, json={"content": "hi"}, headers=_auth(double)) as response:
        body = await response.json()
        headers = response.headers
    assert response.status == 429
    assert body["retry_after"] == 2.5 and body["global"] is False
    assert headers["Retry-After"] == "3"
    assert headers["X-RateLimit-Scope"] == "user"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert "X-RateLimit-Bucket" in headers and "X-RateLimit-Reset-After" in headers
    assert headers["Via"], "without Via discord.py takes a 429 for a Cloudflare ban"
    assert double.rate_limited_count == 1


async def test_client_waits_out_a_429_and_retries(double: DiscordDouble, place: Any) -> None:
    _, channel = place
    bot = PlainBot()
    async with run_client(bot, double):
        double.faults.rate_limit(MESSAGES, retry_after=0.05)
        double.faults.rate_limit(None, retry_after=0.05, scope="global")
        await _text_channel(bot, channel.id).send("patience")
    assert [r.status for r in double.requests_to(MESSAGES)] == [429, 429, 200]
    assert double.rate_limited_count == 2
    assert double.stats.rate_limited_by_route[MESSAGES] == 2


async def test_global_429_says_so(double: DiscordDouble, http: aiohttp.ClientSession) -> None:
    double.faults.rate_limit(None, retry_after=0.3, scope="global")
    async with http.get(f"{double.api_base}/users/@me", headers=_auth(double)) as response:
        body = await response.json()
        assert response.status == 429
        assert response.headers["X-RateLimit-Global"] == "true"
        assert response.headers["X-RateLimit-Scope"] == "global"
    assert body["global"] is True


async def test_shared_429_is_not_an_invalid_request(
    double: DiscordDouble, http: aiohttp.ClientSession
) -> None:
    double.faults.rate_limit(None, retry_after=0.3, scope="shared")
    async with http.get(f"{double.api_base}/users/@me", headers=_auth(double)) as response:
        assert response.status == 429
        assert response.headers["X-RateLimit-Scope"] == "shared"
    assert double.stats.invalid_requests == 0


async def test_dropped_connection_surfaces_and_nothing_is_posted(
    double: DiscordDouble, place: Any
) -> None:
    _, channel = place
    double.faults.drop_connection(MESSAGES)
    bot = PlainBot()
    async with run_client(bot, double):
        with pytest.raises(aiohttp.ClientConnectionError):
            await _text_channel(bot, channel.id).send("lost")
    assert double.messages(channel) == []


async def test_committed_send_with_lost_answer_is_deduplicated_by_nonce(
    double: DiscordDouble, place: Any
) -> None:
    _, channel = place
    double.faults.drop_connection(MESSAGES, after_commit=True)
    bot = PlainBot()
    async with run_client(bot, double):
        target = _text_channel(bot, channel.id)
        with pytest.raises(aiohttp.ClientConnectionError):
            await target.send("episode 5 is out", nonce=505)
        retried = await target.send("episode 5 is out", nonce=505)  # an app-level retry
    (posted,) = double.messages(channel)
    assert posted.id == retried.id


async def test_committed_send_retried_without_nonce_posts_twice(
    double: DiscordDouble, place: Any
) -> None:
    _, channel = place
    double.faults.drop_connection(MESSAGES, after_commit=True)
    bot = PlainBot()
    async with run_client(bot, double):
        target = _text_channel(bot, channel.id)
        with pytest.raises(aiohttp.ClientConnectionError):
            await target.send("episode 5 is out")
        await target.send("episode 5 is out")  # discord.py picks a fresh random nonce
    assert len(double.messages(channel)) == 2


@pytest.fixture
async def paced_double() -> AsyncIterator[DiscordDouble]:
    # 2 messages per 0.3 s per channel: the shape of Discord's 5 per 5 s, faster.
    fake = DiscordDouble(channel_message_limit=(2, 0.3))
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.unexpected_violations() == []


async def test_successful_sends_advertise_the_channel_bucket(
    paced_double: DiscordDouble, http: aiohttp.ClientSession
) -> None:
    guild = paced_double.add_guild("g")
    channel = paced_double.add_channel(guild, "general")
    url = f"{paced_double.api_base}/channels/{channel.id}/messages"
    statuses, remaining = [], []
    for _ in range(3):
        async with http.post(url, json={"content": "hi"}, headers=_auth(paced_double)) as response:
            statuses.append(response.status)
            remaining.append(response.headers.get("X-RateLimit-Remaining"))
            if response.status == 200:
                assert response.headers["X-RateLimit-Limit"] == "2"
                assert float(response.headers["X-RateLimit-Reset-After"]) <= 0.3
    assert statuses == [200, 200, 429]
    assert remaining == ["1", "0", "0"]
    assert len(paced_double.messages(channel)) == 2


async def test_well_behaved_client_paces_itself_without_429s(paced_double: DiscordDouble) -> None:
    guild = paced_double.add_guild("g")
    channel = paced_double.add_channel(guild, "general")
    bot = PlainBot()
    async with run_client(bot, paced_double):
        target = _text_channel(bot, channel.id)
        for index in range(5):
            await target.send(f"message {index}")
    assert len(paced_double.messages(channel)) == 5
    assert paced_double.rate_limited_count == 0


async def test_global_limit_refuses_bursts(http: aiohttp.ClientSession) -> None:
    fake = DiscordDouble(global_rate_limit=5)
    await fake.start()
    statuses = []
    try:
        for _ in range(8):
            async with http.get(f"{fake.api_base}/users/@me", headers=_auth(fake)) as response:
                statuses.append(response.status)
                if response.status == 429:
                    assert (await response.json())["global"] is True
    finally:
        await fake.stop()
    # One second is a long time even on a slow machine: the burst fits in one window.
    assert statuses.count(200) == 5
    assert statuses.count(429) == 3


async def test_crossposts_per_hour_are_limited(http: aiohttp.ClientSession) -> None:
    fake = DiscordDouble(crosspost_limit=(2, 3600.0))
    await fake.start()
    try:
        guild = fake.add_guild("g")
        news = fake.add_channel(guild, "news", "announcement")
        bot = PlainBot(max_ratelimit_timeout=30.0)
        async with run_client(bot, fake):
            target = _text_channel(bot, news.id)
            for index in range(2):
                await (await target.send(f"news {index}")).publish()
            third = await target.send("news 2")
            # retry_after is an hour, above max_ratelimit_timeout: raised instead of slept.
            with pytest.raises(discord.RateLimited):
                await third.publish()
            url = f"{fake.api_base}/channels/{news.id}/messages/{third.id}/crosspost"
            async with http.post(url, headers=_auth(fake)) as response:
                body = await response.json()
                reset_after = float(response.headers["X-RateLimit-Reset-After"])
                assert response.status == 429
        # As observed on Discord: trust the body, the bucket headers understate the wait.
        assert 3500 < body["retry_after"] <= 3600
        assert reset_after <= 1.0
        assert fake.rate_limited_count == 2
        assert not third.flags.crossposted
    finally:
        await fake.stop()


async def test_unknown_route_is_a_loud_violation(
    double: DiscordDouble, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{double.api_base}/voice/regions", headers=_auth(double)) as response:
        assert response.status == 404
    (violation,) = double.take_violations()
    assert "GET /voice/regions" in violation.message
