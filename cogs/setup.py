"""/setup announcements · language · check · off, for server admins (Manage Server).

``default_member_permissions`` (Manage Server) only hides the commands in the client, and
server admins can change that, so every handler checks the invoker's permissions again.

Telling admins that posts stopped (a 403/404 marked the server as needing attention): the
notice waits in the database until someone *with Manage Server* finishes a command in that
server; they get it as an extra ephemeral follow-up, once. Fans' commands never look at it or
use it up, so nothing leaks to them, and a failed command leaves it for the next one.
``/setup check`` shows the same problem with its fix, and ``/setup announcements`` clears it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.exc import DBAPIError

from bot.errors import UserFacingError
from bot.i18n.catalogue import Catalogue, Lang, lang_for
from bot.i18n.translator import command_text
from bot.production import repo_settings, repo_topics
from bot.production.models import GuildSettings, Language
from bot.production.role_safety import RoleRefusal, elevated_refusal, ping_role_refusal
from bot.production.setup_check import (
    ChannelState,
    RoleState,
    SetupFinding,
    TopicRoleState,
    can_resume,
    check_setup,
)
from bot.production.topics import TopicMode, TopicRoles
from bot.render.limits import truncate
from bot.replies import NO_MENTIONS
from bot.store.database import StoreError
from bot.ui.roles import bot_above, member_assigner, permission_names, role_facts
from bot.ui.topic_setup import (
    check_may_create,
    find_topic,
    mapping_text,
    name_in,
    save_topic_mode,
    save_topic_role,
    topic_choices,
)

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

log = logging.getLogger(__name__)

# The commands that show or clear the attention notice themselves.
HANDLES_NOTICE: Final = frozenset({"setup check", "setup announcements"})
CHECK_COLOUR: Final = {True: 0x2ECC71, False: 0xE67E22}
ERROR_SHOWN_MAX: Final = 300
# Why a ping role was refused → the catalogue text that says so and what to do.
ROLE_REFUSAL_KEY: Final = {
    "role_everyone": "server_setup.role_everyone",
    "role_managed": "server_setup.role_managed",
    "role_elevated": "server_setup.role_elevated",
    "invoker_no_manage_roles": "server_setup.role_needs_manage_roles",
    "invoker_below_role": "server_setup.role_above_you",
    "bot_below_role": "server_setup.role_bot_below",
}

MODE_CHOICES: Final = [
    app_commands.Choice(
        name=command_text("One role for every topic", "cmd.setup.choice.one"), value="one"
    ),
    app_commands.Choice(
        name=command_text("A role for each topic", "cmd.setup.choice.each"), value="each"
    ),
]
LANGUAGE_CHOICES: Final = [
    app_commands.Choice(name=command_text("English", "cmd.setup.choice.en"), value="en"),
    app_commands.Choice(name=command_text("한국어", "cmd.setup.choice.ko"), value="ko"),
]


def channel_state(guild: discord.Guild, channel_id: int) -> ChannelState:
    """The configured channel and the bot's permissions there, from the cache."""
    channel = guild.get_channel(channel_id)
    me = guild.me
    if not isinstance(channel, discord.TextChannel) or me is None:
        return ChannelState(exists=False)
    perms = channel.permissions_for(me)
    return ChannelState(
        exists=True,
        name=channel.mention,
        kind="announcement" if channel.is_news() else "text",
        view=perms.view_channel,
        send=perms.send_messages,
        embed_links=perms.embed_links,
        manage_messages=perms.manage_messages,
        mention_everyone=perms.mention_everyone,
        read_history=perms.read_message_history,
    )


def role_state(guild: discord.Guild, role_id: int | None) -> RoleState | None:
    if role_id is None:
        return None
    role = guild.get_role(role_id)
    me = guild.me
    if role is None or me is None:
        return RoleState(exists=False)
    refusal = elevated_refusal(role_facts(guild, role))
    return RoleState(
        exists=True,
        name=role.mention,
        mentionable=role.mentionable,
        below_bot=me.top_role > role,
        bot_manage_roles=me.guild_permissions.manage_roles,
        elevated=() if refusal is None else refusal.permissions,
    )


def role_refusal_error(
    texts: Catalogue, lang: Lang, role: discord.Role, refusal: RoleRefusal
) -> UserFacingError:
    return UserFacingError(
        ROLE_REFUSAL_KEY[refusal.code],
        role=role.mention,
        permissions=permission_names(texts, lang, refusal.permissions),
    )


def language_name(texts: Catalogue, lang: Lang, language: Language) -> str:
    return texts.t(lang, f"language_in_text.{language}")


def findings_text(texts: Catalogue, lang: Lang, findings: list[SetupFinding]) -> str:
    lines: list[str] = []
    for finding in findings:
        params = dict(finding.params)
        if "permissions" in params:  # permission names, in the reader's language
            names = tuple(params["permissions"].split(","))
            params["permissions"] = permission_names(texts, lang, names)
        line = texts.t(lang, f"server_setup.finding.{finding.code}", **params)
        if "topic" in params and finding.code != "topic_no_role":  # whose role it is
            line = texts.t(lang, "server_setup.for_topic", topic=params["topic"], finding=line)
        lines.append(line)
        fix = texts.t(lang, f"server_setup.fixes.{finding.code}", **params)
        lines.append(texts.t(lang, "server_setup.fix", fix=fix))
    return "\n".join(lines)


def last_delivery_text(texts: Catalogue, lang: Lang, settings: GuildSettings | None) -> str:
    if settings is None or settings.last_delivery_update_id is None:
        return texts.t(lang, "server_setup.last_none")
    when = f"<t:{int(settings.last_delivery_at or 0)}:R>"  # '3 hours ago', in the reader's zone
    if settings.last_delivery_status == "failed":
        return texts.t(
            lang,
            "server_setup.last_failed",
            id=settings.last_delivery_update_id,
            when=when,
            error=truncate(settings.last_delivery_error or "?", ERROR_SHOWN_MAX),
        )
    return texts.t(lang, "server_setup.last_sent", id=settings.last_delivery_update_id, when=when)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SetupCog(
    commands.GroupCog,
    name="Setup",
    group_name="setup",
    group_description=command_text(
        "Set up update posts for this server (admins)", "cmd.setup.description"
    ),
):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def now(self) -> float:
        return self.bot.services.delivery.clock()

    @staticmethod
    def _admin_guild(interaction: discord.Interaction[GoldenHourBot]) -> discord.Guild:
        """The guild, if the invoker may manage it (checked here: Discord's check is a hint)."""
        guild = interaction.guild
        if guild is None:
            raise UserFacingError("error.not_in_guild")
        if not interaction.permissions.manage_guild:
            raise UserFacingError("server_setup.needs_manage_server")
        return guild

    async def _check_embed(
        self, guild: discord.Guild, lang: Lang, *, title_key: str, lead: str | None = None
    ) -> discord.Embed:
        """The full check; a server flagged after a refused post resumes once it passes."""
        services = self.bot.services
        texts = services.texts
        settings = await repo_settings.get_guild_settings(services.db, guild.id)
        channel = None if settings is None else channel_state(guild, settings.channel_id)
        role = None if settings is None else role_state(guild, settings.role_id)
        topics = None
        if settings is not None and settings.topic_roles == "each":
            topics = await self._topic_states(guild, lang)
        findings = check_setup(settings, channel, role, topics)
        lines = [lead] if lead else []
        if settings is not None and can_resume(settings, findings):
            await repo_settings.save_guild_settings(
                services.db,
                guild_id=guild.id,
                channel_id=settings.channel_id,
                channel_kind=channel.kind if channel is not None else settings.channel_kind,
                role_id=settings.role_id,
                language=settings.language,
                now=self.now,
            )
            lines.append(texts.t(lang, "server_setup.resumed"))
        elif settings is not None and not any(f.severity != "info" for f in findings):
            channel_mention = f"<#{settings.channel_id}>"
            lines.append(texts.t(lang, "server_setup.all_good", channel=channel_mention))
        if findings:
            lines.append(findings_text(texts, lang, findings))
        if settings is not None and settings.needs_attention:
            # Shown here in full, so the notice is not repeated after another command.
            await repo_settings.take_attention_notice(services.db, guild.id, self.now)
        embed = discord.Embed(
            title=texts.t(lang, title_key),
            description="\n\n".join(lines),
            colour=CHECK_COLOUR[not any(f.blocking for f in findings)],
        )
        embed.add_field(
            name=texts.t(lang, "server_setup.last_delivery"),
            value=last_delivery_text(texts, lang, settings),
            inline=False,
        )
        return embed

    async def _topic_states(self, guild: discord.Guild, lang: Lang) -> list[TopicRoleState]:
        services = self.bot.services
        roles = await repo_topics.get_topic_roles(services.db, guild.id) or TopicRoles()
        states: list[TopicRoleState] = []
        for topic in services.facts.pack.topics:
            role_id = roles.per_topic.get(topic.id)
            states.append(TopicRoleState(name_in(topic, lang), role_id, role_state(guild, role_id)))
        return states

    @app_commands.command(
        name="announcements",
        description=command_text(
            "Choose the channel and ping role for updates", "cmd.setup.announcements"
        ),
    )
    @app_commands.describe(
        channel=command_text(
            "Where update posts go (a text or announcement channel)", "cmd.setup.opt.channel"
        ),
        role=command_text(
            "The role to ping; fans opt in with /notify (leave empty for no ping)",
            "cmd.setup.opt.role",
        ),
    )
    async def announcements(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        channel: discord.TextChannel,
        role: discord.Role | None = None,
    ) -> None:
        guild = self._admin_guild(interaction)
        services, lang = self.bot.services, lang_for(str(interaction.locale))
        texts = services.texts
        if role is not None:
            self._check_ping_role(interaction, guild, role, lang)
        # Saving may wait for another process's write lock (up to the busy timeout): answer
        # within Discord's 3 s first, then report the outcome.
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await repo_settings.save_guild_settings(
            services.db,
            guild_id=guild.id,
            channel_id=channel.id,
            channel_kind="announcement" if channel.is_news() else "text",
            role_id=role.id if role is not None else None,
            language=None,  # keep the server's language (English for a new server)
            now=self.now,
        )
        language = language_name(texts, lang, settings.language)
        if role is not None and settings.topic_roles == "each":
            # The role chosen here pings for every topic again; the per-topic roles are kept
            # for /setup topics mode:each.
            await repo_topics.set_topic_mode(services.db, guild.id, "one", self.now)
        if role is None and settings.topic_roles == "each":
            roles = await repo_topics.get_topic_roles(services.db, guild.id) or TopicRoles()
            lead = "\n".join(
                [
                    texts.t(
                        lang,
                        "server_setup.saved_topics",
                        channel=channel.mention,
                        language=language,
                    ),
                    mapping_text(texts, lang, services.facts.pack.topics, roles),
                ]
            )
        elif role is None:
            lead = texts.t(
                lang, "server_setup.saved_no_ping", channel=channel.mention, language=language
            )
        else:
            lead = texts.t(
                lang,
                "server_setup.saved_ping",
                channel=channel.mention,
                language=language,
                role=role.mention,
            )
        embed = await self._check_embed(
            guild, lang, title_key="server_setup.saved_title", lead=lead
        )
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    def _check_ping_role(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        guild: discord.Guild,
        role: discord.Role,
        lang: Lang,
    ) -> None:
        """Refuse a role the invoker couldn't give out, or one that grants anything elevated:
        anyone can take the ping role with /notify."""
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise UserFacingError("error.not_in_guild")
        refusal = ping_role_refusal(
            role_facts(guild, role), member_assigner(guild, member, role), bot_above(guild, role)
        )
        if refusal is not None:
            log.info("refused ping role %s in guild %s: %s", role.id, guild.id, refusal.code)
            raise role_refusal_error(self.bot.services.texts, lang, role, refusal)

    # ------------------------------------------------------------------ topics

    @app_commands.command(
        name="topics",
        description=command_text(
            "Ping one role for every topic, or a role for each topic", "cmd.setup.topics"
        ),
    )
    @app_commands.describe(
        mode=command_text(
            "One role for every topic, or a role for each topic", "cmd.setup.opt.mode"
        ),
        create=command_text(
            "Create a role for each topic that has none (no permissions, mentionable)",
            "cmd.setup.opt.create",
        ),
    )
    @app_commands.choices(mode=MODE_CHOICES)
    async def topics(
        self, interaction: discord.Interaction[GoldenHourBot], mode: str, create: bool = False
    ) -> None:
        guild = self._admin_guild(interaction)
        services, lang = self.bot.services, lang_for(str(interaction.locale))
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise UserFacingError("error.not_in_guild")
        chosen: TopicMode = "each" if mode == "each" else "one"
        if create and chosen != "each":
            raise UserFacingError("server_setup.create_each_only")
        if create:
            check_may_create(guild, member)  # before Discord is asked anything
        await interaction.response.defer(ephemeral=True, thinking=True)  # writes may wait
        settings = await repo_settings.get_guild_settings(services.db, guild.id)
        if settings is None:
            raise UserFacingError("server_setup.not_set_up")
        lines = await save_topic_mode(
            services, guild, lang, mode=chosen, create=create, language=settings.language,
            now=self.now,
        )  # fmt: skip
        embed = await self._check_embed(
            guild, lang, title_key="server_setup.saved_title", lead="\n\n".join(lines)
        )
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(
        name="topic-role",
        description=command_text("Choose the role a topic pings", "cmd.setup.topic_role"),
    )
    @app_commands.describe(
        topic=command_text("The topic", "cmd.setup.opt.topic"),
        role=command_text(
            "The role fans get for this topic with /notify", "cmd.setup.opt.topic_role"
        ),
    )
    async def topic_role(
        self, interaction: discord.Interaction[GoldenHourBot], topic: str, role: discord.Role
    ) -> None:
        guild = self._admin_guild(interaction)
        services, lang = self.bot.services, lang_for(str(interaction.locale))
        found = find_topic(services.facts.pack.topics, topic)
        if found is None:
            raise UserFacingError("server_setup.topic_unknown", topic=topic)
        # The same rules as the single ping role: anyone can take it with /notify.
        self._check_ping_role(interaction, guild, role, lang)
        await interaction.response.defer(ephemeral=True, thinking=True)  # the write may wait
        lead = await save_topic_role(services, guild, lang, found, role, now=self.now)
        embed = await self._check_embed(
            guild, lang, title_key="server_setup.saved_title", lead=lead
        )
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @topic_role.autocomplete("topic")
    async def _topic_autocomplete(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[str]]:
        lang = lang_for(str(interaction.locale))
        return topic_choices(self.bot.services.facts.pack.topics, current, lang)

    @app_commands.command(
        name="language",
        description=command_text("Choose the language of update posts", "cmd.setup.language"),
    )
    @app_commands.describe(
        language=command_text("Language of the posts in this server", "cmd.setup.opt.language")
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def language(
        self, interaction: discord.Interaction[GoldenHourBot], language: str
    ) -> None:
        guild = self._admin_guild(interaction)
        services, lang = self.bot.services, lang_for(str(interaction.locale))
        chosen: Language = "ko" if language == "ko" else "en"
        await interaction.response.defer(ephemeral=True, thinking=True)  # the write may wait
        if not await repo_settings.set_guild_language(services.db, guild.id, chosen, self.now):
            raise UserFacingError("server_setup.not_set_up")
        text = services.texts.t(
            lang,
            "server_setup.language_saved",
            language=language_name(services.texts, lang, chosen),
        )
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(
        name="check",
        description=command_text(
            "Check permissions and settings for update posts", "cmd.setup.check"
        ),
    )
    async def check(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        guild = self._admin_guild(interaction)
        lang = lang_for(str(interaction.locale))
        await interaction.response.defer(ephemeral=True, thinking=True)  # it may write (resume)
        embed = await self._check_embed(guild, lang, title_key="server_setup.check_title")
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(
        name="off",
        description=command_text("Stop update posts in this server", "cmd.setup.off"),
    )
    async def off(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        guild = self._admin_guild(interaction)
        services, lang = self.bot.services, lang_for(str(interaction.locale))
        texts = services.texts
        await interaction.response.defer(ephemeral=True, thinking=True)  # the write may wait
        if await repo_settings.get_guild_settings(services.db, guild.id) is None:
            raise UserFacingError("server_setup.not_set_up")
        cancelled = await repo_settings.switch_off_guild(services.db, guild.id, self.now)
        lines = [texts.t(lang, "server_setup.off_done")]
        if cancelled:
            lines.append(texts.plural(lang, "server_setup.off_cancelled", cancelled))
        await interaction.followup.send(
            "\n".join(lines), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    # ------------------------------------------------------------------ leaving a server

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Kicked or banned (GUILD_DELETE, not an outage): unsubscribe the server now, instead
        of learning it from the next send that fails."""
        try:
            skipped = await repo_settings.unsubscribe_left_guild(
                self.bot.services.db, guild.id, self.now
            )
        except (StoreError, DBAPIError) as error:
            log.warning(
                "left guild %s but could not unsubscribe it (%s): its next post will fail "
                "and flag it instead",
                guild.id,
                error,
            )
            return
        if skipped is not None:
            log.info("left guild %s: unsubscribed, %d queued jobs skipped", guild.id, skipped)

    # ------------------------------------------------------------------ the attention notice

    @commands.Cog.listener()
    async def on_app_command_completion(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        command: app_commands.Command[commands.GroupCog, ..., None] | app_commands.ContextMenu,
    ) -> None:
        """After an admin's command: tell them once if posts stopped reaching this server."""
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            return  # fans are never told (nor is the notice used up by them)
        if command.qualified_name in HANDLES_NOTICE:
            return
        services = self.bot.services
        settings = await repo_settings.take_attention_notice(
            services.db, interaction.guild_id, self.now
        )
        if settings is None:
            return
        lang = lang_for(str(interaction.locale))
        text = services.texts.t(
            lang, "server_setup.attention_notice", reason=settings.attention_reason or "?"
        )
        try:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("could not tell guild %s that posts stopped", interaction.guild_id)


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(SetupCog(bot))
