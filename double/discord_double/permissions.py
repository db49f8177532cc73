"""Discord's permission computation (topics/permissions.mdx), done server-side like Discord.

Base permissions come from @everyone plus the member's roles; channel overwrites are
applied @everyone first, then all role overwrites together, then the member's own.
"""

from __future__ import annotations

from enum import IntFlag

from discord_double.models import Channel, ChannelType, Guild, Member, OverwriteType, Role


class Permission(IntFlag):
    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40


ALL_PERMISSIONS = (1 << 51) - 1

# What a member role typically carries in a fresh server (the @everyone defaults).
DEFAULT_EVERYONE_PERMISSIONS = int(
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.ADD_REACTIONS
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_INSTANT_INVITE
    | Permission.CHANGE_NICKNAME
    | Permission.CONNECT
    | Permission.SPEAK
    | Permission.SEND_MESSAGES_IN_THREADS
)

# A typical bot invite: enough to answer commands and post announcements.
DEFAULT_BOT_PERMISSIONS = int(
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_APPLICATION_COMMANDS
)

# Denying SEND_MESSAGES implicitly denies what only makes sense when sending.
_NEEDS_SEND = int(
    Permission.MENTION_EVERYONE
    | Permission.SEND_TTS_MESSAGES
    | Permission.ATTACH_FILES
    | Permission.EMBED_LINKS
)


def base_permissions(guild: Guild, member: Member) -> int:
    """Guild-level permissions: owner and ADMINISTRATOR get everything."""
    if member.id == guild.owner_id:
        return ALL_PERMISSIONS
    perms = guild.everyone_role.permissions
    for role_id in member.role_ids:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    if perms & Permission.ADMINISTRATOR:
        return ALL_PERMISSIONS
    return perms


def channel_permissions(guild: Guild, channel: Channel, member: Member) -> int:
    """Effective permissions of `member` in `channel`, overwrites and implicit denies applied."""
    perms = base_permissions(guild, member)
    if perms == ALL_PERMISSIONS:
        return ALL_PERMISSIONS

    by_id = {ow.id: ow for ow in channel.overwrites}
    everyone = by_id.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow

    allow = deny = 0
    for role_id in member.role_ids:
        ow = by_id.get(role_id)
        if ow is not None and ow.type is OverwriteType.ROLE:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow

    own = by_id.get(member.id)
    if own is not None and own.type is OverwriteType.MEMBER:
        perms = (perms & ~own.deny) | own.allow

    if not perms & Permission.VIEW_CHANNEL:
        return 0
    text_like = channel.type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT)
    if text_like and not perms & Permission.SEND_MESSAGES:
        perms &= ~_NEEDS_SEND
    return perms


def role_rank(role: Role) -> tuple[int, int]:
    """Sort key for the role hierarchy: higher position wins, then the older (smaller) id."""
    return (role.position, -role.id)


def top_role(guild: Guild, member: Member) -> Role:
    roles = [guild.roles[r] for r in member.role_ids if r in guild.roles]
    return max(roles, key=role_rank, default=guild.everyone_role)


def can_manage_role(guild: Guild, actor: Member, role: Role) -> bool:
    """MANAGE_ROLES and a top role strictly above the role being given or taken."""
    if actor.id == guild.owner_id:
        return True
    perms = base_permissions(guild, actor)
    if not perms & Permission.MANAGE_ROLES:
        return False
    return role_rank(top_role(guild, actor)) > role_rank(role)
