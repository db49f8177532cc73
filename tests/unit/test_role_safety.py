"""Which ping roles are safe to hand out through /notify (pure rules, no Discord)."""

from __future__ import annotations

import discord
import pytest

from bot.production.models import GuildSettings
from bot.production.role_safety import (
    ELEVATED_MASK,
    ELEVATED_PERMISSIONS,
    Assigner,
    RoleFacts,
    elevated_permissions,
    ping_role_refusal,
)
from bot.production.setup_check import ChannelState, RoleState, check_setup

MANAGE_ROLES = 1 << 28
PLAIN = RoleFacts(permissions=int(discord.Permissions.general().value & ~ELEVATED_MASK))
ADMIN = Assigner(permissions=MANAGE_ROLES, above_role=True)


def test_the_elevated_set_matches_discords_permission_names() -> None:
    # The bits are written out by hand in a module without discord: check them against it.
    for name, bit in ELEVATED_PERMISSIONS.items():
        assert getattr(discord.Permissions(bit), name), name
    everyday = discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
        add_reactions=True,
        use_application_commands=True,
        connect=True,
        speak=True,
        change_nickname=True,
        create_instant_invite=True,
    )
    assert elevated_permissions(everyday.value) == ()


@pytest.mark.parametrize(
    "permission",
    ["administrator", "manage_guild", "manage_roles", "ban_members", "kick_members",
     "moderate_members", "mention_everyone", "manage_webhooks", "view_audit_log"],
)  # fmt: skip
def test_a_role_with_any_elevated_permission_is_refused(permission: str) -> None:
    role = RoleFacts(permissions=discord.Permissions(**{permission: True}).value)
    refusal = ping_role_refusal(role, ADMIN, bot_above_role=True)
    assert refusal is not None and refusal.code == "role_elevated"
    assert refusal.permissions == (permission,)


def test_an_overwrite_in_one_channel_counts_as_elevated() -> None:
    role = RoleFacts(permissions=0, channel_allows=1 << 13)  # Manage Messages in a channel
    refusal = ping_role_refusal(role, ADMIN, bot_above_role=True)
    assert refusal is not None and refusal.permissions == ("manage_messages",)


@pytest.mark.parametrize(
    ("assigner", "bot_above", "code"),
    [
        (ADMIN, True, None),
        (Assigner(permissions=1 << 3, above_role=True), True, None),  # Administrator
        (Assigner(permissions=0, above_role=False, is_owner=True), True, None),
        (Assigner(permissions=1 << 5, above_role=True), True, "invoker_no_manage_roles"),
        (Assigner(permissions=MANAGE_ROLES, above_role=False), True, "invoker_below_role"),
        (Assigner(permissions=1 << 3, above_role=False), True, "invoker_below_role"),
        (ADMIN, False, "bot_below_role"),
    ],
)
def test_the_invoker_must_be_able_to_assign_it_and_so_must_the_bot(
    assigner: Assigner, bot_above: bool, code: str | None
) -> None:
    refusal = ping_role_refusal(PLAIN, assigner, bot_above_role=bot_above)
    assert (refusal.code if refusal else None) == code


def test_everyone_and_managed_roles_come_first() -> None:
    owner = Assigner(permissions=0, above_role=True, is_owner=True)
    everyone = ping_role_refusal(RoleFacts(0, is_default=True), owner, True)
    managed = ping_role_refusal(RoleFacts(1 << 3, managed=True), owner, True)
    assert everyone is not None and everyone.code == "role_everyone"
    assert managed is not None and managed.code == "role_managed"


def test_setup_check_reports_an_elevated_ping_role() -> None:
    settings = GuildSettings(
        guild_id=1, channel_id=2, channel_kind="text", role_id=3, language="en", enabled=True
    )
    channel = ChannelState(exists=True, name="#u", view=True, send=True, embed_links=True)
    role = RoleState(
        exists=True,
        name="@fans",
        mentionable=True,
        below_bot=True,
        bot_manage_roles=True,
        elevated=("ban_members",),
    )
    findings = check_setup(settings, channel, role)
    assert [(f.code, f.severity) for f in findings] == [("role_elevated", "warning")]
    assert findings[0].params["permissions"] == "ban_members"
