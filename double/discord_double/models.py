"""The double's world: users, guilds, roles, channels, members, messages, commands.

Plain mutable records; the driver creates them, REST handlers read and change them,
`payloads` turns them into Discord JSON. Entities compare and hash by identity, so tests
can use them as dict keys (`overwrites={role: (allow, deny)}`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

JSON = dict[str, Any]


class ChannelType(IntEnum):
    GUILD_TEXT = 0
    DM = 1
    GUILD_ANNOUNCEMENT = 5


class OverwriteType(IntEnum):
    ROLE = 0
    MEMBER = 1


@dataclass(slots=True, eq=False)
class User:
    id: int
    name: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(slots=True, eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False
    managed: bool = False
    color: int = 0
    hoist: bool = False
    bot_id: int | None = None  # set on the managed role Discord creates for a bot

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass(slots=True)
class Overwrite:
    id: int
    type: OverwriteType
    allow: int = 0
    deny: int = 0


@dataclass(slots=True, eq=False)
class Channel:
    id: int
    guild_id: int | None
    name: str
    type: ChannelType = ChannelType.GUILD_TEXT
    position: int = 0
    overwrites: list[Overwrite] = field(default_factory=list)
    topic: str | None = None
    recipient_id: int | None = None  # DM channels only

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def is_announcement(self) -> bool:
        return self.type is ChannelType.GUILD_ANNOUNCEMENT


@dataclass(slots=True, eq=False)
class Member:
    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: float = field(default_factory=time.time)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def mention(self) -> str:
        return self.user.mention


@dataclass(slots=True, eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)
    system_channel_id: int | None = None  # where Discord posts join messages (and bots greet)

    @property
    def everyone_role(self) -> Role:
        # Discord gives @everyone the guild's own id.
        return self.roles[self.id]


@dataclass(slots=True, eq=False)
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[JSON] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    timestamp: float = field(default_factory=time.time)
    edited_timestamp: float | None = None
    nonce: str | int | None = None
    mentions: list[User] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JSON | None = None
    message_reference: JSON | None = None
    created_monotonic: float = field(default_factory=time.monotonic)
    deleted: bool = False

    EPHEMERAL = 1 << 6
    CROSSPOSTED = 1 << 0
    SUPPRESS_EMBEDS = 1 << 2
    LOADING = 1 << 7

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & Message.EPHEMERAL)

    @property
    def crossposted(self) -> bool:
        return bool(self.flags & Message.CROSSPOSTED)

    @property
    def loading(self) -> bool:
        return bool(self.flags & Message.LOADING)

    def iter_components(self) -> list[JSON]:
        """Every component in the message, rows and containers flattened."""
        found: list[JSON] = []
        stack = list(reversed(self.components))
        while stack:
            comp = stack.pop()
            found.append(comp)
            children = list(comp.get("components", []))
            if "component" in comp:
                children.append(comp["component"])
            if "accessory" in comp:
                children.append(comp["accessory"])
            stack.extend(reversed(children))
        return found

    def find_component(self, custom_id: str) -> JSON | None:
        for comp in self.iter_components():
            if comp.get("custom_id") == custom_id:
                return comp
        return None


@dataclass(slots=True, eq=False)
class Command:
    """An application command as the bot registered it (global when guild_id is None)."""

    id: int
    application_id: int
    guild_id: int | None
    data: JSON
    version: int

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def type(self) -> int:
        return int(self.data.get("type", 1))
