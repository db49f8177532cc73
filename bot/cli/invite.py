"""The invite link, with exactly the permissions the bot uses and nothing more."""

from __future__ import annotations

import base64
import binascii

import discord

from bot.cli import exitcodes
from bot.cli.exitcodes import CommandFailed
from bot.settings import Settings

# Why each permission is asked for (the doctor and the docs show the same list).
NEEDED: tuple[tuple[str, str], ...] = (
    ("view_channel", "see the updates channel"),
    ("send_messages", "post production updates (and publish them in announcement channels)"),
    ("embed_links", "answers and updates are embeds"),
    ("read_message_history", "find an update it already posted before sending it again"),
    ("manage_roles", "/notify gives and takes the server's ping role"),
)
SCOPES = ("bot", "applications.commands")


def needed_permissions() -> discord.Permissions:
    return discord.Permissions(**dict.fromkeys((name for name, _ in NEEDED), True))


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=needed_permissions(), scopes=SCOPES)


def application_id_from_token(token: str) -> int | None:
    """A bot token starts with the bot user's id in base64; for a bot that id is the
    application id. Offline, so `invite` works before the first start."""
    head = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return int(decoded) if decoded.isdigit() else None


def describe() -> str:
    return ", ".join(name.replace("_", " ").title() for name, _ in NEEDED)


def print_invite(settings: Settings, client_id: int | None) -> int:
    if client_id is None and settings.discord_token is not None:
        client_id = application_id_from_token(settings.discord_token.get_secret_value().strip())
    if client_id is None:
        raise CommandFailed(
            "no application id: pass --client-id (Developer Portal → your app → General "
            "Information → Application ID) or set DISCORD_TOKEN in .env",
            exitcodes.CONFIG,
        )
    print(invite_url(client_id))
    print(f"permissions: {describe()}; scopes: {' and '.join(SCOPES)}")
    return exitcodes.OK
