"""Discord's rules, enforced by the double against a real discord.py bot: every refusal
arrives as Discord sends it (status, JSON code, `errors` tree) and is filed as a violation
that fails the test unless expected."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.http import Route
from discord_double import DiscordDouble, Permission
from discord_double.client_runner import run_client
from discord_double.permissions import DEFAULT_BOT_PERMISSIONS


class RuleBreakers(commands.Cog):
    def __init__(self) -> None:
        self.errors: list[discord.HTTPException] = []

    @app_commands.command(description="Too long a reply, then a short one")
    async def ramble(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("x" * 2001)
        except discord.HTTPException as error:
            self.errors.append(error)
            await interaction.response.send_message("too long, sorry")

    @app_commands.command(description="Too many choices")
    async def pick(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    @pick.autocomplete("name")
    async def pick_name(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"option {i}", value=str(i)) for i in range(30)]

    @app_commands.command(description="Answers too late")
    async def dawdle(self, interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.4)
        try:
            await interaction.response.send_message("finally")
        except discord.HTTPException as error:
            self.errors.append(error)

    @app_commands.command(description="Follows up after the token died")
    async def forget(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await asyncio.sleep(0.5)
        try:
            await interaction.followup.send("much later")
        except discord.HTTPException as error:
            self.errors.append(error)

    @app_commands.command(description="Answers, as a second instance would too")
    async def twice(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("mine")
        except discord.HTTPException as error:
            self.errors.append(error)


class RuleBot(commands.Bot):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), **kwargs)
        self.breakers = RuleBreakers()

    async def setup_hook(self) -> None:
        await self.add_cog(self.breakers)


@pytest.fixture
def place(double: DiscordDouble) -> tuple[Any, Any]:
    guild = double.add_guild("Fans")
    return guild, double.add_channel(guild, "general")


async def _raw_send(bot: commands.Bot, channel_id: int, payload: dict[str, Any]) -> Any:
    """POST a hand-made body through the real client's HTTP layer (bypassing its checks)."""
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    return await bot.http.request(route, json=payload)


async def test_oversized_embed_is_rejected_and_nothing_is_posted(
    double: DiscordDouble, place: Any
) -> None:
    _, channel = place
    bot = RuleBot()
    async with run_client(bot, double):
        target = bot.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        with double.expect_violations(50035) as seen, pytest.raises(discord.HTTPException) as error:
            await target.send(embed=discord.Embed(title="t", description="d" * 4097))
    assert error.value.status == 400 and error.value.code == 50035
    assert "description" in str(error.value)
    assert seen[0].errors == ["embeds.0.description: Must be 4096 or fewer in length."]
    assert double.messages(channel) == []


def _row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def _button(custom_id: str, *, label: str = "b") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


def _select(option_count: int) -> dict[str, Any]:
    options = [{"label": str(i), "value": str(i)} for i in range(option_count)]
    return {"type": 3, "custom_id": "s", "options": options}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"content": "x" * 2001}, "content: Must be 2000 or fewer in length."),
        ({"embeds": [{"title": "t"}] * 11}, "embeds: Must be 10 or fewer in length."),
        ({"embeds": [{"title": "x" * 257}]}, "embeds.0.title: Must be 256 or fewer in length."),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]},
            "embeds.0.fields: Must be 25 or fewer in length.",
        ),
        (
            {"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]},
            "embeds.0.fields.0.name: Must be 256 or fewer in length.",
        ),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]},
            "embeds.0.fields.0.value: Must be 1024 or fewer in length.",
        ),
        (
            {"embeds": [{"footer": {"text": "f" * 2049}}]},
            "embeds.0.footer.text: Must be 2048 or fewer in length.",
        ),
        (
            {"embeds": [{"author": {"name": "a" * 257}}]},
            "embeds.0.author.name: Must be 256 or fewer in length.",
        ),
        (
            {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]},
            "embeds: Embed size exceeds maximum size of 6000",
        ),
        (
            {"content": "c", "components": [_row(_button(f"b{i}")) for i in range(6)]},
            "components: Must be 5 or fewer in length.",
        ),
        (
            {"content": "c", "components": [_row(*(_button(f"b{i}") for i in range(6)))]},
            "components.0.components: Must be 5 or fewer in length.",
        ),
        (
            {"content": "c", "components": [_row(_button("c" * 101))]},
            "components.0.components.0.custom_id: Must be between 1 and 100 in length.",
        ),
        (
            {"content": "c", "components": [_row(_button("b", label="l" * 81))]},
            "components.0.components.0.label: Must be 80 or fewer in length.",
        ),
        (
            {"content": "c", "components": [_row(_select(26))]},
            "components.0.components.0.options: Must be between 1 and 25 in length.",
        ),
        (
            {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
            'allowed_mentions: parse:["users"] and users: [ids...] are mutually exclusive.',
        ),
    ],
)
async def test_message_limits_are_enforced(
    double: DiscordDouble, place: Any, payload: dict[str, Any], expected: str
) -> None:
    _, channel = place
    bot = RuleBot()
    async with run_client(bot, double):
        with double.expect_violations(50035) as seen, pytest.raises(discord.HTTPException):
            await _raw_send(bot, channel.id, payload)
    assert expected in seen[0].errors
    assert double.messages(channel) == []


async def test_limits_are_inclusive(double: DiscordDouble, place: Any) -> None:
    _, channel = place
    bot = RuleBot()
    full = discord.Embed(title="t" * 256, description="d" * 4096)
    async with run_client(bot, double):
        target = bot.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        await target.send("c" * 2000)
        await target.send(embed=full)
    assert len(double.messages(channel)) == 2


async def test_empty_message_is_refused(double: DiscordDouble, place: Any) -> None:
    _, channel = place
    bot = RuleBot()
    async with run_client(bot, double):
        with double.expect_violations(50006), pytest.raises(discord.HTTPException) as error:
            await _raw_send(bot, channel.id, {"content": "   "})
    assert error.value.code == 50006


async def test_interaction_reply_over_2000_is_refused_and_can_be_retried(
    double: DiscordDouble, place: Any
) -> None:
    _, channel = place
    bot = RuleBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        with double.expect_violations(50035):
            res = await double.invoke("ramble", channel=channel)
    assert res.content == "too long, sorry"
    assert [e.code for e in bot.breakers.errors] == [50035]
    assert [v.code for v in res.violations] == [50035]


async def test_more_than_25_autocomplete_choices_are_refused(
    double: DiscordDouble, place: Any
) -> None:
    _, channel = place
    bot = RuleBot()
    async with run_client(bot, double):
        await bot.tree.sync()
        with double.expect_violations(50035):
            res = await double.autocomplete_result(
                "pick", {"name": "o"}, focused="name", channel=channel
            )
    assert res.choices is None
    assert res.violations[0].errors == ["data.choices: Must be 25 or fewer in length."]


@pytest.fixture
async def strict_double() -> Any:
    # Deadline 0.2 s and token lifetime 0.3 s stand in for Discord's 3 s and 15 min.
    fake = DiscordDouble(interaction_deadline=0.2, interaction_token_ttl=0.3)
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.unexpected_violations() == []


async def test_late_first_answer_gets_10062(strict_double: DiscordDouble) -> None:
    guild = strict_double.add_guild("g")
    channel = strict_double.add_channel(guild, "general")
    bot = RuleBot()
    async with run_client(bot, strict_double):
        await bot.tree.sync()
        with strict_double.expect_violations(10062):
            res = await strict_double.invoke("dawdle", channel=channel)
            await asyncio.sleep(0.5)  # let the bot's late answer arrive
    assert not res.answered
    assert [(e.status, e.code) for e in bot.breakers.errors] == [(404, 10062)]


async def test_followup_after_token_expiry_gets_50027(strict_double: DiscordDouble) -> None:
    guild = strict_double.add_guild("g")
    channel = strict_double.add_channel(guild, "general")
    bot = RuleBot()
    async with run_client(bot, strict_double):
        await bot.tree.sync()
        with strict_double.expect_violations(50027):
            res = await strict_double.invoke("forget", channel=channel, settle=False)
            await res.wait_until(lambda r: bool(r.violations), within=5)
    assert res.loading, "the deferred answer never got its content"
    assert [(e.status, e.code) for e in bot.breakers.errors] == [(401, 50027)]


async def test_second_instance_answering_gets_40060(double: DiscordDouble, place: Any) -> None:
    _, channel = place
    first, second = RuleBot(), RuleBot()
    # Two processes on one token: Discord would make the second wait 5 s to IDENTIFY.
    double.config.identify_interval = 0.0
    async with run_client(first, double), run_client(second, double):
        await first.tree.sync()
        with double.expect_violations(40060):
            res = await double.invoke("twice", channel=channel)
            await asyncio.sleep(0.2)  # both instances race; the loser is refused
    assert res.content == "mine"
    errors = first.breakers.errors + second.breakers.errors
    assert [(e.status, e.code) for e in errors] == [(400, 40060)]


def _command(name: str = "cast", **overrides: Any) -> dict[str, Any]:
    return {"name": name, "description": "Look up a cast member", "type": 1, **overrides}


def _option(name: str, **overrides: Any) -> dict[str, Any]:
    return {"type": 3, "name": name, "description": "d", **overrides}


def _choices(count: int) -> list[dict[str, str]]:
    return [{"name": str(i), "value": str(i)} for i in range(count)]


def _big_option(name: str) -> dict[str, Any]:
    """About 400 counted characters, most of them in the (longer) Korean description."""
    return _option(
        name,
        description="d" * 100,
        description_localizations={"ko": "설" * 100},
        choices=[{"name": "n" * 100, "value": "v" * 100}] * 2,
    )


@pytest.mark.parametrize(
    ("commands_body", "expected"),
    [
        ([_command("Cast")], "0.name: Command name is invalid"),
        ([_command("cast member")], "0.name: Command name is invalid"),
        ([_command("c" * 33)], "0.name: Must be between 1 and 32 in length."),
        ([_command(description="")], "0.description: Must be between 1 and 100 in length."),
        ([_command(description="d" * 101)], "0.description: Must be between 1 and 100 in length."),
        (
            [_command(options=[_option(f"o{i}") for i in range(26)])],
            "0.options: Must be 25 or fewer in length.",
        ),
        (
            [_command(options=[_option("o", choices=_choices(26))])],
            "0.options.0.choices: Must be 25 or fewer in length.",
        ),
        (
            [_command(name_localizations={"xx": "cast"})],
            "0.name_localizations.xx: Invalid locale: 'xx' is not a valid locale",
        ),
        (
            [_command(description_localizations={"ko": "설" * 101})],
            "0.description_localizations.ko: Must be between 1 and 100 in length.",
        ),
        (
            [_command(options=[_big_option(f"o{i}") for i in range(20)])],
            "0: Command exceeds maximum size (8000)",
        ),
        ([_command(), _command()], "1.name: Application command names must be unique (cast)"),
    ],
)
async def test_command_definitions_are_validated(
    double: DiscordDouble, place: Any, commands_body: list[dict[str, Any]], expected: str
) -> None:
    bot = RuleBot()
    async with run_client(bot, double):
        app_id = bot.application_id
        assert app_id is not None
        with double.expect_violations(50035) as seen, pytest.raises(discord.HTTPException):
            await bot.http.bulk_upsert_global_commands(app_id, commands_body)
    assert expected in seen[0].errors
    assert double.commands() == []


async def test_localized_korean_command_names_are_valid(double: DiscordDouble, place: Any) -> None:
    bot = RuleBot()
    body = [
        _command(name_localizations={"ko": "배우"}, description_localizations={"ko": "출연진 찾기"})
    ]
    async with run_client(bot, double):
        assert bot.application_id is not None
        await bot.http.bulk_upsert_global_commands(bot.application_id, body)
    assert [c.name for c in double.commands()] == ["cast"]


async def test_daily_command_creates_are_limited(place: Any) -> None:
    fake = DiscordDouble(daily_command_creates=2)
    await fake.start()
    bot = RuleBot(max_ratelimit_timeout=30.0)
    try:
        async with run_client(bot, fake):
            await bot.tree.sync()  # the RuleBot's five commands are all new
    except discord.RateLimited:
        pass
    else:
        pytest.fail("expected the sync to be refused")
    finally:
        await fake.stop()
    assert [v.code for v in fake.take_violations()] == [30034]
    assert fake.commands() == []


async def test_mentions_follow_allowed_mentions_and_permissions(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    channel = double.add_channel(guild, "general")
    closed = double.add_role(guild, "closed")  # not mentionable
    open_role = double.add_role(guild, "subscribers", mentionable=True)
    fan = double.add_member(guild, "fan")
    text = f"{fan.mention} {closed.mention} {open_role.mention} @everyone"
    bot = RuleBot()
    async with run_client(bot, double):
        target = bot.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        plain = await target.send(text)
        none = await target.send(text, allowed_mentions=discord.AllowedMentions.none())
        one_role = await target.send(
            text,
            allowed_mentions=discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(open_role.id)]
            ),
        )
    stored = {m.id: m for m in double.messages(channel)}
    first = stored[plain.id]
    assert [u.id for u in first.mentions] == [fan.id]
    assert first.mention_roles == [open_role.id], "a non-mentionable role does not ping"
    assert not first.mention_everyone, "the bot lacks MENTION_EVERYONE"
    assert stored[none.id].mentions == [] and stored[none.id].mention_roles == []
    assert stored[one_role.id].mention_roles == [open_role.id]
    assert stored[one_role.id].mentions == []


async def test_allowed_mentions_trap_pings_everyone_with_mention_everyone(
    double: DiscordDouble,
) -> None:
    guild = double.add_guild(
        "g", bot_permissions=DEFAULT_BOT_PERMISSIONS | Permission.MENTION_EVERYONE
    )
    channel = double.add_channel(guild, "general")
    role = double.add_role(guild, "subscribers")
    bot = RuleBot()
    async with run_client(bot, double):
        target = bot.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        # roles=[...] alone leaves everyone/users "unset", which serializes as parse them.
        await target.send(
            f"{role.mention} @everyone",
            allowed_mentions=discord.AllowedMentions(roles=[discord.Object(role.id)]),
        )
    (sent,) = double.messages(channel)
    assert sent.mention_everyone
    assert sent.mention_roles == [role.id], "MENTION_EVERYONE pings even a non-mentionable role"


async def test_missing_embed_links_posts_without_embeds(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    no_embeds = double.add_channel(
        guild, "plain", bot_permissions=Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES
    )
    bot = RuleBot()
    async with run_client(bot, double):
        target = bot.get_channel(no_embeds.id)
        assert isinstance(target, discord.TextChannel)
        sent = await target.send("see embed", embed=discord.Embed(title="hidden"))
    assert sent.embeds == []
    assert double.messages(no_embeds)[0].content == "see embed"


async def test_channel_permissions_refuse_sends(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    hidden = double.add_channel(guild, "hidden", bot_permissions=0)
    read_only = double.add_channel(
        guild, "read-only", overwrites={guild.everyone_role: (0, Permission.SEND_MESSAGES)}
    )
    bot = RuleBot()
    async with run_client(bot, double):
        with pytest.raises(discord.Forbidden) as no_view:
            await _raw_send(bot, hidden.id, {"content": "hi"})
        with pytest.raises(discord.Forbidden) as no_send:
            await _raw_send(bot, read_only.id, {"content": "hi"})
    assert no_view.value.code == 50001
    assert no_send.value.code == 50013
    assert double.stats.invalid_requests == 2
    assert double.violations == [], "permission refusals are Discord answering, not rule breaks"


async def test_role_changes_need_manage_roles_and_a_higher_role(double: DiscordDouble) -> None:
    weak = double.add_guild("weak")  # no MANAGE_ROLES
    strong = double.add_guild(
        "strong", bot_permissions=DEFAULT_BOT_PERMISSIONS | Permission.MANAGE_ROLES
    )
    low_role = double.add_role(weak, "low")
    high_role = double.add_role(strong, "mods", position=5)
    weak_member = double.add_member(weak, "a")
    strong_member = double.add_member(strong, "b")
    bot = RuleBot()
    async with run_client(bot, double):
        for guild, member, role in (
            (weak, weak_member, low_role),
            (strong, strong_member, high_role),
        ):
            target = bot.get_guild(guild.id)
            assert target is not None
            with pytest.raises(discord.Forbidden) as refused:
                await bot.http.add_role(guild.id, member.id, role.id)
            assert refused.value.code == 50013
    assert weak_member.role_ids == [] and strong_member.role_ids == []


async def test_nonce_deduplicates_a_repeated_send(double: DiscordDouble, place: Any) -> None:
    _, channel = place
    bot = RuleBot()
    async with run_client(bot, double):
        target = bot.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        first = await target.send("update #7", nonce=7001)
        again = await target.send("update #7", nonce=7001)
        other = await target.send("update #8", nonce=7002)
    assert first.id == again.id != other.id
    assert [m.content for m in double.messages(channel)] == ["update #7", "update #8"]


async def test_crosspost_rules(double: DiscordDouble) -> None:
    guild = double.add_guild("g")
    text = double.add_channel(guild, "general")
    news = double.add_channel(guild, "news", "announcement")
    bot = RuleBot()
    async with run_client(bot, double):
        plain = bot.get_channel(text.id)
        announcements = bot.get_channel(news.id)
        assert isinstance(plain, discord.TextChannel) and isinstance(
            announcements, discord.TextChannel
        )
        in_text = await plain.send("not news")
        with double.expect_violations(50024), pytest.raises(discord.HTTPException):
            await in_text.publish()
        in_news = await announcements.send("news")
        await in_news.publish()
        with double.expect_violations(40033), pytest.raises(discord.HTTPException):
            await in_news.publish()


async def test_editing_someone_elses_message_is_refused(double: DiscordDouble, place: Any) -> None:
    guild, channel = place
    fan = double.add_member(guild, "fan")
    posted = double.user_message(channel, fan, "hello bot")
    bot = RuleBot()
    async with run_client(bot, double):
        route = Route(
            "PATCH",
            "/channels/{channel_id}/messages/{message_id}",
            channel_id=channel.id,
            message_id=posted.id,
        )
        with double.expect_violations(50005), pytest.raises(discord.Forbidden):
            await bot.http.request(route, json={"content": "rewritten"})
    assert posted.content == "hello bot"


async def test_unexpected_violations_are_listed(double: DiscordDouble, place: Any) -> None:
    _, channel = place
    bot = RuleBot()
    async with run_client(bot, double):
        with pytest.raises(discord.HTTPException):
            await _raw_send(bot, channel.id, {"content": "x" * 2001})
    unexpected = double.take_violations()  # the fixture would fail the test otherwise
    assert len(unexpected) == 1
    assert "content: Must be 2000 or fewer in length." in unexpected[0].describe()


async def test_an_expected_violation_that_does_not_happen_fails(double: DiscordDouble) -> None:
    with pytest.raises(AssertionError, match="50035"), double.expect_violations(50035):
        pass


async def test_a_command_sync_with_max_value_2_53_is_flagged(
    double: DiscordDouble, place: Any
) -> None:
    """Discord's OpenAPI allows integer option bounds up to 2^53 - 1; the hand-written rules
    never looked, the schema does, and the whole sync is refused."""

    class TooBig(commands.Cog):
        @app_commands.command(description="Look up an update")
        async def lookup(
            self,
            interaction: discord.Interaction,
            update_id: app_commands.Range[int, 1, 2**53],
        ) -> None:
            await interaction.response.send_message(str(update_id))

    bot = RuleBot()
    async with run_client(bot, double):
        await bot.add_cog(TooBig())
        with double.expect_violations(50035) as seen, pytest.raises(discord.HTTPException):
            await bot.tree.sync()
    assert any(
        line.endswith(".options.0.max_value: int value should be less than or equal to "
                      "9007199254740991.")
        for line in seen[0].errors
    )  # fmt: skip
    assert double.commands() == []
