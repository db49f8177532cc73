"""Opting in to the server's update pings: the /notify toggle and the button on every post.

The button on delivered posts has the custom_id ``gh:notify:<update id>:<revision>`` (older
posts: plain ``gh:notify``) and is a :class:`discord.ui.DynamicItem`, so posts sent before a
restart (or by another process) keep working: nothing is stored per message. The suffix only
lets the delivery worker recognise its own copy in a channel (``compose.delivery_marker``).
The role comes from the server's *current* settings, not from the post. Permissions and the
role hierarchy are checked before asking Discord, so a misconfigured server costs no refused
requests (they count towards Discord's ban limit).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

import discord

from bot.errors import UserFacingError
from bot.i18n.catalogue import lang_for
from bot.production import repository as repo
from bot.production.compose import NOTIFY_BUTTON_ID
from bot.production.discord_transport import NOTIFY_BUTTON_LABEL
from bot.production.models import Language
from bot.production.role_safety import elevated_refusal
from bot.replies import NO_MENTIONS
from bot.ui.base import guarded, services_of
from bot.ui.roles import permission_names, role_facts

log = logging.getLogger(__name__)

AUDIT_REASON_ADD: Final = "/notify: opted in to update pings"
AUDIT_REASON_REMOVE: Final = "/notify: opted out of update pings"


def can_assign(guild: discord.Guild, role: discord.Role) -> bool:
    """The bot may give ``role`` out: Manage Roles, and its top role above ``role``."""
    me = guild.me
    return (
        me is not None
        and not role.managed
        and not role.is_default()
        and me.guild_permissions.manage_roles
        and me.top_role > role
    )


async def toggle_ping_role(interaction: discord.Interaction[Any]) -> None:
    """Give the member the server's ping role, or take it away if they have it.

    Acknowledged first: reading the settings may wait on the database (another process can
    hold the write lock for the busy timeout), and Discord wants an answer within 3 s.
    """
    guild, member = interaction.guild, interaction.user
    if guild is None or not isinstance(member, discord.Member):
        raise UserFacingError("error.not_in_guild")
    await interaction.response.defer(ephemeral=True, thinking=True)
    text = await _toggle(interaction, guild, member)
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def _toggle(
    interaction: discord.Interaction[Any], guild: discord.Guild, member: discord.Member
) -> str:
    """Change the member's roles if it is safe; the answer to show them."""
    services = services_of(interaction)
    texts, lang = services.texts, lang_for(str(interaction.locale))
    settings = await repo.get_guild_settings(services.db, guild.id)
    if settings is None or not settings.enabled or settings.role_id is None:
        return texts.t(lang, "pings.no_role")
    role = guild.get_role(settings.role_id)
    if role is None:
        return texts.t(lang, "pings.role_missing")
    # Checked at every click: the role may have gained permissions since /setup chose it.
    elevated = elevated_refusal(role_facts(guild, role))
    if elevated is not None:
        log.warning(
            "refused to hand out elevated ping role %s in guild %s (%s)",
            role.id,
            guild.id,
            ",".join(elevated.permissions),
        )
        names = permission_names(texts, lang, elevated.permissions)
        return texts.t(lang, "pings.role_elevated", role=role.mention, permissions=names)
    if not can_assign(guild, role):
        return texts.t(lang, "pings.cannot_assign", role=role.mention)
    had_role = member.get_role(role.id) is not None
    try:
        if had_role:
            await member.remove_roles(role, reason=AUDIT_REASON_REMOVE)
        else:
            await member.add_roles(role, reason=AUDIT_REASON_ADD)
    except discord.Forbidden:
        return texts.t(lang, "pings.cannot_assign", role=role.mention)
    except discord.HTTPException:
        log.warning("could not change role %s of %s in %s", role.id, member.id, guild.id)
        return texts.t(lang, "pings.failed")
    if had_role:
        return texts.t(lang, "pings.removed")
    return texts.t(lang, "pings.added", role=role.mention)


class NotifyButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.escape(NOTIFY_BUTTON_ID) + r"(?::[0-9]{1,19}:[0-9]{1,9})?",
):
    """'Notify me / Stop notifying' under every delivered update."""

    def __init__(self, language: Language = "en", custom_id: str = NOTIFY_BUTTON_ID) -> None:
        super().__init__(
            discord.ui.Button(
                label=NOTIFY_BUTTON_LABEL[language],
                emoji="🔔",
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> NotifyButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, toggle_ping_role)


def notify_view(language: Language, custom_id: str = NOTIFY_BUTTON_ID) -> discord.ui.View:
    """The view the delivery transport attaches to each post (``custom_id``: its marker)."""
    view = discord.ui.View(timeout=None)
    view.add_item(NotifyButton(language, custom_id))
    return view
