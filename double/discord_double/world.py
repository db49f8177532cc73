"""Building the double's world: users, guilds, channels, roles, members, permissions.

Changes made while a bot is connected are announced over the gateway (GUILD_CREATE,
CHANNEL_CREATE/UPDATE/DELETE, GUILD_ROLE_CREATE/UPDATE, GUILD_MEMBER_ADD, GUILD_DELETE)
so the bot's cache stays in step, as it would on Discord.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from discord_double.gateway import INTENT_GUILD_MEMBERS, Gateway
from discord_double.models import (
    JSON,
    Channel,
    ChannelType,
    Guild,
    Member,
    Overwrite,
    OverwriteType,
    Role,
    User,
)
from discord_double.payloads import channel_payload, member_payload, role_payload
from discord_double.permissions import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Permission,
    channel_permissions,
)
from discord_double.state import DoubleState

ChannelKind = Literal["text", "announcement"]
OverwriteTarget = Role | Member | User


class WorldBuilder:
    """Mixin of `DiscordDouble`: the methods that create and change guilds and their parts."""

    state: DoubleState
    gateway: Gateway

    def add_user(self, name: str, *, bot: bool = False) -> User:
        user = User(self.state.ids.next(), name, bot=bot)
        self.state.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        locale: str = "en-US",
        owner: User | None = None,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        bot_role_position: int = 1,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        commands_scope: bool = True,
        features: Sequence[str] = (),
        announce: bool = True,
    ) -> Guild:
        """A guild the bot is in, with @everyone, the bot's managed role and an owner member.

        A connected bot hears of it at once (GUILD_CREATE of a join); ``announce=False``
        holds that back until `announce_join`, so channels can be added first."""
        ids = self.state.ids
        owner = owner or self.add_user(f"{name} owner")
        guild = Guild(ids.next(), name, owner.id, locale=locale, features=list(features))
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", everyone_permissions, 0)
        bot_role = Role(
            ids.next(),
            guild.id,
            self.state.bot_user.name,
            bot_permissions,
            bot_role_position,
            managed=True,
            bot_id=self.state.bot_user.id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(owner, guild.id)
        guild.members[self.state.bot_user.id] = Member(self.state.bot_user, guild.id, [bot_role.id])
        self.state.guilds[guild.id] = guild
        if not commands_scope:
            self.state.no_commands_scope.add(guild.id)
        if announce:
            self.announce_join(guild)
        return guild

    def announce_join(self, guild: Guild) -> None:
        """GUILD_CREATE without `unavailable` (discord.py: on_guild_join) to connected sessions.

        Called again for the same guild it repeats the event, as a misbehaving gateway might."""
        for session in self.gateway.sessions.values():
            if session.covers(guild.id):
                data = self.gateway.guild_create(guild, session.intents, joined=True)
                session.dispatch("GUILD_CREATE", _dumps(data))

    def join_guild(
        self,
        name: str,
        *,
        locale: str = "en-US",
        system_channel: str | None = "general",
        system_channel_bot_permissions: int | None = None,
        **guild_options: Any,
    ) -> Guild:
        """Someone adds the bot to a new server: the guild, with its system channel (None: no
        system channel; ``system_channel_bot_permissions`` pins the bot's permissions there),
        complete before the bot hears of the join."""
        guild = self.add_guild(name, locale=locale, announce=False, **guild_options)
        if system_channel is not None:
            channel = self._new_channel(
                guild, system_channel, "text", bot_permissions=system_channel_bot_permissions
            )
            guild.system_channel_id = channel.id
        self.announce_join(guild)
        return guild

    def rejoin_guild(self, guild: Guild) -> None:
        """The bot is added back to a guild it was removed from: a new join (new joined_at)."""
        self.state.guilds[guild.id] = guild
        for channel in guild.channels.values():
            self.state.channels[channel.id] = channel
        guild.members[self.state.bot_user.id].joined_at = time.time()
        self.announce_join(guild)

    def guild_outage(self, guild: Guild) -> None:
        """The guild becomes unavailable (GUILD_DELETE with `unavailable: true`)."""
        self.gateway.dispatch(
            "GUILD_DELETE", {"id": str(guild.id), "unavailable": True}, guild_id=guild.id
        )

    def guild_recovered(self, guild: Guild) -> None:
        """The guild is back after an outage (GUILD_CREATE with `unavailable: false`)."""
        for session in self.gateway.sessions.values():
            if session.covers(guild.id):
                data = self.gateway.guild_create(guild, session.intents)
                session.dispatch("GUILD_CREATE", _dumps(data))

    def remove_guild(self, guild: Guild) -> None:
        """The bot was removed from the guild (GUILD_DELETE)."""
        self.state.guilds.pop(guild.id, None)
        for channel_id in guild.channels:
            self.state.channels.pop(channel_id, None)
        self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild_id=guild.id)

    def add_channel(
        self,
        guild: Guild,
        name: str,
        kind: ChannelKind = "text",
        *,
        bot_permissions: int | None = None,
        overwrites: Mapping[OverwriteTarget, tuple[int, int]] | None = None,
        topic: str | None = None,
    ) -> Channel:
        """A text or announcement channel. `bot_permissions` pins the bot's exact permissions
        here (via a member overwrite); `overwrites` maps role/member → (allow, deny)."""
        channel = self._new_channel(
            guild, name, kind, bot_permissions=bot_permissions, overwrites=overwrites, topic=topic
        )
        self.gateway.dispatch("CHANNEL_CREATE", channel_payload(channel), guild_id=guild.id)
        return channel

    def _new_channel(
        self,
        guild: Guild,
        name: str,
        kind: ChannelKind,
        *,
        bot_permissions: int | None = None,
        overwrites: Mapping[OverwriteTarget, tuple[int, int]] | None = None,
        topic: str | None = None,
    ) -> Channel:
        channel_type = (
            ChannelType.GUILD_ANNOUNCEMENT if kind == "announcement" else ChannelType.GUILD_TEXT
        )
        if channel_type is ChannelType.GUILD_ANNOUNCEMENT and "NEWS" not in guild.features:
            guild.features.append("NEWS")
        channel = Channel(
            self.state.ids.next(),
            guild.id,
            name,
            channel_type,
            position=len(guild.channels),
            topic=topic,
        )
        for target, (allow, deny) in (overwrites or {}).items():
            channel.overwrites.append(_overwrite(target, allow, deny))
        if bot_permissions is not None:
            channel.overwrites.append(
                Overwrite(
                    self.state.bot_user.id,
                    OverwriteType.MEMBER,
                    bot_permissions,
                    ALL_PERMISSIONS & ~bot_permissions,
                )
            )
        guild.channels[channel.id] = channel
        self.state.channels[channel.id] = channel
        return channel

    def set_overwrite(
        self, channel: Channel, target: OverwriteTarget, allow: int, deny: int
    ) -> None:
        """Change one permission overwrite (CHANNEL_UPDATE is sent to the bot)."""
        new = _overwrite(target, allow, deny)
        channel.overwrites = [o for o in channel.overwrites if o.id != new.id] + [new]
        self.gateway.dispatch("CHANNEL_UPDATE", channel_payload(channel), guild_id=channel.guild_id)

    def set_bot_permissions(self, channel: Channel, permissions: int) -> None:
        self.set_overwrite(
            channel, self.state.bot_user, permissions, ALL_PERMISSIONS & ~permissions
        )

    def remove_channel(self, channel: Channel) -> None:
        guild = self.state.guild_of(channel)
        if guild is not None:
            guild.channels.pop(channel.id, None)
        self.state.channels.pop(channel.id, None)
        self.gateway.dispatch("CHANNEL_DELETE", channel_payload(channel), guild_id=channel.guild_id)

    def add_role(
        self,
        guild: Guild,
        name: str,
        *,
        mentionable: bool = False,
        permissions: int = 0,
        position: int = 1,
    ) -> Role:
        """A role; the default position 1 sits below the bot's role (older ids rank higher)."""
        role = Role(self.state.ids.next(), guild.id, name, permissions, position, mentionable)
        guild.roles[role.id] = role
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": role_payload(role)},
            guild_id=guild.id,
        )
        return role

    def update_role(self, role: Role, **changes: Any) -> None:
        """Change name/permissions/position/mentionable (GUILD_ROLE_UPDATE)."""
        for key, value in changes.items():
            if key not in ("name", "permissions", "position", "mentionable", "color", "hoist"):
                raise TypeError(f"cannot change {key!r} on a role")
            setattr(role, key, value)
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role_payload(role)},
            guild_id=role.guild_id,
        )  # fmt: skip

    def add_member(
        self,
        guild: Guild,
        name: str,
        *,
        permissions: int | None = None,
        roles: Sequence[Role] = (),
        administrator: bool = False,
        user: User | None = None,
    ) -> Member:
        """A member; `permissions` gives them a personal role carrying exactly those bits."""
        user = user or self.add_user(name)
        member = Member(user, guild.id, [r.id for r in roles])
        if administrator:
            permissions = (permissions or 0) | Permission.ADMINISTRATOR
        if permissions is not None:
            personal = Role(
                self.state.ids.next(), guild.id, f"{name} permissions", int(permissions), 1
            )
            guild.roles[personal.id] = personal
            member.role_ids.append(personal.id)
            self.gateway.dispatch(
                "GUILD_ROLE_CREATE",
                {"guild_id": str(guild.id), "role": role_payload(personal)},
                guild_id=guild.id,
            )
        guild.members[user.id] = member
        self.gateway.dispatch(
            "GUILD_MEMBER_ADD",
            {**member_payload(member), "guild_id": str(guild.id)},
            guild_id=guild.id,
            intent=INTENT_GUILD_MEMBERS,
        )
        return member

    def member(self, guild: Guild, user: User | Member | int) -> Member:
        user_id = user if isinstance(user, int) else user.id
        return guild.members[user_id]

    def dm_channel(self, user: User | Member) -> Channel:
        plain = user.user if isinstance(user, Member) else user
        channel = self.state.dm_channels.get(plain.id)
        if channel is None:
            channel = Channel(
                self.state.ids.next(), None, plain.name, ChannelType.DM, recipient_id=plain.id
            )
            self.state.dm_channels[plain.id] = channel
            self.state.channels[channel.id] = channel
        return channel

    def bot_permissions(self, channel: Channel) -> int:
        return self.state.bot_permissions_in(channel)

    def member_permissions(self, channel: Channel, member: Member) -> int:
        guild = self.state.guild_of(channel)
        assert guild is not None
        return channel_permissions(guild, channel, member)


def _overwrite(target: OverwriteTarget, allow: int, deny: int) -> Overwrite:
    if isinstance(target, Role):
        return Overwrite(target.id, OverwriteType.ROLE, int(allow), int(deny))
    return Overwrite(target.id, OverwriteType.MEMBER, int(allow), int(deny))


def _dumps(data: JSON) -> str:
    return json.dumps(data, separators=(",", ":"))
