"""/setup topics and /setup topic-role: the pieces that talk to Discord or build the answer.

Roles the bot creates carry **no permissions** (``Permissions.none()``), are mentionable (so
the post's ping notifies without Mention Everyone) and are named after the topic in the
server's language; Discord places a new role at the bottom, below the bot's own role, so the
bot can hand it out. Only an admin who could create roles themselves (Manage Roles) may ask.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord import app_commands

from bot.datapack.models import Topic
from bot.errors import UserFacingError
from bot.i18n.catalogue import Catalogue, Lang
from bot.production import repo_topics
from bot.production.models import Language
from bot.production.role_safety import ADMINISTRATOR, MANAGE_ROLES
from bot.production.topics import TopicMode, TopicRoles
from bot.services import Services

log = logging.getLogger(__name__)

AUTOCOMPLETE_MAX = 25  # Discord's limit on autocomplete choices


def name_in(topic: Topic, lang: Lang | Language) -> str:
    return topic.name.ko if lang == "ko" else topic.name.en


def find_topic(topics: Sequence[Topic], value: str) -> Topic | None:
    """The topic ``value`` names: its id (what autocomplete sends) or its name in either
    language (what a member may type without picking from the list)."""
    wanted = value.strip().casefold()
    for topic in topics:
        if wanted in (topic.id, topic.name.en.casefold(), topic.name.ko.casefold()):
            return topic
    return None


def topic_choices(
    topics: Sequence[Topic], current: str, lang: Lang
) -> list[app_commands.Choice[str]]:
    """Autocomplete: the topics whose id or name contains what was typed, in pack order."""
    typed = current.strip().casefold()
    return [
        app_commands.Choice(name=name_in(topic, lang), value=topic.id)
        for topic in topics
        if not typed
        or typed in topic.id
        or typed in topic.name.en.casefold()
        or typed in topic.name.ko.casefold()
    ][:AUTOCOMPLETE_MAX]


def mapping_text(texts: Catalogue, lang: Lang, topics: Sequence[Topic], roles: TopicRoles) -> str:
    """What each topic pings in this server, one line each in mode 'each'."""
    if roles.mode == "one":
        if roles.role_id is None:
            return texts.t(lang, "server_setup.topics_one_no_role")
        return texts.t(lang, "server_setup.topics_one", role=f"<@&{roles.role_id}>")
    lines = [texts.t(lang, "server_setup.topics_each")]
    for topic in topics:
        role_id = roles.per_topic.get(topic.id)
        if role_id is None:
            lines.append(texts.t(lang, "server_setup.topic_line_none", topic=name_in(topic, lang)))
        else:
            lines.append(
                texts.t(
                    lang,
                    "server_setup.topic_line",
                    topic=name_in(topic, lang),
                    role=f"<@&{role_id}>",
                )
            )
    return "\n".join(lines)


def check_may_create(guild: discord.Guild, member: discord.Member) -> None:
    """Creating roles through the bot needs what creating them by hand needs, and the bot
    needs Manage Roles; refused with the fix otherwise (nothing is asked of Discord)."""
    perms = member.guild_permissions.value
    if guild.owner_id != member.id and not perms & (MANAGE_ROLES | ADMINISTRATOR):
        raise UserFacingError("server_setup.create_needs_manage_roles")
    me = guild.me
    if me is None or not me.guild_permissions.manage_roles:
        raise UserFacingError("server_setup.create_bot_needs_manage_roles")


def topics_without_role(
    guild: discord.Guild, topics: Sequence[Topic], roles: TopicRoles
) -> list[Topic]:
    """Topics with no role in this server, or whose role was deleted."""
    return [
        topic
        for topic in topics
        if roles.per_topic.get(topic.id) is None
        or guild.get_role(roles.per_topic[topic.id]) is None
    ]


async def create_topic_roles(
    guild: discord.Guild, topics: Sequence[Topic], language: Language, texts: Catalogue
) -> tuple[dict[str, int], Topic | None]:
    """Create one plain role per topic: the ids of those created, and the topic whose role
    Discord refused (the caller saves what was created, so a retry creates only the rest)."""
    created: dict[str, int] = {}
    for topic in topics:
        try:
            role = await guild.create_role(
                name=name_in(topic, language),
                permissions=discord.Permissions.none(),
                mentionable=True,
                reason=texts.t(language, "server_setup.create_reason"),
            )
        except discord.HTTPException as error:
            log.warning(
                "could not create the role for topic %s in guild %s: %s", topic.id, guild.id, error
            )
            return created, topic
        created[topic.id] = role.id
    return created, None


async def save_topic_mode(
    services: Services,
    guild: discord.Guild,
    lang: Lang,
    *,
    mode: TopicMode,
    create: bool,
    language: Language,
    now: float,
) -> list[str]:
    """/setup topics: create the missing roles if asked, switch the mode; the answer's lines.

    The created roles are saved before the mode changes, and even when Discord refused a later
    one, so asking again creates only the rest.
    """
    texts, topics = services.texts, services.facts.pack.topics
    lines: list[str] = []
    if create:
        current = await repo_topics.get_topic_roles(services.db, guild.id) or TopicRoles()
        missing = topics_without_role(guild, topics, current)
        created, refused = await create_topic_roles(guild, missing, language, texts)
        if created:
            await repo_topics.set_topic_roles(
                services.db, guild.id, created, now, created_by_bot=True
            )
            lines.append(texts.plural(lang, "server_setup.topics_created", len(created)))
        if refused is not None:
            lines.append(texts.t(lang, "server_setup.create_failed", topic=name_in(refused, lang)))
    await repo_topics.set_topic_mode(services.db, guild.id, mode, now)
    roles = await repo_topics.get_topic_roles(services.db, guild.id) or TopicRoles()
    return [mapping_text(texts, lang, topics, roles), *lines]


async def save_topic_role(
    services: Services,
    guild: discord.Guild,
    lang: Lang,
    topic: Topic,
    role: discord.Role,
    *,
    now: float,
) -> str:
    """/setup topic-role (the role already passed the ping-role rules): the answer's lead."""
    texts = services.texts
    if not await repo_topics.set_topic_roles(services.db, guild.id, {topic.id: role.id}, now):
        raise UserFacingError("server_setup.not_set_up")
    roles = await repo_topics.get_topic_roles(services.db, guild.id) or TopicRoles()
    saved = texts.t(
        lang, "server_setup.topic_role_saved", topic=name_in(topic, lang), role=role.mention
    )
    return "\n\n".join([saved, mapping_text(texts, lang, services.facts.pack.topics, roles)])
