"""`point_discord_at` moves every discord.py route, webhooks included, and the gateway."""

from __future__ import annotations

from collections.abc import Iterator

import discord.gateway
import discord.http
import discord.webhook.async_ as webhook_async
import pytest

from bot.discord_endpoints import point_discord_at, point_discord_at_discord


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    point_discord_at_discord()


def test_rest_and_webhook_routes_and_gateway_follow_the_switch() -> None:
    point_discord_at("http://127.0.0.1:8080/api/v10/", "ws://127.0.0.1:8080/gateway")
    channel_route = discord.http.Route("GET", "/channels/{channel_id}", channel_id=1)
    assert channel_route.url == "http://127.0.0.1:8080/api/v10/channels/1"
    # Interaction answers and follow-ups are built by the webhook adapter from the same Route.
    assert vars(webhook_async)["Route"] is discord.http.Route
    callback_route = discord.http.Route(
        "POST",
        "/interactions/{webhook_id}/{webhook_token}/callback",
        webhook_id=2,
        webhook_token="t",
    )
    assert callback_route.url == "http://127.0.0.1:8080/api/v10/interactions/2/t/callback"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:8080/gateway"


def test_back_to_discord() -> None:
    point_discord_at("http://127.0.0.1:1/api/v10", "ws://127.0.0.1:1/gateway")
    point_discord_at_discord()
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"


def test_rejects_urls_of_the_wrong_kind() -> None:
    with pytest.raises(ValueError, match="api_base"):
        point_discord_at("ws://127.0.0.1/api/v10", "ws://127.0.0.1/gateway")
    with pytest.raises(ValueError, match="gateway_url"):
        point_discord_at("http://127.0.0.1/api/v10", "http://127.0.0.1/gateway")
