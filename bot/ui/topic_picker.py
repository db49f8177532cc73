"""The fan's choice of topics: /notify and the "Notify me" button open it, choosing applies it.

An ephemeral message with a multi-select (custom_id ``gh:topics``): one option per role the
server pings (``bot.production.topics.role_groups``), pre-filled with the roles the fan has,
plus "none". Choosing gives and takes away exactly those roles. It is a DynamicItem, so a
picker shown before a restart still works; the options carry topic ids, never role ids, and
the roles are looked up again on submit. Every role is checked before asking Discord (no
elevated permissions, the bot may assign it), at opening and again on submit, because a role
can gain permissions in between; a refused role is named, never changed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import discord

from bot.datapack.models import Topic
from bot.errors import UserFacingError
from bot.i18n.catalogue import Catalogue, Lang, lang_for
from bot.production import repo_settings
from bot.production.repo_topics import get_topic_roles
from bot.production.role_safety import elevated_refusal
from bot.production.topics import (
    NONE_VALUE,
    RoleGroup,
    chosen_groups,
    role_changes,
    role_groups,
)
from bot.render.limits import truncate
from bot.replies import NO_MENTIONS
from bot.ui.base import guarded, services_of
from bot.ui.roles import permission_names, role_facts

log = logging.getLogger(__name__)

PICKER_ID: Final = "gh:topics"
OPTION_TEXT_MAX: Final = 100  # Discord: select option label and description
AUDIT_REASON_ADD: Final = "/notify: chose topics to be pinged for"
AUDIT_REASON_REMOVE: Final = "/notify: stopped topics from pinging them"


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


def refusal_text(
    texts: Catalogue, lang: Lang, guild: discord.Guild, role: discord.Role
) -> str | None:
    """Why the bot won't give out or take away ``role`` now, or None when it may."""
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
    return None


@dataclass(frozen=True, slots=True)
class Choices:
    """The server's usable options now, and why the others can't be offered."""

    groups: list[RoleGroup]
    problems: list[str]


def topic_name(topics: Sequence[Topic], topic_id: str, lang: Lang) -> str:
    for topic in topics:
        if topic.id == topic_id:
            return topic.name.ko if lang == "ko" else topic.name.en
    return topic_id


def _topics_text(topics: Sequence[Topic], group: RoleGroup, lang: Lang) -> str:
    return " · ".join(topic_name(topics, t, lang) for t in group.topics)


async def _choices(
    interaction: discord.Interaction[Any], guild: discord.Guild, lang: Lang
) -> Choices:
    """The groups whose role exists and may be handed out; an answer when there are none."""
    services = services_of(interaction)
    texts, topics = services.texts, services.facts.pack.topics
    settings = await repo_settings.get_guild_settings(services.db, guild.id)
    roles = None
    if settings is not None and settings.enabled:
        roles = await get_topic_roles(services.db, guild.id)
    groups = [] if roles is None else role_groups([t.id for t in topics], roles)
    if not groups:
        raise UserFacingError("pings.no_role")
    usable: list[RoleGroup] = []
    problems: list[str] = []
    for group in groups:
        role = guild.get_role(group.role_id)
        if role is None:
            problems.append(texts.t(lang, "pings.role_missing"))
            continue
        problem = refusal_text(texts, lang, guild, role)
        if problem is None:
            usable.append(group)
        else:
            problems.append(problem)
    return Choices(usable, list(dict.fromkeys(problems)))


def picker_view(
    texts: Catalogue,
    lang: Lang,
    topics: Sequence[Topic],
    groups: Sequence[RoleGroup],
    member_roles: Sequence[int],
) -> discord.ui.View:
    """The select, pre-filled with the options whose role the fan has (else "none")."""
    chosen = {g.value for g in chosen_groups(groups, member_roles)}
    options: list[discord.SelectOption] = []
    for group in groups:
        if len(group.topics) == len(topics) and len(topics) > 1:
            label = texts.t(lang, "pings.every_topic")
            description = _topics_text(topics, group, lang)
        elif len(group.topics) == 1:
            label = topic_name(topics, group.value, lang)
            description = next(
                (t.description.ko if lang == "ko" else t.description.en)
                for t in topics
                if t.id == group.value
            )
        else:
            label = _topics_text(topics, group, lang)
            description = texts.t(lang, "pings.shared_role")
        options.append(
            discord.SelectOption(
                label=truncate(label, OPTION_TEXT_MAX),
                value=group.value,
                description=truncate(description, OPTION_TEXT_MAX),
                default=group.value in chosen,
            )
        )
    options.append(
        discord.SelectOption(
            label=texts.t(lang, "pings.none_option"),
            value=NONE_VALUE,
            description=texts.t(lang, "pings.none_description"),
            default=not chosen,
        )
    )
    view = discord.ui.View(timeout=None)
    view.add_item(TopicSelect(texts.t(lang, "pings.placeholder"), options))
    return view


async def open_topic_picker(interaction: discord.Interaction[Any]) -> None:
    """/notify and the "Notify me" button: show the fan the topics they can choose."""
    guild, member = interaction.guild, interaction.user
    if guild is None or not isinstance(member, discord.Member):
        raise UserFacingError("error.not_in_guild")
    # Acknowledged first: the settings may wait on another process's write lock.
    await interaction.response.defer(ephemeral=True, thinking=True)
    services, lang = services_of(interaction), lang_for(str(interaction.locale))
    texts = services.texts
    choices = await _choices(interaction, guild, lang)
    if not choices.groups:  # nothing the bot may hand out: say why, ask Discord nothing
        await interaction.followup.send(
            "\n".join(choices.problems), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return
    lines = [texts.t(lang, "pings.choose"), *choices.problems]
    view = picker_view(
        texts, lang, services.facts.pack.topics, choices.groups, [r.id for r in member.roles]
    )
    await interaction.followup.send(
        "\n".join(lines), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
    )


async def apply_topic_choice(interaction: discord.Interaction[Any], values: Sequence[str]) -> None:
    """Give and take away the roles of the chosen topics, then show the picker again."""
    guild, member = interaction.guild, interaction.user
    if guild is None or not isinstance(member, discord.Member):
        raise UserFacingError("error.not_in_guild")
    await interaction.response.defer()  # edits the picker in place when done
    services, lang = services_of(interaction), lang_for(str(interaction.locale))
    texts, topics = services.texts, services.facts.pack.topics
    choices = await _choices(interaction, guild, lang)
    had = {r.id for r in member.roles}
    changes = role_changes(choices.groups, values, had)
    problems = list(choices.problems)
    now = set(had)
    for role_id, adding in [(r, True) for r in changes.add] + [(r, False) for r in changes.remove]:
        role = guild.get_role(role_id)
        if role is None:
            continue
        problem = refusal_text(texts, lang, guild, role)
        if problem is None:
            problem = await _change(member, role, adding=adding, texts=texts, lang=lang)
        if problem is not None:
            problems.append(problem)
        elif adding:
            now.add(role_id)
        else:
            now.discard(role_id)
    on = chosen_groups(choices.groups, now)
    if on:
        lead = texts.t(
            lang,
            "pings.topics_on",
            topics=", ".join(_topics_text(topics, g, lang) for g in on),
            roles=" ".join(f"<@&{g.role_id}>" for g in on),
        )
    else:
        lead = texts.t(lang, "pings.removed")
    view = picker_view(texts, lang, topics, choices.groups, sorted(now))
    await interaction.edit_original_response(
        content="\n".join([lead, *dict.fromkeys(problems)]),
        view=view,
        allowed_mentions=NO_MENTIONS,
    )


async def _change(
    member: discord.Member, role: discord.Role, *, adding: bool, texts: Catalogue, lang: Lang
) -> str | None:
    try:
        if adding:
            await member.add_roles(role, reason=AUDIT_REASON_ADD)
        else:
            await member.remove_roles(role, reason=AUDIT_REASON_REMOVE)
    except discord.Forbidden:
        return texts.t(lang, "pings.cannot_assign", role=role.mention)
    except discord.HTTPException:
        log.warning("could not change role %s of %s in %s", role.id, member.id, member.guild.id)
        return texts.t(lang, "pings.failed")
    return None


class TopicSelect(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=re.escape(PICKER_ID),
):
    """The multi-select of the picker (works across restarts: nothing is kept per message)."""

    def __init__(
        self, placeholder: str = "", options: list[discord.SelectOption] | None = None
    ) -> None:
        options = options or [discord.SelectOption(label="-", value=NONE_VALUE)]
        super().__init__(
            discord.ui.Select(
                custom_id=PICKER_ID,
                placeholder=placeholder or None,
                min_values=1,
                max_values=len(options),
                options=options,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> TopicSelect:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        values = list(self.item.values)

        async def apply(inner: discord.Interaction[Any]) -> None:
            await apply_topic_choice(inner, values)

        await guarded(interaction, apply)
