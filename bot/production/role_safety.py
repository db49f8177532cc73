"""Which roles the bot may hand out to fans through /notify (pure: no Discord imports).

Anyone can run /notify, so the ping role is effectively self-service. Discord lets a member
give out a role only with Manage Roles and only below their own top role; the bot must not be a
way around that. Two rules follow:

- the ping role carries **no elevated permission** (:data:`ELEVATED_PERMISSIONS`), neither
  server-wide nor through a channel overwrite: checked at /setup, at every /notify click and by
  /setup check, because a role can gain permissions after it was chosen;
- whoever picks it in /setup could have given it out themselves (the server owner, or Manage
  Roles/Administrator with their top role above it), and the bot's top role sits above it.

The cog reads the facts from discord.py's cache into :class:`RoleFacts` / :class:`Assigner`;
this module decides and names the reason (a stable code the cogs map to catalogue texts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

# Discord permission bits (topics/permissions) that let a member moderate, administer or
# reach everyone. The names are catalogue keys (``permission.<name>``), in the order shown.
ELEVATED_PERMISSIONS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "administrator": 1 << 3,
        "manage_guild": 1 << 5,
        "manage_roles": 1 << 28,
        "manage_channels": 1 << 4,
        "manage_messages": 1 << 13,
        "manage_webhooks": 1 << 29,
        "manage_nicknames": 1 << 27,
        "manage_events": 1 << 33,
        "manage_threads": 1 << 34,
        "manage_expressions": 1 << 30,
        "kick_members": 1 << 1,
        "ban_members": 1 << 2,
        "moderate_members": 1 << 40,
        "mention_everyone": 1 << 17,
        "view_audit_log": 1 << 7,
        "view_guild_insights": 1 << 19,
        "view_creator_monetization_analytics": 1 << 41,
        "mute_members": 1 << 22,
        "deafen_members": 1 << 23,
        "move_members": 1 << 24,
        "pin_messages": 1 << 51,
        "bypass_slowmode": 1 << 52,
    }
)
ELEVATED_MASK: Final = sum(ELEVATED_PERMISSIONS.values())
ADMINISTRATOR: Final = ELEVATED_PERMISSIONS["administrator"]
MANAGE_ROLES: Final = ELEVATED_PERMISSIONS["manage_roles"]

RefusalCode = Literal[
    "role_everyone",
    "role_managed",
    "role_elevated",
    "invoker_no_manage_roles",
    "invoker_below_role",
    "bot_below_role",
]


@dataclass(frozen=True, slots=True)
class RoleFacts:
    """The candidate ping role. ``channel_allows`` ORs the allow bits of every channel
    overwrite that targets it (Manage Messages in one channel is still moderation)."""

    permissions: int
    channel_allows: int = 0
    is_default: bool = False  # @everyone
    managed: bool = False  # a bot's or an integration's role: Discord refuses to assign it


@dataclass(frozen=True, slots=True)
class Assigner:
    """Someone who would give the role out: the admin running /setup, or the bot itself.

    ``permissions`` are server-wide (role assignment ignores channel overwrites);
    ``above_role`` says their top role ranks strictly above the candidate.
    """

    permissions: int
    above_role: bool
    is_owner: bool = False


@dataclass(frozen=True, slots=True)
class RoleRefusal:
    code: RefusalCode
    permissions: tuple[str, ...] = ()  # role_elevated: the elevated permissions, by name


def elevated_permissions(permissions: int) -> tuple[str, ...]:
    """The names of the elevated permissions in ``permissions`` (empty: a plain role)."""
    return tuple(name for name, bit in ELEVATED_PERMISSIONS.items() if permissions & bit)


def elevated_refusal(role: RoleFacts) -> RoleRefusal | None:
    """Refuse a role that grants anything elevated, server-wide or in any channel."""
    names = elevated_permissions(role.permissions | role.channel_allows)
    return RoleRefusal("role_elevated", names) if names else None


def could_assign(assigner: Assigner) -> bool:
    """Discord's own rule for giving a role to someone."""
    if assigner.is_owner:
        return True
    return bool(assigner.permissions & (MANAGE_ROLES | ADMINISTRATOR)) and assigner.above_role


def ping_role_refusal(
    role: RoleFacts, invoker: Assigner, bot_above_role: bool
) -> RoleRefusal | None:
    """Why ``invoker`` may not make ``role`` the ping role, or None when it is fine.

    Checked in the order an admin can act on: the kind of role, its permissions, their own
    standing, then the bot's place in the hierarchy.
    """
    if role.is_default:
        return RoleRefusal("role_everyone")
    if role.managed:
        return RoleRefusal("role_managed")
    refusal = elevated_refusal(role)
    if refusal is not None:
        return refusal
    if not invoker.is_owner and not invoker.permissions & (MANAGE_ROLES | ADMINISTRATOR):
        return RoleRefusal("invoker_no_manage_roles")
    if not could_assign(invoker):
        return RoleRefusal("invoker_below_role")
    if not bot_above_role:
        return RoleRefusal("bot_below_role")
    return None
