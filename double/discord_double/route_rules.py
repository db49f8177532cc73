"""The hand-written rules a request body falls under, by route, without running the handler.

Used when Discord's OpenAPI schema refuses a body: the refusal then carries the hand-written
errors (worded as Discord words them) plus whatever the schema found that they do not cover.
"""

from __future__ import annotations

from typing import Any

from discord_double.command_rules import validate_command, validate_commands
from discord_double.errors import ErrorTree
from discord_double.rules import validate_message

_MESSAGE_ROUTES = {
    ("POST", "/channels/{channel_id}/messages"),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
}
_COMMANDS = (
    "/applications/{application_id}/commands",
    "/applications/{application_id}/guilds/{guild_id}/commands",
)


def hand_written_errors(method: str, template: str, body: Any) -> ErrorTree:
    errors = ErrorTree()
    if (method, template) in _MESSAGE_ROUTES and isinstance(body, dict):
        validate_message(body, errors)
    elif template in _COMMANDS and method == "PUT":
        validate_commands(body, errors)
    elif template in _COMMANDS and method == "POST" and isinstance(body, dict):
        validate_command(body, errors, ())
    return errors
