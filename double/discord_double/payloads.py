"""Turn the double's records into the JSON shapes Discord sends (API v10)."""

from __future__ import annotations

from discord_double.models import JSON, Channel, ChannelType, Guild, Member, Message, Role, User
from discord_double.snowflake import iso_timestamp


def user_payload(user: User) -> JSON:
    return {
        "id": str(user.id),
        "username": user.name,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": None,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
    }


def role_payload(role: Role) -> JSON:
    data: JSON = {
        "id": str(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }
    if role.bot_id is not None:
        data["tags"] = {"bot_id": str(role.bot_id)}
    return data


def channel_payload(channel: Channel) -> JSON:
    if channel.type is ChannelType.DM:
        return {
            "id": str(channel.id),
            "type": int(channel.type),
            "last_message_id": None,
            "recipients": [],
            "flags": 0,
        }
    return {
        "id": str(channel.id),
        "type": int(channel.type),
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": [
            {"id": str(o.id), "type": int(o.type), "allow": str(o.allow), "deny": str(o.deny)}
            for o in channel.overwrites
        ],
        "topic": channel.topic,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def member_payload(member: Member, *, permissions: int | None = None) -> JSON:
    data: JSON = {
        "user": user_payload(member.user),
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in member.role_ids],
        "joined_at": iso_timestamp(member.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def guild_payload(guild: Guild, *, members: list[Member] | None = None) -> JSON:
    """Full guild object; with `members` it is the GUILD_CREATE shape."""
    data: JSON = {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": list(guild.features),
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": (
            str(guild.system_channel_id) if guild.system_channel_id is not None else None
        ),
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": guild.locale,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "max_members": 500000,
        "max_video_channel_users": 25,
    }
    if members is not None:
        data.update(
            {
                "unavailable": False,
                "large": len(guild.members) >= 250,
                "member_count": len(guild.members),
                "joined_at": iso_timestamp(min((m.joined_at for m in members), default=0.0)),
                "members": [member_payload(m) for m in members],
                "channels": [channel_payload(c) for c in guild.channels.values()],
                "threads": [],
                "voice_states": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
            }
        )
    return data


def stored_components(components: list[JSON]) -> list[JSON]:
    """Components as Discord stores them: each gets a numeric `id` (1, 2, … depth first)
    unless the app chose one, and a unicode emoji loses the null `id` it was sent with."""
    counter = 0

    def number(component: JSON) -> JSON:
        nonlocal counter
        counter += 1
        stored = dict(component)
        stored.setdefault("id", counter)
        emoji = stored.get("emoji")
        if isinstance(emoji, dict):
            stored["emoji"] = {k: v for k, v in emoji.items() if v is not None}
        children = stored.get("components")
        if isinstance(children, list):
            stored["components"] = [number(c) if isinstance(c, dict) else c for c in children]
        return stored

    return [number(c) if isinstance(c, dict) else c for c in components]


def message_payload(message: Message, *, with_guild: bool = False) -> JSON:
    """A message object; `with_guild` adds the gateway-only guild_id."""
    data: JSON = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "type": message.type,
        "author": user_payload(message.author),
        "content": message.content,
        "timestamp": iso_timestamp(message.timestamp),
        "edited_timestamp": (
            None if message.edited_timestamp is None else iso_timestamp(message.edited_timestamp)
        ),
        "tts": message.tts,
        "mention_everyone": message.mention_everyone,
        "mentions": [user_payload(u) for u in message.mentions],
        "mention_roles": [str(r) for r in message.mention_roles],
        "mention_channels": [],
        "attachments": list(message.attachments),
        "embeds": list(message.embeds),
        "reactions": [],
        "pinned": False,
        "flags": message.flags,
        "components": list(message.components),
    }
    if message.nonce is not None:
        data["nonce"] = message.nonce
    if message.webhook_id is not None:
        data["webhook_id"] = str(message.webhook_id)
    if message.application_id is not None:
        data["application_id"] = str(message.application_id)
    if message.interaction_metadata is not None:
        data["interaction_metadata"] = message.interaction_metadata
    if message.message_reference is not None:
        data["message_reference"] = message.message_reference
    if with_guild and message.guild_id is not None:
        data["guild_id"] = str(message.guild_id)
    return data
