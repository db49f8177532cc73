"""`DiscordDouble`: the test-facing side of the local Discord stand-in.

Start it, point discord.py at `api_base`/`gateway_url` (see `bot.discord_endpoints`), run
the unmodified bot, then drive it like users would::

    double = DiscordDouble()
    await double.start()
    guild = double.add_guild("Trauma Center Fans")
    channel = double.add_channel(guild, "general")
    fan = double.add_member(guild, "yang")
    res = await double.invoke("cast", {"name": "Yang"}, channel=channel, user=fan)
    res.content, res.embeds, res.ephemeral, res.followups, res.latency
    res = await double.click(res.message, "next-page")
    choices = await double.autocomplete("cast", {"name": "ya"}, focused="name", channel=channel)
    double.messages(channel); double.requests; double.violations
    double.faults.channel_forbidden(channel); await double.gateway_reconnect()
    await double.stop()

Everything the bot gets wrong by Discord's rules lands in `violations`; the e2e fixture
fails the test on any it did not expect (`expect_violations(code)`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

from discord_double.actions import UserActions
from discord_double.backend import Backend, RecordedRequest, Stats
from discord_double.config import DoubleConfig
from discord_double.errors import Violation
from discord_double.faults import FaultPlan
from discord_double.gateway import Gateway
from discord_double.models import Channel, Command, Guild, Member, Message, User
from discord_double.openapi import OpenApiSchema
from discord_double.ratelimit import RateLimiter
from discord_double.rest_channels import ChannelRoutes
from discord_double.rest_commands import CommandRoutes
from discord_double.rest_guilds import GuildRoutes
from discord_double.rest_interactions import InteractionRoutes
from discord_double.router import Router
from discord_double.server import ApiServer
from discord_double.snowflake import SnowflakeFactory
from discord_double.state import DoubleState


def register_routes(router: Router, backend: Backend, gateway_url: Callable[[], str]) -> Router:
    """Every REST route the double serves, each named like its path in Discord's OpenAPI."""
    ChannelRoutes(backend).register(router)
    InteractionRoutes(backend).register(router)
    CommandRoutes(backend).register(router)
    GuildRoutes(backend, gateway_url).register(router)
    return router


class DiscordDouble(UserActions):
    """Discord's side of the wire, on a random local port, with a test-facing API.

    World building lives in `WorldBuilder` (world.py), user actions in `UserActions`
    (actions.py); this class wires the servers together and reads back what happened.
    """

    def __init__(self, config: DoubleConfig | None = None, **overrides: Any) -> None:
        """Keyword overrides are `DoubleConfig` fields, e.g. `global_rate_limit=None`."""
        self.config = config or DoubleConfig()
        for key, value in overrides.items():
            if not hasattr(self.config, key):
                raise TypeError(f"unknown DiscordDouble option {key!r}")
            setattr(self.config, key, value)
        ids = SnowflakeFactory()
        bot = User(ids.next(), self.config.bot_name, bot=True)
        owner = User(ids.next(), "app-owner")
        self.state = DoubleState(ids=ids, bot_user=bot, owner=owner, application_name=bot.name)
        self.state.users[bot.id] = bot
        self.state.users[owner.id] = owner
        self.faults = FaultPlan()
        self._port = 0
        self._runner: web.AppRunner | None = None
        self.gateway = Gateway(
            self.state,
            self.config,
            url=lambda: self.gateway_url,
            on_identify=self._count_identify,
            on_violation=lambda violation: self._backend.violations.append(violation),
        )
        limiter = RateLimiter(
            global_per_second=self.config.global_rate_limit,
            channel_messages=self.config.channel_message_limit,
            crossposts=self.config.crosspost_limit,
        )
        self._backend = Backend(self.state, self.config, self.gateway, limiter, self.faults)
        router = register_routes(Router(), self._backend, lambda: self.gateway_url)
        self._router = router
        self._api = ApiServer(self._backend, router, OpenApiSchema.shipped())
        self._fans: dict[int, Member] = {}

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._api.handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://{self.config.host}:{self._port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.config.host}:{self._port}/gateway"

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def application_id(self) -> int:
        return self.state.application_id

    @property
    def bot_user(self) -> User:
        return self.state.bot_user

    @property
    def owner(self) -> User:
        """The application's owner (what `bot.is_owner` checks against)."""
        return self.state.owner

    def served_operations(self) -> list[tuple[str, str]]:
        """(METHOD, path template) of every REST route served, as in Discord's OpenAPI paths."""
        return [(r.method, r.template) for r in self._router.routes]

    def _count_identify(self) -> None:
        self._backend.stats.identifies += 1

    # -- reading what happened -------------------------------------------------------

    def messages(
        self, channel: Channel, *, include_ephemeral: bool = False, include_deleted: bool = False
    ) -> list[Message]:
        """Messages in a channel, oldest first (ephemeral and deleted ones left out by default)."""
        return [
            m
            for m in self.state.channel_messages.get(channel.id, [])
            if (include_ephemeral or not m.ephemeral) and (include_deleted or not m.deleted)
        ]

    def message(self, message_id: int) -> Message | None:
        return self.state.messages.get(message_id)

    def commands(self, guild: Guild | None = None) -> list[Command]:
        """Commands the bot registered globally (guild=None) or for one guild."""
        return list(self.state.commands_in(None if guild is None else guild.id).values())

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._backend.requests

    def requests_to(self, route: str) -> list[RecordedRequest]:
        """Recorded requests for a route template, e.g. "POST /channels/{channel_id}/messages"."""
        return [r for r in self._backend.requests if r.route == route]

    @property
    def stats(self) -> Stats:
        return self._backend.stats

    @property
    def rate_limited_count(self) -> int:
        """How many 429s the double served."""
        return self._backend.stats.rate_limited

    # -- violations ------------------------------------------------------------------

    @property
    def violations(self) -> list[Violation]:
        return self._backend.violations

    def unexpected_violations(self) -> list[Violation]:
        return [v for v in self._backend.violations if not v.expected]

    def take_violations(self) -> list[Violation]:
        """Return the violations so far and mark them expected (the test looked at them)."""
        taken = self.unexpected_violations()
        for violation in taken:
            violation.expected = True
        return taken

    @contextmanager
    def expect_violations(self, *codes: int) -> Iterator[list[Violation]]:
        """Inside the block, violations with these codes are expected; each must happen."""
        start = len(self._backend.violations)
        seen: list[Violation] = []
        yield seen
        for violation in self._backend.violations[start:]:
            if violation.code in codes:
                violation.expected = True
                seen.append(violation)
        missing = set(codes) - {v.code for v in seen}
        if missing:
            raise AssertionError(f"expected Discord to refuse with {sorted(missing)}, it did not")

    # -- gateway control -------------------------------------------------------------

    async def gateway_reconnect(self, within: float = 5.0) -> None:
        """Send RECONNECT (op 7); returns once the bot has RESUMEd."""
        await self.gateway.reconnect(within)

    async def gateway_invalidate(self, *, resumable: bool = False, within: float = 10.0) -> None:
        """Send INVALID_SESSION (op 9); returns once the bot resumed or identified again.

        discord.py waits 5 s (`Client.before_identify_hook`) before a non-initial IDENTIFY.
        """
        await self.gateway.invalidate(resumable=resumable, within=within)

    async def wait_for_session(self, within: float = 5.0) -> None:
        """Wait until a bot has identified (READY sent)."""
        await asyncio.wait_for(self.gateway.session_ready.wait(), within)
