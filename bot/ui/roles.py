"""The facts :mod:`bot.production.role_safety` decides on, read from discord.py's cache."""

from __future__ import annotations

import discord

from bot.i18n.catalogue import Catalogue, Lang
from bot.production.role_safety import Assigner, RoleFacts


def role_facts(guild: discord.Guild, role: discord.Role) -> RoleFacts:
    """The role's server-wide permissions and what channel overwrites allow it anywhere."""
    allows = 0
    for channel in guild.channels:
        allow, _deny = channel.overwrites_for(role).pair()
        allows |= allow.value
    return RoleFacts(
        permissions=role.permissions.value,
        channel_allows=allows,
        is_default=role.is_default(),
        managed=role.managed,
    )


def member_assigner(guild: discord.Guild, member: discord.Member, role: discord.Role) -> Assigner:
    """Could ``member`` give ``role`` out in Discord (server-wide permissions, hierarchy)?"""
    return Assigner(
        permissions=member.guild_permissions.value,
        above_role=member.top_role > role,
        is_owner=guild.owner_id == member.id,
    )


def bot_above(guild: discord.Guild, role: discord.Role) -> bool:
    me = guild.me
    return me is not None and me.top_role > role


def permission_names(texts: Catalogue, lang: Lang, names: tuple[str, ...]) -> str:
    """'Administrator, Ban Members' in the reader's language (the names Discord's UI uses)."""
    return " · ".join(texts.t(lang, f"server_setup.permissions.{name}") for name in names)
