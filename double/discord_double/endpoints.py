"""Point discord.py at the double, and back at Discord.

discord.py has two switches, both class attributes: `discord.http.Route.BASE` (every REST route,
the interaction webhooks included) and `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` (an
AutoShardedClient asks `GET /gateway/bot`, which the REST base covers). The application under
test keeps its own copy of this switch for its deployment settings: the double imports nothing
of it.
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

DISCORD_API = ("https://discord.com/api/v10", "wss://gateway.discord.gg/")


def point_discord_at(api_base: str, gateway_url: str) -> None:
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def point_discord_at_discord() -> None:
    point_discord_at(*DISCORD_API)
