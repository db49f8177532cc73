"""Pure parts of the Discord double: permission computation, mention resolution, command
naming, rate-limit windows and Discord's error-tree shape."""

from __future__ import annotations

from typing import Any

import pytest
from discord_double.command_rules import command_size, is_valid_chat_input_name, validate_commands
from discord_double.errors import ErrorTree
from discord_double.mentions import (
    INTERACTION_DEFAULT_PARSE,
    MESSAGE_DEFAULT_PARSE,
    ResolvedMentions,
    resolve_mentions,
)
from discord_double.models import Channel, Guild, Member, Overwrite, OverwriteType, Role, User
from discord_double.permissions import (
    ALL_PERMISSIONS,
    Permission,
    can_manage_role,
    channel_permissions,
)
from discord_double.ratelimit import SlidingLogBucket, WindowBucket
from discord_double.rules import validate_message

VIEW, SEND, EMBED = Permission.VIEW_CHANNEL, Permission.SEND_MESSAGES, Permission.EMBED_LINKS


def _guild() -> tuple[Guild, Member, Role]:
    owner = User(10**17 + 1, "owner")
    guild = Guild(10**17, "g", owner.id)
    guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", int(VIEW | SEND | EMBED))
    mods = Role(10**17 + 2, guild.id, "mods", int(Permission.MANAGE_MESSAGES), position=2)
    guild.roles[mods.id] = mods
    member = Member(User(10**17 + 3, "fan"), guild.id)
    guild.members[member.id] = member
    guild.members[owner.id] = Member(owner, guild.id)
    return guild, member, mods


def test_overwrites_apply_everyone_then_roles_then_member() -> None:
    guild, member, mods = _guild()
    member.role_ids.append(mods.id)
    channel = Channel(10**17 + 9, guild.id, "c")
    channel.overwrites = [
        Overwrite(guild.id, OverwriteType.ROLE, deny=int(SEND)),
        Overwrite(mods.id, OverwriteType.ROLE, allow=int(SEND)),
    ]
    assert channel_permissions(guild, channel, member) & SEND
    channel.overwrites.append(Overwrite(member.id, OverwriteType.MEMBER, deny=int(SEND)))
    assert not channel_permissions(guild, channel, member) & SEND


def test_no_view_means_nothing_and_no_send_drops_embed_links() -> None:
    guild, member, _ = _guild()
    hidden = Channel(
        1, guild.id, "hidden", overwrites=[Overwrite(guild.id, OverwriteType.ROLE, deny=int(VIEW))]
    )
    assert channel_permissions(guild, hidden, member) == 0
    muted = Channel(
        2, guild.id, "muted", overwrites=[Overwrite(guild.id, OverwriteType.ROLE, deny=int(SEND))]
    )
    perms = channel_permissions(guild, muted, member)
    assert perms & VIEW and not perms & EMBED


def test_owner_and_administrator_bypass_overwrites() -> None:
    guild, member, _ = _guild()
    hidden = Channel(
        1, guild.id, "hidden", overwrites=[Overwrite(guild.id, OverwriteType.ROLE, deny=int(VIEW))]
    )
    assert channel_permissions(guild, hidden, guild.members[guild.owner_id]) == ALL_PERMISSIONS
    admin = Role(5, guild.id, "admin", int(Permission.ADMINISTRATOR))
    guild.roles[admin.id] = admin
    member.role_ids.append(admin.id)
    assert channel_permissions(guild, hidden, member) == ALL_PERMISSIONS


def test_role_management_needs_permission_and_a_higher_top_role() -> None:
    guild, member, _ = _guild()
    target = Role(7, guild.id, "subs", position=1)
    guild.roles[target.id] = target
    assert not can_manage_role(guild, member, target)  # no MANAGE_ROLES
    manager = Role(8, guild.id, "manager", int(Permission.MANAGE_ROLES), position=1)
    guild.roles[manager.id] = manager
    member.role_ids.append(manager.id)
    # Same position: the older (smaller id) role ranks higher, so 7 beats 8.
    assert not can_manage_role(guild, member, target)
    manager.position = 3
    assert can_manage_role(guild, member, target)
    assert not can_manage_role(guild, member, Role(9, guild.id, "top", position=4))


def _mentions(
    content: str, allowed: dict[str, Any] | None, *, default: frozenset[str], everyone: bool = False
) -> tuple[ResolvedMentions, Member, Role, Role]:
    guild, member, mods = _guild()
    ping = Role(11**16, guild.id, "ping", mentionable=True)
    guild.roles[ping.id] = ping
    users = {u.user.id: u.user for u in guild.members.values()}
    text = content.format(user=member.id, ping=ping.id, mods=mods.id)
    found = resolve_mentions(
        text,
        allowed,
        default_parse=default,
        guild=guild,
        find_user=users.get,
        can_mention_everyone=everyone,
    )
    return found, member, ping, mods


def test_default_parse_pings_users_mentionable_roles_and_not_everyone_without_permission() -> None:
    found, member, ping, _ = _mentions(
        "<@{user}> <@&{ping}> <@&{mods}> @everyone", None, default=MESSAGE_DEFAULT_PARSE
    )
    assert [u.id for u in found.users] == [member.id]
    assert found.role_ids == [ping.id]
    assert not found.everyone


def test_interaction_default_parses_users_only() -> None:
    found, member, _, _ = _mentions(
        "<@{user}> <@&{ping}> @here", None, default=INTERACTION_DEFAULT_PARSE, everyone=True
    )
    assert [u.id for u in found.users] == [member.id]
    assert found.role_ids == [] and not found.everyone


def test_explicit_role_list_and_mention_everyone_permission() -> None:
    found, _, _, mods = _mentions(
        "<@&{mods}> <@{user}> @everyone",
        {"parse": [], "roles": [str(10**17 + 2)]},
        default=MESSAGE_DEFAULT_PARSE,
        everyone=True,
    )
    assert found.role_ids == [mods.id], "MENTION_EVERYONE lets a non-mentionable role ping"
    assert found.users == [] and not found.everyone


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("cast", True),
        ("배우", True),
        ("नमस्ते", True),  # Devanagari with combining vowel signs
        ("สวัสดี", True),
        ("it's-a_name", True),
        ("Cast", False),
        ("cast member", False),
        ("cast!", False),
        ("🎬", False),
        ("", False),
        ("c" * 33, False),
    ],
)
def test_chat_input_name_rule(name: str, valid: bool) -> None:
    assert is_valid_chat_input_name(name) is valid


def test_command_size_counts_the_longest_localization() -> None:
    command = {
        "name": "cast",
        "description": "d" * 10,
        "description_localizations": {"ko": "설" * 40},
        "options": [
            {"name": "name", "description": "who", "choices": [{"name": "ab", "value": "abc"}]}
        ],
    }
    assert command_size(command) == 4 + 40 + 4 + 3 + 2 + 3


def test_subcommands_cannot_mix_with_plain_options() -> None:
    errors = ErrorTree()
    body = [
        {
            "name": "setup",
            "description": "d",
            "options": [
                {"type": 1, "name": "a", "description": "d"},
                {"type": 3, "name": "b", "description": "d"},
            ],
        }
    ]
    validate_commands(body, errors)
    assert any("mutually exclusive" in line for line in errors.flat())


def test_error_tree_has_discords_shape() -> None:
    errors = ErrorTree()
    validate_message({"embeds": [{"title": "x" * 257}]}, errors)
    assert errors.to_dict() == {
        "embeds": {
            "0": {
                "title": {
                    "_errors": [
                        {
                            "code": "BASE_TYPE_MAX_LENGTH",
                            "message": "Must be 256 or fewer in length.",
                        }
                    ]
                }
            }
        }
    }


def test_window_bucket_counts_down_and_reopens() -> None:
    bucket = WindowBucket("b", limit=2, period=5.0)
    first, second, third = bucket.hit(100.0), bucket.hit(101.0), bucket.hit(102.0)
    assert (first.remaining, second.remaining) == (1, 0)
    assert not third.allowed and third.reset_after == pytest.approx(3.0)
    assert bucket.hit(105.0).allowed


def test_sliding_log_bucket_frees_the_oldest_hit() -> None:
    bucket = SlidingLogBucket("c", limit=2, period=3600.0)
    assert bucket.hit(0.0).allowed and bucket.hit(10.0).allowed
    refused = bucket.hit(20.0)
    assert not refused.allowed and refused.reset_after == pytest.approx(3580.0)
    assert bucket.hit(3600.5).allowed
