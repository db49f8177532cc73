"""INTERACTION_CREATE payloads built like Discord's client would send them.

Option values are typed from the command schema the bot registered; USER/CHANNEL/ROLE/
MENTIONABLE options carry `resolved` data. What the Discord client itself prevents (an
unknown option, a value outside the choices, a missing required option) raises
`DoubleUsageError` in the test instead of reaching the bot.
"""

from __future__ import annotations

from typing import Any

from discord_double.models import JSON, Channel, ChannelType, Guild, Member, Role, User
from discord_double.payloads import channel_payload, member_payload, role_payload, user_payload
from discord_double.permissions import channel_permissions
from discord_double.state import DoubleState

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


class DoubleUsageError(Exception):
    """The test asked for something Discord's client would not let a user do."""


class CommandNotRegistered(DoubleUsageError):
    """The command was never synced by the bot (or not to this guild)."""


class Resolved:
    """Collects the `resolved` section of an interaction."""

    def __init__(
        self, state: DoubleState, guild: Guild | None, channel: Channel, invoker: Member | User
    ) -> None:
        self._state = state
        self._guild = guild
        self._channel = channel
        self._invoker = invoker
        self.data: dict[str, dict[str, JSON]] = {}

    def user(self, value: Any) -> str:
        user = value.user if isinstance(value, Member) else value
        if isinstance(user, int):
            found = self._state.find_user(user)
            if found is None:
                raise DoubleUsageError(f"unknown user id {user}")
            user = found
        if not isinstance(user, User):
            raise DoubleUsageError(f"expected a user or member, got {value!r}")
        self.data.setdefault("users", {})[str(user.id)] = user_payload(user)
        if self._guild is not None and user.id in self._guild.members:
            member = self._guild.members[user.id]
            data = member_payload(
                member, permissions=channel_permissions(self._guild, self._channel, member)
            )
            data.pop("user")
            self.data.setdefault("members", {})[str(user.id)] = data
        return str(user.id)

    def role(self, value: Any) -> str:
        role = value
        if isinstance(value, int) and self._guild is not None:
            role = self._guild.roles.get(value)
        if not isinstance(role, Role):
            raise DoubleUsageError(f"expected a role of this guild, got {value!r}")
        self.data.setdefault("roles", {})[str(role.id)] = role_payload(role)
        return str(role.id)

    def channel(self, value: Any, allowed_types: list[int] | None) -> str:
        channel = self._state.channels.get(value) if isinstance(value, int) else value
        if not isinstance(channel, Channel):
            raise DoubleUsageError(f"expected a channel, got {value!r}")
        if allowed_types and int(channel.type) not in allowed_types:
            raise DoubleUsageError(f"channel {channel.name!r} is not one of types {allowed_types}")
        data = channel_payload(channel)
        data["permissions"] = str(self._invoker_perms_in(channel))
        self.data.setdefault("channels", {})[str(channel.id)] = data
        return str(channel.id)

    def _invoker_perms_in(self, channel: Channel) -> int:
        """Resolved channels carry the invoking member's permissions there."""
        guild = self._guild
        if guild is None or not isinstance(self._invoker, Member):
            return 0
        return channel_permissions(guild, channel, self._invoker)

    def mentionable(self, value: Any) -> str:
        if isinstance(value, Role):
            return self.role(value)
        if isinstance(value, int) and self._guild is not None and value in self._guild.roles:
            return self.role(value)
        return self.user(value)


def find_subcommand(command: JSON, path: list[str]) -> tuple[list[JSON], list[str]]:
    """Walk "group sub" path words; returns the leaf's option schemas and the chain walked."""
    options: list[JSON] = list(command.get("options") or [])
    chain: list[str] = []
    for word in path:
        match = next(
            (
                o
                for o in options
                if o.get("name") == word and o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ),
            None,
        )
        if match is None:
            raise DoubleUsageError(
                f"/{command['name']} has no subcommand {' '.join([*chain, word])!r}"
            )
        chain.append(word)
        options = list(match.get("options") or [])
    if any(o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options):
        raise DoubleUsageError(f"/{command['name']} {' '.join(chain)} needs a subcommand")
    return options, chain


def _typed_value(schema: JSON, value: Any, resolved: Resolved) -> Any:
    kind = schema.get("type")
    name = schema.get("name")
    if kind == STRING:
        text = str(value)
        low, high = schema.get("min_length"), schema.get("max_length")
        if (low is not None and len(text) < low) or (high is not None and len(text) > high):
            raise DoubleUsageError(f"option {name!r}: length must be within {low}..{high}")
        typed: Any = text
    elif kind in (INTEGER, NUMBER):
        if isinstance(value, bool):
            raise DoubleUsageError(f"option {name!r} expects a number")
        typed = int(value) if kind == INTEGER else float(value)
        low, high = schema.get("min_value"), schema.get("max_value")
        if (low is not None and typed < low) or (high is not None and typed > high):
            raise DoubleUsageError(f"option {name!r}: value must be within {low}..{high}")
    elif kind == BOOLEAN:
        typed = bool(value)
    elif kind == USER:
        typed = resolved.user(value)
    elif kind == CHANNEL:
        typed = resolved.channel(value, schema.get("channel_types"))
    elif kind == ROLE:
        typed = resolved.role(value)
    elif kind == MENTIONABLE:
        typed = resolved.mentionable(value)
    else:
        raise DoubleUsageError(f"option {name!r}: type {kind} is not supported by the double")
    choices = schema.get("choices")
    if choices and typed not in [c.get("value") for c in choices]:
        raise DoubleUsageError(f"option {name!r}: {typed!r} is not one of the offered choices")
    return typed


def build_options(
    schemas: list[JSON],
    values: dict[str, Any],
    resolved: Resolved,
    *,
    focused: str | None = None,
) -> tuple[list[JSON], int]:
    """Typed option list for the leaf command; returns it and the focused option's type."""
    by_name = {s["name"]: s for s in schemas}
    unknown = set(values) - set(by_name)
    if unknown:
        raise DoubleUsageError(
            f"unknown options {sorted(unknown)}; the command has {sorted(by_name)}"
        )
    if focused is not None and focused not in by_name:
        raise DoubleUsageError(f"focused option {focused!r} does not exist")
    options: list[JSON] = []
    focused_type = STRING
    for schema in schemas:
        name = schema["name"]
        if name == focused:
            if not schema.get("autocomplete"):
                raise DoubleUsageError(f"option {name!r} has no autocomplete")
            focused_type = int(schema["type"])
            # While typing, the client sends the raw text, whatever the option's type.
            options.append(
                {
                    "name": name,
                    "type": schema["type"],
                    "value": str(values.get(name, "")),
                    "focused": True,
                }
            )
            continue
        if name not in values:
            if schema.get("required") and focused is None:
                raise DoubleUsageError(f"required option {name!r} is missing")
            continue
        options.append(
            {
                "name": name,
                "type": schema["type"],
                "value": _typed_value(schema, values[name], resolved),
            }
        )
    return options, focused_type


def nest_options(chain: list[str], leaf: list[JSON], command: JSON) -> list[JSON]:
    """Wrap the leaf options in their subcommand (group) options, as Discord nests them."""
    options = leaf
    schemas: list[JSON] = list(command.get("options") or [])
    kinds: list[int] = []
    for word in chain:
        schema = next(o for o in schemas if o.get("name") == word)
        kinds.append(int(schema["type"]))
        schemas = list(schema.get("options") or [])
    for word, kind in reversed(list(zip(chain, kinds, strict=True))):
        options = [{"name": word, "type": kind, "options": options}]
    return options


def base_interaction(
    state: DoubleState,
    *,
    interaction_id: int,
    token: str,
    kind: int,
    guild: Guild | None,
    channel: Channel,
    user: Member | User,
    locale: str,
    guild_locale: str | None,
    attachment_size_limit: int,
) -> JSON:
    """The envelope every interaction shares: who, where, with which permissions."""
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(state.application_id),
        "type": kind,
        "token": token,
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": attachment_size_limit,
        "channel_id": str(channel.id),
    }
    channel_data = channel_payload(channel)
    if guild is not None:
        assert isinstance(user, Member)
        payload["guild_id"] = str(guild.id)
        payload["guild"] = {"id": str(guild.id), "locale": guild.locale, "features": guild.features}
        payload["guild_locale"] = guild_locale or guild.locale
        member_perms = channel_permissions(guild, channel, user)
        payload["member"] = member_payload(user, permissions=member_perms)
        bot = guild.members.get(state.bot_user.id)
        app_perms = 0 if bot is None else channel_permissions(guild, channel, bot)
        payload["app_permissions"] = str(app_perms)
        payload["context"] = 0
        payload["authorizing_integration_owners"] = {"0": str(guild.id)}
        channel_data["permissions"] = str(member_perms)
    else:
        plain = user.user if isinstance(user, Member) else user
        payload["user"] = user_payload(plain)
        payload["app_permissions"] = str(DM_APP_PERMISSIONS)
        payload["context"] = 1
        payload["authorizing_integration_owners"] = {"0": "0"}
        channel_data["recipients"] = [user_payload(plain)]
    payload["channel"] = channel_data
    return payload


# What an app may do in a DM with a user (VIEW, SEND, EMBED_LINKS, ATTACH, HISTORY, ...).
DM_APP_PERMISSIONS = (
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18) | (1 << 6)
)


def is_dm(channel: Channel) -> bool:
    return channel.type is ChannelType.DM
