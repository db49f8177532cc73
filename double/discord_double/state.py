"""Everything the double knows: the bot, guilds, channels, messages, commands, interactions."""

from __future__ import annotations

from dataclasses import dataclass, field

from discord_double.interactions import InteractionRecord
from discord_double.models import Channel, Command, Guild, Member, Message, User
from discord_double.permissions import channel_permissions
from discord_double.snowflake import SnowflakeFactory


@dataclass(slots=True)
class NonceEntry:
    message_id: int
    at: float


@dataclass(slots=True)
class DoubleState:
    ids: SnowflakeFactory
    bot_user: User
    owner: User
    application_name: str
    users: dict[int, User] = field(default_factory=dict)
    guilds: dict[int, Guild] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    channel_messages: dict[int, list[Message]] = field(default_factory=dict)
    # Commands per scope: None = global, else the guild id.
    commands: dict[int | None, dict[int, Command]] = field(default_factory=dict)
    # Guilds that installed the bot without the applications.commands scope.
    no_commands_scope: set[int] = field(default_factory=set)
    command_creates: dict[int | None, list[float]] = field(default_factory=dict)
    interactions: dict[int, InteractionRecord] = field(default_factory=dict)
    interactions_by_token: dict[str, InteractionRecord] = field(default_factory=dict)
    nonces: dict[tuple[int, int, str], NonceEntry] = field(default_factory=dict)
    dm_channels: dict[int, Channel] = field(default_factory=dict)

    @property
    def application_id(self) -> int:
        # Discord gives a bot user the id of its application.
        return self.bot_user.id

    def find_user(self, user_id: int) -> User | None:
        return self.users.get(user_id)

    def guild_of(self, channel: Channel) -> Guild | None:
        return None if channel.guild_id is None else self.guilds.get(channel.guild_id)

    def bot_member(self, guild: Guild) -> Member:
        return guild.members[self.bot_user.id]

    def bot_permissions_in(self, channel: Channel) -> int:
        """The bot's effective permissions in a channel (0 in a guild it is not part of)."""
        guild = self.guild_of(channel)
        if guild is None:
            return 0
        member = guild.members.get(self.bot_user.id)
        return 0 if member is None else channel_permissions(guild, channel, member)

    def store_message(self, message: Message) -> None:
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message)

    def commands_in(self, guild_id: int | None) -> dict[int, Command]:
        return self.commands.setdefault(guild_id, {})
