"""The offline console's world: the Discord double and the real bot in one process.

`open_console` starts the local Discord double, builds a demo server (#general, a fan, a
server admin, a maintainer), and starts an unmodified `GoldenHourBot` against it exactly as
`python -m bot run` starts one against Discord: settings carrying the endpoints and the
double's token, `open_services`, the bot's own start-up (login, command sync, gateway). The
console then acts only as Discord's client would, through the double.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from discord_double import (
    Channel,
    DiscordDouble,
    DoubleUsageError,
    Guild,
    InteractionResult,
    Member,
    Message,
    Permission,
    Role,
)
from pydantic import SecretStr

from bot.app import GoldenHourBot
from bot.console.answer import AnswerView, Form, Shown, build_answer
from bot.console.complete import AutocompleteRequest
from bot.console.parse import (
    ChannelRef,
    MentionableRef,
    OptionValue,
    ParsedCommand,
    Ref,
    RoleRef,
    UserRef,
)
from bot.discord_endpoints import point_discord_at_discord
from bot.runner import configure_endpoints, open_services
from bot.settings import Settings

GUILD_NAME = "Golden Hour (offline)"
CHANNEL_NAME = "general"
# The maintainers post from their own server, as in a real deployment: fans never see
# /production there, and a post is seen arriving in the fan server's channel.
NEWSROOM_NAME = "Newsroom (offline)"
NEWSROOM_CHANNEL = "newsroom"
PING_ROLE_NAME = "Fans"
PERSONAS = ("fan", "admin", "maintainer")
CONSOLE_DATABASE = "console.sqlite3"
# discord.py waits this long after the last GUILD_CREATE before READY; its 2 s default
# would be most of the console's start-up time.
GUILD_READY_TIMEOUT = 0.01
READY_WITHIN = 30.0
SETTLE_WITHIN = 15.0  # the longest the console waits for one answer to finish
QUIET = 0.1  # no request to the double for this long = the bot is done
IDLE = 1.0  # between lines of a script: background work (deliveries) has settled
POLL = 0.02
# Tasks discord.py names while it runs an interaction handler (discord.py 2.7): while any
# is alive, more of the answer (edits, follow-ups) may still come.
HANDLER_TASK_PREFIXES = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
    "discord-ui-modal-dispatch-",
    "discord.py: interaction",
)


class ConsoleError(Exception):
    """Something the user asked for cannot be done; the message says what instead."""


class ConsoleStartError(Exception):
    """The bot could not be started."""


@dataclass(frozen=True, slots=True)
class DemoServer:
    guild: Guild  # the fan server
    channel: Channel
    people: Mapping[str, Member]  # persona → member
    newsroom: Guild  # the maintainers' server (ADMIN_GUILD_ID)
    newsroom_channel: Channel

    def place(self, persona: str) -> tuple[Guild, Channel]:
        """Where this persona types: maintainers in the newsroom, everyone else in #general."""
        if self.people[persona].guild_id == self.newsroom.id:
            return self.newsroom, self.newsroom_channel
        return self.guild, self.channel

    @property
    def guilds(self) -> tuple[Guild, Guild]:
        return self.guild, self.newsroom


def build_demo_server(double: DiscordDouble) -> DemoServer:
    guild = double.add_guild(GUILD_NAME)
    channel = double.add_channel(guild, CHANNEL_NAME)
    newsroom = double.add_guild(NEWSROOM_NAME)
    newsroom_channel = double.add_channel(newsroom, NEWSROOM_CHANNEL)
    people = {
        "fan": double.add_member(guild, "fan"),
        # /setup takes only a ping role its admin could give out: Manage Roles, and above it.
        "admin": double.add_member(
            guild, "admin", permissions=Permission.MANAGE_GUILD | Permission.MANAGE_ROLES
        ),
        "maintainer": double.add_member(newsroom, "maintainer"),
    }
    double.add_role(guild, PING_ROLE_NAME, mentionable=True)  # newer, so below the admin's
    return DemoServer(guild, channel, people, newsroom, newsroom_channel)


def console_database(settings: Settings) -> Path:
    """Next to the configured database, never the same file as a real deployment's."""
    return settings.database_path.with_name(CONSOLE_DATABASE)


def fresh_console_database(settings: Settings) -> Path:
    """Start each console run from an empty file: the demo server's ids change every run, so
    state left by an earlier run (subscriptions, queued deliveries) would point at nothing."""
    path = console_database(settings)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return path


def console_settings(settings: Settings, double: DiscordDouble, server: DemoServer) -> Settings:
    """The user's settings, pointed at the double; no token from the environment is needed.

    The demo server doubles as the admin guild so maintainers' commands can be tried there.
    """
    return settings.model_copy(
        update={
            "discord_token": SecretStr(double.token),
            "discord_api_base": double.api_base,
            "discord_gateway_url": double.gateway_url,
            "database_path": fresh_console_database(settings),
            "database_url": None,  # the console always plays on its own SQLite file
            "maintainer_ids": frozenset({server.people["maintainer"].user.id}),
            "admin_guild_id": server.newsroom.id,
            "dev_guild_id": None,
        }
    )


async def _until_ready(bot: GoldenHourBot, runner: asyncio.Task[None], within: float) -> None:
    # wait_until_ready() cannot be awaited before start() has set the client up: poll.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not bot.is_ready():
        if runner.done():
            runner.result()
            raise ConsoleStartError("the bot stopped before it became ready")
        if loop.time() > deadline:
            raise ConsoleStartError(f"the bot was not ready within {within:.0f} s")
        await asyncio.sleep(POLL)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[GoldenHourBot]:
    """Start the bot as `bot.runner.run_bot` does, yielding once it is connected."""
    configure_endpoints(settings)
    try:
        async with open_services(settings) as services:
            bot = GoldenHourBot(services, guild_ready_timeout=GUILD_READY_TIMEOUT)
            async with bot:
                runner = asyncio.create_task(bot.start(settings.require_token()))
                try:
                    await _until_ready(bot, runner, READY_WITHIN)
                    yield bot
                finally:
                    await bot.close()
                    with contextlib.suppress(asyncio.CancelledError):
                        await runner
    finally:
        point_discord_at_discord()


class ConsoleSession:
    """One user at the demo server: run commands, press buttons, fill in forms."""

    def __init__(
        self, double: DiscordDouble, bot: discord.Client, server: DemoServer, *, locale: str
    ) -> None:
        self.double = double
        self.bot = bot
        self.server = server
        self.locale = locale
        self.persona = "fan"
        self.last: AnswerView | None = None
        self._form_origin: InteractionResult | None = None
        # Autocomplete choices the user picked: Discord's client shows a choice's name in
        # the box and sends its value; (command, option, name) → value does the same here.
        self._picked: dict[tuple[str, str, str], str | int | float] = {}
        # Every bot message the user has seen, with the edit it was shown at.
        self._seen: dict[int, tuple[float | None, bool]] = {}

    @property
    def user(self) -> Member:
        return self.server.people[self.persona]

    @property
    def guild(self) -> Guild:
        return self.server.place(self.persona)[0]

    @property
    def channel(self) -> Channel:
        return self.server.place(self.persona)[1]

    # -- what the client knows -----------------------------------------------------------

    def all_command_schemas(self) -> list[dict[str, Any]]:
        """Every command registered here: guild ones, then global ones."""
        found: dict[str, dict[str, Any]] = {}
        for command in [*self.double.commands(self.guild), *self.double.commands()]:
            found.setdefault(command.name, command.data)
        return list(found.values())

    def command_schemas(self) -> list[dict[str, Any]]:
        """The commands this user's client lists: Discord hides a command whose
        `default_member_permissions` the member lacks (Administrator sees everything)."""
        return [s for s in self.all_command_schemas() if self.missing_permissions(s) == 0]

    def missing_permissions(self, schema: Mapping[str, Any], member: Member | None = None) -> int:
        required = schema.get("default_member_permissions")
        if required is None:
            return 0
        who = member or self.user
        persona = next(p for p, m in self.server.people.items() if m is who)
        have = self.double.member_permissions(self.server.place(persona)[1], who)
        if have & Permission.ADMINISTRATOR:
            return 0
        return int(required) & ~have

    def hidden_command_note(self, name: str) -> str | None:
        """Why a command the user typed is not in their list, and who could use it."""
        for schema in self.all_command_schemas():
            if (
                str(schema["name"]).lower() != name.lower()
                and name not in (schema.get("name_localizations") or {}).values()
            ):
                continue
            missing = self.missing_permissions(schema)
            if not missing:
                return None
            needs = " and ".join(permission_names(missing))
            who = [
                p
                for p in PERSONAS
                if self.server.place(p)[0] is self.guild
                and not self.missing_permissions(schema, self.people(p))
            ]
            switch = f" Type :as {who[0]} to try it as @{who[0]}." if who else ""
            return (
                f"Discord shows /{schema['name']} only to members with {needs}; "
                f"you are @{self.persona}.{switch}"
            )
        return None

    def people(self, persona: str) -> Member:
        return self.server.people[persona]

    def mention_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for guild in self.server.guilds:
            names.update({f"<#{c.id}>": f"#{c.name}" for c in guild.channels.values()})
            names.update({f"<@&{r.id}>": _at(r.name) for r in guild.roles.values()})
            names.update({f"<@{m.user.id}>": f"@{m.user.name}" for m in guild.members.values()})
        return names

    def mention_candidates(self, kind: str) -> list[str]:
        guild = self.guild
        channels = [f"#{c.name}" for c in guild.channels.values()]
        roles = [_at(r.name) for r in guild.roles.values() if not r.managed]
        users = [f"@{m.user.name}" for m in guild.members.values() if not m.user.bot]
        by_kind = {"channel": channels, "role": roles, "user": users, "mentionable": roles + users}
        return by_kind.get(kind, [])

    def resolve(self, value: OptionValue) -> Any:
        """Console references (#general, @Fans, @fan) → the double's objects."""
        if isinstance(value, ChannelRef):
            return self._channel(value.name)
        if isinstance(value, RoleRef):
            return self._role(value.name)
        if isinstance(value, UserRef):
            return self._member(value.name)
        if isinstance(value, MentionableRef):
            role = self._find_role(value.name)
            return role if role is not None else self._member(value.name)
        return value

    def _channel(self, name: str) -> Channel:
        for channel in self.guild.channels.values():
            if channel.name.lower() == name.lower():
                return channel
        raise ConsoleError(
            f"no channel #{name}; there is {', '.join(self.mention_candidates('channel'))}"
        )

    def _find_role(self, name: str) -> Role | None:
        for role in self.guild.roles.values():
            if role.name.lower() in (name.lower(), f"@{name.lower()}"):
                return role
        return None

    def _role(self, name: str) -> Role:
        role = self._find_role(name)
        if role is None:
            raise ConsoleError(
                f"no role @{name}; there is {', '.join(self.mention_candidates('role'))}"
            )
        return role

    def _member(self, name: str) -> Member:
        for member in self.guild.members.values():
            if name.lower() in (member.user.name.lower(), (member.nick or "").lower()):
                return member
        raise ConsoleError(
            f"no member @{name}; there is {', '.join(self.mention_candidates('user'))}"
        )

    # -- acting ------------------------------------------------------------------------

    def remember_choice(self, command: str, option: str, name: str, value: Any) -> None:
        self._picked[(command, option, name)] = value

    def _sent_value(self, command: str, option: str, value: OptionValue) -> Any:
        """The picked choice's value for a name shown in the box, else what was typed."""
        if isinstance(value, str):
            picked = self._picked.get((command, option, value))
            if picked is not None:
                return picked
        return self.resolve(value)

    async def run(self, command: ParsedCommand) -> AnswerView:
        options = {
            name: self._sent_value(command.qualified_name, name, value)
            for name, value in command.options.items()
        }
        return await self._act(
            lambda: self.double.invoke(
                command.qualified_name,
                options,
                guild=self.guild,
                channel=self.channel,
                user=self.user,
                locale=self.locale,
            )
        )

    async def press(self, number: int, values: Sequence[str] = ()) -> AnswerView:
        """Press button `number` of the last answer, or choose `values` in select `number`."""
        last = self.last
        action = None if last is None else last.action(number)
        if last is None or action is None:
            count = 0 if last is None else len(last.actions)
            have = "the last answer has no buttons" if not count else f"choose 1–{count}"
            raise ConsoleError(f"there is no button {number}: {have}")
        if action.component.get("disabled"):
            raise ConsoleError(f"{number} ({action.label}) is disabled")
        if not action.is_select:
            if values:
                raise ConsoleError(f"{number} is a button: type just {number}")
            return await self._act(
                lambda: self.double.click(
                    action.message_id, action.custom_id, user=self.user, locale=self.locale
                )
            )
        chosen = self._select_values(action.component, values)
        return await self._act(
            lambda: self.double.select(
                action.message_id, action.custom_id, chosen, user=self.user, locale=self.locale
            )
        )

    def _select_values(self, component: Mapping[str, Any], values: Sequence[str]) -> list[Any]:
        if not values:
            raise ConsoleError("choose with: N value (several: N value1, value2)")
        if int(component.get("type", 3)) != 3:
            return [self.resolve(_select_ref(int(component["type"]), v)) for v in values]
        options = component.get("options", [])
        chosen: list[Any] = []
        for value in values:
            match = next(
                (
                    o["value"]
                    for o in options
                    if value.lower() in (str(o["value"]).lower(), str(o.get("label", "")).lower())
                ),
                None,
            )
            if match is None:
                offered = ", ".join(str(o["value"]) for o in options)
                raise ConsoleError(f"{value!r} is not offered; choose from: {offered}")
            chosen.append(match)
        return chosen

    @property
    def open_form(self) -> Form | None:
        return None if self.last is None else self.last.form

    async def submit(self, values: Mapping[str, str]) -> AnswerView:
        origin = self._form_origin
        if origin is None or self.open_form is None:
            raise ConsoleError("no form is open (a button or command opens one)")
        return await self._act(
            lambda: self.double.submit_modal(origin, values, user=self.user, locale=self.locale)
        )

    async def suggestions(self, request: AutocompleteRequest) -> list[dict[str, Any]]:
        """Ask the bot for autocomplete choices, as the client does while the user types."""
        filled = {
            name: self._sent_value(request.command, name, value)
            for name, value in request.filled.items()
        }
        filled[request.option] = request.value
        return await self.double.autocomplete(
            request.command,
            filled,
            focused=request.option,
            guild=self.guild,
            channel=self.channel,
            user=self.user,
            locale=self.locale,
        )

    async def _act(self, action: Callable[[], Awaitable[InteractionResult]]) -> AnswerView:
        before = self._snapshot()
        try:
            result = await action()
        except DoubleUsageError as exc:
            raise ConsoleError(str(exc)) from None
        await self._settle(result)
        view = build_answer(result, self._changes_since(before), self.mention_names(), self.locale)
        self._form_origin = result if view.form is not None else None
        self.last = view
        self._mark_seen(view.shown)
        return view

    def _mark_seen(self, shown: Sequence[Shown]) -> None:
        for item in shown:
            message = item.message
            self._seen[message.id] = (message.edited_timestamp, message.deleted)

    def updates(self) -> AnswerView | None:
        """Messages the user saw that the bot has edited or deleted since: shown again, as
        Discord's client redraws them in place (e.g. a delivery's progress)."""
        changed: list[Shown] = []
        for message_id, (edited, deleted) in list(self._seen.items()):
            message = self.double.message(message_id)
            if message is None:
                continue
            if message.deleted and not deleted:
                changed.append(Shown(message, _note(self.locale, "deleted")))
            elif message.edited_timestamp != edited:
                changed.append(Shown(message, _note(self.locale, "edited")))
        if not changed:
            return None
        self._mark_seen(changed)
        view = build_answer(None, changed, self.mention_names(), self.locale)
        if view.actions and self.open_form is None:
            self.last = view  # the numbers the user saw last are the ones they type
        return view

    async def quiet(self, within: float = SETTLE_WITHIN) -> None:
        """Wait until the bot sends nothing for a while (background work such as a
        delivery finishes), at most `within` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        seen = len(self.double.requests)
        quiet_since = loop.time()
        while loop.time() < deadline:
            await asyncio.sleep(POLL)
            if len(self.double.requests) != seen:
                seen = len(self.double.requests)
                quiet_since = loop.time()
            elif loop.time() - quiet_since >= IDLE:
                return

    async def _settle(self, result: InteractionResult) -> None:
        """Wait until the bot has finished with this interaction (edits, follow-ups…)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_WITHIN
        if result.answered:
            await result.settled(SETTLE_WITHIN)
        seen = len(self.double.requests)
        quiet_since = loop.time()
        while loop.time() < deadline:
            await asyncio.sleep(POLL)
            now = loop.time()
            if _handler_running() or len(self.double.requests) != seen:
                seen = len(self.double.requests)
                quiet_since = now
            elif now - quiet_since >= QUIET:
                return

    def _channels(self) -> dict[int, Channel]:
        return {c.id: c for g in self.server.guilds for c in g.channels.values()}

    def _snapshot(self) -> dict[int, tuple[float | None, bool]]:
        return {m.id: (m.edited_timestamp, m.deleted) for m in self._server_messages()}

    def _server_messages(self) -> list[Message]:
        found: list[Message] = []
        for channel in self._channels().values():
            found.extend(
                self.double.messages(channel, include_ephemeral=True, include_deleted=True)
            )
        return found

    def _changes_since(self, before: Mapping[int, tuple[float | None, bool]]) -> list[Shown]:
        """Messages the bot posted, edited or deleted anywhere in the server meanwhile."""
        changed: list[Shown] = []
        for message in self._server_messages():
            if message.author.id != self.double.bot_user.id:
                continue
            channel = self._channels().get(message.channel_id)
            where = f"#{channel.name}" if channel is not None else "a channel"
            old = before.get(message.id)
            if old is None:
                changed.append(Shown(message, f"posted in {where}"))
            elif message.deleted and not old[1]:
                changed.append(Shown(message, f"deleted in {where}"))
            elif message.edited_timestamp != old[0]:
                changed.append(Shown(message, f"edited in {where}"))
        return changed


def _at(name: str) -> str:
    """ "@Fans", and "@everyone" not "@@everyone" (the role's name carries the @)."""
    return name if name.startswith("@") else f"@{name}"


# The names Discord's client uses for permissions in its settings.
PERMISSION_NAMES = {
    Permission.ADMINISTRATOR: "Administrator",
    Permission.MANAGE_GUILD: "Manage Server",
    Permission.MANAGE_ROLES: "Manage Roles",
    Permission.MANAGE_CHANNELS: "Manage Channels",
    Permission.MANAGE_MESSAGES: "Manage Messages",
}


def permission_names(bits: int) -> list[str]:
    names: list[str] = []
    for flag in Permission:
        if bits & flag and flag.value & (flag.value - 1) == 0:
            names.append(PERMISSION_NAMES.get(flag, str(flag.name).replace("_", " ").title()))
    return names


CONSOLE_NOTES = {
    "en": {"edited": "edited", "deleted": "deleted"},
    "ko": {"edited": "수정됨", "deleted": "삭제됨"},
}


def _note(locale: str, key: str) -> str:
    return CONSOLE_NOTES.get(locale.split("-")[0], CONSOLE_NOTES["en"])[key]


def _select_ref(select_type: int, value: str) -> Ref:
    name = value.lstrip("#@")
    if select_type == 5:
        return UserRef(name)
    if select_type == 6:
        return RoleRef(name)
    if select_type == 7:
        return ChannelRef(name)
    return MentionableRef(name)


def _handler_running() -> bool:
    current = asyncio.current_task()
    return any(
        task is not current and task.get_name().startswith(HANDLER_TASK_PREFIXES)
        for task in asyncio.all_tasks()
    )


@contextlib.asynccontextmanager
async def open_console(settings: Settings, *, locale: str) -> AsyncIterator[ConsoleSession]:
    """The double, the demo server and the connected bot; all stopped on exit."""
    double = DiscordDouble()
    await double.start()
    try:
        server = build_demo_server(double)
        async with running_bot(console_settings(settings, double, server)) as bot:
            yield ConsoleSession(double, bot, server, locale=locale)
    finally:
        await double.stop()
