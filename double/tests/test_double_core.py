"""The double runs a bare discord.py bot end to end: login, READY, command sync, slash
commands with options and subcommands, autocomplete, buttons, selects, modals, deferred
answers with follow-ups and `@original` edits, channel messages, crossposts and roles."""

from __future__ import annotations

import io
from dataclasses import dataclass

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord_double import (
    Channel,
    CommandNotRegistered,
    DiscordDouble,
    DoubleUsageError,
    Guild,
    InteractionResult,
    Message,
    Permission,
    Role,
)
from discord_double.client_runner import run_client

CAST = ["Baek Kang-hyuk", "Yang Jae-won", "Cheon Jang-mi", "Han Yu-rim"]


class PanelView(discord.ui.View):
    @discord.ui.button(label="Ping", custom_id="panel:ping")
    async def ping(
        self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]
    ) -> None:
        await interaction.response.edit_message(content="pong", view=self)

    @discord.ui.select(
        custom_id="panel:pick",
        options=[discord.SelectOption(label=x, value=x) for x in ("a", "b", "c")],
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[PanelView]
    ) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}", ephemeral=True)

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="panel:who")
    async def who(
        self, interaction: discord.Interaction, select: discord.ui.UserSelect[PanelView]
    ) -> None:
        await interaction.response.send_message(f"chose {select.values[0].name}")

    @discord.ui.button(label="Form", custom_id="panel:form")
    async def form(
        self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]
    ) -> None:
        await interaction.response.send_modal(NoteModal())


class NoteModal(discord.ui.Modal, title="Leave a note"):
    note: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
        label="Note", custom_id="note", max_length=50
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.note.value}")


class Demo(commands.Cog):
    setup = app_commands.Group(name="setup", description="Server setup")

    @app_commands.command(description="Repeat some text")
    @app_commands.describe(text="What to say", times="How often")
    async def echo(
        self, interaction: discord.Interaction, text: str, times: app_commands.Range[int, 1, 3] = 1
    ) -> None:
        await interaction.response.send_message(" ".join([text] * times))

    @setup.command(name="announcements", description="Where announcements go")
    async def setup_announcements(
        self, interaction: discord.Interaction, channel: discord.TextChannel, role: discord.Role
    ) -> None:
        await interaction.response.send_message(f"{channel.name} / {role.name}", ephemeral=True)

    @app_commands.command(description="Who is that")
    async def whois(self, interaction: discord.Interaction, user: discord.Member) -> None:
        await interaction.response.send_message(f"{user.name} in {user.guild.name}")

    @app_commands.command(description="Look up a cast member")
    async def cast(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(
            embed=discord.Embed(title=name, description="Trauma team")
        )

    @cast.autocomplete("name")
    async def cast_name(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        hits = [n for n in CAST if current.lower() in n.lower()]
        return [app_commands.Choice(name=n, value=n) for n in hits][:25]

    @app_commands.command(description="Buttons and menus")
    async def panel(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("panel", view=PanelView(timeout=None))

    @app_commands.command(description="Takes a while")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.followup.send("first")
        await interaction.followup.send("second")
        await interaction.edit_original_response(content="first, edited")

    @app_commands.command(description="Post, edit and delete in a channel")
    async def post(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        await interaction.response.defer(ephemeral=True)
        kept = await channel.send("kept")
        await kept.edit(content="kept, edited")
        gone = await channel.send("gone")
        await gone.delete()
        await interaction.followup.send("posted")

    @app_commands.command(description="Announce and publish")
    async def publish(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        message = await channel.send("episode 3 is out")
        await message.publish()
        await interaction.response.send_message("published", ephemeral=True)

    @app_commands.command(description="Give and take a role")
    async def grant(
        self, interaction: discord.Interaction, member: discord.Member, role: discord.Role
    ) -> None:
        await member.add_roles(role)
        await interaction.response.send_message(f"gave {role.name}")

    @app_commands.command(description="Take a role")
    async def revoke(
        self, interaction: discord.Interaction, member: discord.Member, role: discord.Role
    ) -> None:
        await member.remove_roles(role)
        await interaction.response.send_message(f"took {role.name}")

    @app_commands.command(description="Send a file")
    async def upload(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "notes attached", file=discord.File(io.BytesIO(b"episode notes"), filename="notes.txt")
        )

    @app_commands.command(description="Which language")
    async def lang(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"{interaction.locale.value} {interaction.guild_locale}"
        )

    @app_commands.command(description="Admins only")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def admin(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("admin ok")

    @admin.error
    async def admin_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await interaction.response.send_message("not allowed", ephemeral=True)


class DemoBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default())

    async def setup_hook(self) -> None:
        await self.add_cog(Demo())


@dataclass
class World:
    guild: Guild
    general: Channel
    news: Channel
    fans: Role


@pytest.fixture
async def world(double: DiscordDouble) -> World:
    guild = double.add_guild("Trauma Code Fans", locale="ko")
    return World(
        guild=guild,
        general=double.add_channel(guild, "general"),
        news=double.add_channel(guild, "news", "announcement"),
        fans=double.add_role(guild, "fans", mentionable=True),
    )


def _reply(result: InteractionResult) -> Message:
    assert result.message is not None, "the bot did not answer with a message"
    return result.message


async def test_ready_gives_the_bot_its_guilds_channels_and_roles(
    double: DiscordDouble, world: World
) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        guild = bot.get_guild(world.guild.id)
        assert guild is not None and guild.name == "Trauma Code Fans"
        assert {c.name for c in guild.text_channels} == {"general", "news"}
        news = guild.get_channel(world.news.id)
        assert isinstance(news, discord.TextChannel) and news.is_news()
        assert "fans" in {r.name for r in guild.roles}
        assert guild.me is not None and guild.me.id == double.bot_user.id
        assert guild.me.guild_permissions.send_messages
        assert bot.user is not None and bot.user.id == double.bot_user.id


async def test_wrong_token_fails_login(double: DiscordDouble) -> None:
    bot = DemoBot()
    with pytest.raises(discord.LoginFailure):
        async with run_client(bot, double, token="not-the-token"):
            pass
    assert double.take_violations()[0].status == 401


async def test_sync_registers_commands_with_ids(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        synced = await bot.tree.sync()
        registered = {c.name: c for c in double.commands()}
        assert {c.name for c in synced} == set(registered)
        assert {c.id for c in synced} == {c.id for c in registered.values()}
        again = await bot.tree.sync()
        assert {c.id for c in again} == {c.id for c in synced}, "ids survive a re-sync"


async def test_invoking_an_unsynced_command_raises(double: DiscordDouble, world: World) -> None:
    async with run_client(DemoBot(), double):
        with pytest.raises(CommandNotRegistered, match="sync"):
            await double.invoke("echo", {"text": "hi"}, channel=world.general)


async def test_slash_command_with_options(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("echo", {"text": "hi", "times": 3}, channel=world.general)
        assert res.response_type == 4
        assert res.content == "hi hi hi"
        assert not res.ephemeral
        assert res.latency is not None and res.latency >= 0
        assert res.message in double.messages(world.general)
        with pytest.raises(DoubleUsageError, match="within"):
            await double.invoke("echo", {"text": "hi", "times": 9}, channel=world.general)
        with pytest.raises(DoubleUsageError, match="required"):
            await double.invoke("echo", {}, channel=world.general)


async def test_guild_sync_and_subcommand_with_resolved_channel_and_role(
    double: DiscordDouble, world: World
) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        target = discord.Object(world.guild.id)
        bot.tree.copy_global_to(guild=target)
        await bot.tree.sync(guild=target)
        assert {c.name for c in double.commands(world.guild)} >= {"setup", "echo"}
        res = await double.invoke(
            "setup announcements",
            {"channel": world.news, "role": world.fans},
            channel=world.general,
        )
        assert res.content == "news / fans"
        assert res.ephemeral
        assert res.message not in double.messages(world.general)


async def test_user_option_resolves_member(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    someone = double.add_member(world.guild, "jangmi")
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("whois", {"user": someone}, channel=world.general)
        assert res.content == "jangmi in Trauma Code Fans"


async def test_locale_and_guild_locale_reach_the_bot(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("lang", channel=world.general, locale="ko")
        assert res.content == "ko ko"


async def test_autocomplete_returns_choices(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        choices = await double.autocomplete(
            "cast", {"name": "yang"}, focused="name", channel=world.general
        )
        assert [c["name"] for c in choices] == ["Yang Jae-won"]
        res = await double.invoke("cast", {"name": choices[0]["value"]}, channel=world.general)
        assert res.embeds[0]["title"] == "Yang Jae-won"


async def test_button_updates_message_select_answers_and_modal_submits(
    double: DiscordDouble, world: World
) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        panel = await double.invoke("panel", channel=world.general)
        assert panel.content == "panel"

        message = _reply(panel)
        pressed = await double.click(message, "panel:ping")
        assert pressed.response_type == 7
        assert message.content == "pong"
        assert pressed.message is message, "an update answers with the clicked message"

        picked = await double.select(message, "panel:pick", ["b"])
        assert picked.content == "picked b" and picked.ephemeral

        jangmi = double.add_member(world.guild, "jangmi")
        chosen = await double.select(message, "panel:who", [jangmi])
        assert chosen.content == "chose jangmi"

        form = await double.click(message, "panel:form")
        assert form.response_type == 9
        assert form.modal is not None and form.modal["title"] == "Leave a note"
        submitted = await double.submit_modal(form, {"note": "great episode"})
        assert submitted.content == "noted: great episode"

        with pytest.raises(DoubleUsageError):
            await double.click(message, "no-such-button")


async def test_defer_then_followups_and_original_edit(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("slow", channel=world.general)
        assert res.response_type == 5
        assert res.ephemeral
        await res.wait_until(lambda r: r.content == "first, edited")
        # The first follow-up fills the "thinking" message; the second is a new message.
        assert [m.content for m in res.followups] == ["second"]
        # A later follow-up decides its own visibility: this one was sent publicly.
        assert not res.followups[0].ephemeral
        assert res.followups[0] in double.messages(world.general)


async def test_channel_send_edit_delete(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("post", {"channel": world.general}, channel=world.general)
        assert res.content == "posted"
        visible = [m.content for m in double.messages(world.general)]
        assert visible == ["kept, edited"]
        deleted = [m for m in double.messages(world.general, include_deleted=True) if m.deleted]
        assert [m.content for m in deleted] == ["gone"]
        sent = double.requests_to("POST /channels/{channel_id}/messages")
        assert all(r.json["nonce"] and r.json["enforce_nonce"] for r in sent)


async def test_crosspost_in_announcement_channel(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("publish", {"channel": world.news}, channel=world.general)
        assert res.content == "published"
        (posted,) = double.messages(world.news)
        assert posted.crossposted


async def test_role_add_and_remove(double: DiscordDouble) -> None:
    guild = double.add_guild(
        "g",
        bot_permissions=Permission.MANAGE_ROLES
        | Permission.VIEW_CHANNEL
        | Permission.SEND_MESSAGES,
    )
    channel = double.add_channel(guild, "general")
    role = double.add_role(guild, "subscribers")
    member = double.add_member(guild, "baek")
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("grant", {"member": member, "role": role}, channel=channel)
        assert res.content == "gave subscribers"
        assert role.id in member.role_ids
        res = await double.invoke("revoke", {"member": member, "role": role}, channel=channel)
        assert res.content == "took subscribers"
        assert role.id not in member.role_ids


async def test_default_permissions_hide_and_checks_refuse(
    double: DiscordDouble, world: World
) -> None:
    guild = world.guild
    boss = double.add_member(guild, "boss", permissions=Permission.MANAGE_GUILD)
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        with pytest.raises(DoubleUsageError, match="cannot see"):
            await double.invoke("admin", channel=world.general)
        refused = await double.invoke(
            "admin", channel=world.general, ignore_default_permissions=True
        )
        assert refused.content == "not allowed"
        allowed = await double.invoke("admin", channel=world.general, user=boss)
        assert allowed.content == "admin ok"


async def test_requests_are_recorded_with_status_and_timing(
    double: DiscordDouble, world: World
) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        await double.invoke("echo", {"text": "hi"}, channel=world.general)
    routes = [r.route for r in double.requests]
    assert routes[:2] == ["GET /users/@me", "GET /oauth2/applications/@me"]
    assert "PUT /applications/{application_id}/commands" in routes
    callback = double.requests_to(
        "POST /interactions/{interaction_id}/{interaction_token}/callback"
    )
    assert callback[0].status == 200 and callback[0].json["data"]["content"] == "hi"
    assert all(r.duration >= 0 for r in double.requests)


async def test_file_upload_becomes_an_attachment(double: DiscordDouble, world: World) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("upload", channel=world.general)
    assert res.content == "notes attached"
    (attachment,) = _reply(res).attachments
    assert attachment["filename"] == "notes.txt" and attachment["size"] == len(b"episode notes")


async def test_command_in_a_direct_message(double: DiscordDouble, world: World) -> None:
    fan = double.add_user("fan in dms")
    bot = DemoBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        res = await double.invoke("echo", {"text": "dm"}, user=fan)
    assert res.content == "dm"
    assert _reply(res).guild_id is None


async def test_editing_attachments_keeps_listed_ones_and_adds_uploads(
    double: DiscordDouble, world: World
) -> None:
    bot = DemoBot()
    async with run_client(bot, double):
        channel = bot.get_channel(world.general.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send(file=discord.File(io.BytesIO(b"one"), filename="one.txt"))
        edited = await sent.edit(
            attachments=[sent.attachments[0], discord.File(io.BytesIO(b"two"), filename="two.txt")]
        )
        assert [a.filename for a in edited.attachments] == ["one.txt", "two.txt"]
        trimmed = await edited.edit(attachments=[edited.attachments[1]])
    assert [a.filename for a in trimmed.attachments] == ["two.txt"]
    (stored,) = double.messages(world.general)
    assert [a["filename"] for a in stored.attachments] == ["two.txt"]
