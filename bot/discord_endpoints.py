"""Where discord.py sends its HTTP requests and opens its gateway websocket.

A deployment option (an HTTP/gateway proxy in front of Discord) and how tests run the
unmodified bot against the local double (`discord_double`). The bot calls
`point_discord_at(settings.DISCORD_API_BASE, settings.DISCORD_GATEWAY_URL)` at start-up
when those settings are present; leave them unset to talk to Discord itself.

discord.py has exactly two switches for this, both class attributes:
- `discord.http.Route.BASE`: every REST route, including the webhook routes used for
  interaction answers and follow-ups (`discord/webhook/async_.py` builds the same `Route`);
- `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`: the websocket a plain Client opens
  (an AutoShardedClient asks `GET /gateway/bot`, which the API base already covers).
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"


def point_discord_at(api_base: str, gateway_url: str) -> None:
    """Send discord.py's REST calls to `api_base` (".../api/v10"), its gateway to `gateway_url`."""
    if not api_base.startswith(("http://", "https://")):
        raise ValueError(f"api_base must be an http(s) URL, got {api_base!r}")
    if not gateway_url.startswith(("ws://", "wss://")):
        raise ValueError(f"gateway_url must be a ws(s) URL, got {gateway_url!r}")
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def point_discord_at_discord() -> None:
    """Undo `point_discord_at`: talk to Discord itself again."""
    point_discord_at(DISCORD_API_BASE, DISCORD_GATEWAY_URL)
