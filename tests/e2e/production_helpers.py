"""A newsroom and many fan servers in the double, and the real bot with fast delivery timing.

`start_bot` is `start_golden` plus the delivery options (short leases and backoff, a movable
clock), which must be on the services before the bot loads its cogs. `Newsroom` holds the
maintainers' server (ADMIN_GUILD_ID) and N fan servers, each with a channel, an admin and a
fan; servers subscribe through the real /setup command or, in bulk, through the repository.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from discord_double import DiscordDouble
from discord_double.interactions import InteractionResult
from discord_double.models import Channel, Guild, Member, Message, Role
from discord_double.permissions import DEFAULT_BOT_PERMISSIONS, Permission

from bot.app import GoldenHourBot
from bot.production import repo_ledger, repo_settings
from bot.production.models import DeliveryCounts, Language
from bot.production.policy import RetryPolicy
from bot.production.runtime import DeliveryOptions
from bot.production.worker import WorkerConfig
from bot.runner import open_services
from bot.settings import Settings
from bot.store.database import Database
from tests.e2e.conftest import run_client
from tests.e2e.golden import TODAY, golden_settings

MESSAGES_ROUTE = "POST /channels/{channel_id}/messages"
# The writing form's fields, by the /production post option that fills each one in.
FORM_FIELDS = {
    "title": "title_en",
    "body": "body_en",
    "title_ko": "title_ko",
    "body_ko": "body_ko",
    "source": "source",
}
BOT_PERMISSIONS = DEFAULT_BOT_PERMISSIONS | Permission.MANAGE_ROLES | Permission.MANAGE_MESSAGES
# A fan server's admin: may change update posts and give out the (newer, lower) ping role.
ADMIN_PERMISSIONS = Permission.MANAGE_GUILD | Permission.MANAGE_ROLES


class MovableClock:
    """Wall-clock time plus an offset a test can move (a preview expires, a lease runs out)."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def fast_delivery(clock: Callable[[], float] | None = None, **worker: Any) -> DeliveryOptions:
    """Seconds instead of minutes: retries after ~0.1 s, three tries. A lease stays long
    (a claimed row may wait seconds in the per-channel limiter); tests that need a lease to
    run out move the clock instead."""
    config: dict[str, Any] = {
        "lease": 30.0,
        "op_timeout": 10.0,
        "poll_interval": 0.2,
        "retry": RetryPolicy(base_delay=0.05, max_delay=0.4, max_attempts=3),
        "crosspost_retry": RetryPolicy(base_delay=0.05, max_delay=0.4, max_attempts=3),
    }
    config.update(worker)
    return DeliveryOptions(
        worker=WorkerConfig(**config),
        clock=clock or MovableClock(),
        progress_interval=0.1,
    )


@contextlib.asynccontextmanager
async def start_bot(
    double: DiscordDouble, settings: Settings, delivery: DeliveryOptions
) -> AsyncIterator[GoldenHourBot]:
    """The real bot (same start-up path as `python -m bot run`) with these delivery options."""
    async with open_services(settings) as services:
        services.today = lambda: TODAY
        services.delivery = delivery
        bot = GoldenHourBot(services, **settings.sharding_options())  # SHARD_COUNT/SHARD_IDS
        async with run_client(bot, double):
            yield bot


async def wait_for(
    condition: Callable[[], bool], within: float = 10.0, what: str = "the condition"
) -> None:
    """Poll until ``condition`` holds; a test fails (with ``what``) only if it never does."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def wait_until_finished(db: Database, update_id: int, within: float = 15.0) -> DeliveryCounts:
    """Until the worker has nothing left to do for the update (sends, edits, crossposts)."""
    deadline = time.monotonic() + within
    while True:
        counts = await repo_ledger.delivery_counts(db, update_id)
        if counts.finished:
            return counts
        if time.monotonic() > deadline:
            raise AssertionError(f"update {update_id} not finished: {counts}")
        await asyncio.sleep(0.02)


async def settled(
    result: InteractionResult, before: str | None, within: float = 10.0
) -> InteractionResult:
    """A click acknowledged with a deferred update (type 6) shows its outcome later, by
    editing its message or in a follow-up: wait until one of them happened."""
    if result.response_type == 6:
        await result.record.wait_until(
            lambda: bool(result.followups) or result.content != before, within
        )
    return result


def outcome(result: InteractionResult) -> str:
    """What the clicker saw last: the newest follow-up, else the (edited) message."""
    if result.followups:
        return result.followups[-1].content
    return result.content or ""


@dataclass
class FanServer:
    guild: Guild
    channel: Channel
    admin: Member
    fan: Member
    role: Role | None = None


@dataclass
class Newsroom:
    """The maintainers' server and the fan servers, before and after the bot starts."""

    double: DiscordDouble
    database: Path
    desk: Guild
    desk_channel: Channel
    maintainer: Member
    servers: list[FanServer] = field(default_factory=list)
    clock: MovableClock = field(default_factory=MovableClock)

    @classmethod
    def build(cls, double: DiscordDouble, tmp_path: Path) -> Newsroom:
        desk = double.add_guild("Golden Hour newsroom")
        return cls(
            double=double,
            database=tmp_path / "newsroom.sqlite3",
            desk=desk,
            desk_channel=double.add_channel(desk, "desk"),
            maintainer=double.add_member(desk, "maintainer"),
        )

    def add_servers(
        self,
        count: int,
        *,
        kind: Literal["text", "announcement"] = "text",
        role: bool = True,
        mentionable: bool = True,
        bot_permissions: int = BOT_PERMISSIONS,
    ) -> list[FanServer]:
        added = []
        for _ in range(count):
            number = len(self.servers) + 1
            guild = self.double.add_guild(f"Fan server {number}", bot_permissions=bot_permissions)
            server = FanServer(
                guild=guild,
                channel=self.double.add_channel(guild, "updates", kind),
                admin=self.double.add_member(
                    guild, f"admin{number}", permissions=ADMIN_PERMISSIONS
                ),
                fan=self.double.add_member(guild, f"fan{number}"),
                role=(
                    self.double.add_role(guild, "Trauma Team", mentionable=mentionable)
                    if role
                    else None
                ),
            )
            self.servers.append(server)
            added.append(server)
        return added

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "maintainer_ids": frozenset({self.maintainer.user.id}),
            "admin_guild_id": self.desk.id,
        }
        values.update(overrides)
        return golden_settings(self.double, self.database, **values)

    def start(
        self, delivery: DeliveryOptions | None = None, **settings: Any
    ) -> contextlib.AbstractAsyncContextManager[GoldenHourBot]:
        return start_bot(
            self.double, self.settings(**settings), delivery or fast_delivery(self.clock)
        )

    async def subscribe(
        self, db: Database, servers: Sequence[FanServer], language: Language = "en"
    ) -> None:
        """Bulk /setup through the repository (a few tests use the real command instead)."""
        for server in servers:
            await repo_settings.save_guild_settings(
                db,
                guild_id=server.guild.id,
                channel_id=server.channel.id,
                channel_kind="announcement" if server.channel.is_announcement else "text",
                role_id=server.role.id if server.role is not None else None,
                language=language,
                now=self.clock(),
            )

    async def invoke(
        self, command: str, options: dict[str, Any] | None = None, **kwargs: Any
    ) -> InteractionResult:
        kwargs.setdefault("user", self.maintainer)
        kwargs.setdefault("channel", self.desk_channel)
        return await self.double.invoke(command, options, **kwargs)

    async def open_form(
        self, options: dict[str, Any] | None = None, **kwargs: Any
    ) -> InteractionResult:
        """/production post with its slash options: the bot answers with the writing form."""
        opened = await self.invoke("production post", options or {}, **kwargs)
        assert opened.modal is not None, opened
        return opened

    async def submit(
        self, opened: InteractionResult, values: dict[str, str], **kwargs: Any
    ) -> InteractionResult:
        kwargs.setdefault("user", self.maintainer)
        return await self.double.submit_modal(opened, values, **kwargs)

    async def preview(
        self, *, locale: str = "en-US", user: Member | None = None, **options: Any
    ) -> InteractionResult:
        """/production post, then the form filled in: title/body/title_ko/body_ko/source go
        into the form's fields, the other options on the command line."""
        options.setdefault("title", "Season 2 starts filming")
        options.setdefault("body", "The cast met for the first script reading.")
        values = {FORM_FIELDS[k]: str(options.pop(k)) for k in list(options) if k in FORM_FIELDS}
        who = user or self.maintainer
        opened = await self.open_form(options, locale=locale, user=who)
        result = await self.submit(opened, values, locale=locale, user=who)
        assert result.message is not None, result
        return result

    async def correct(self, options: dict[str, Any], **kwargs: Any) -> InteractionResult:
        """/production edit with text options, then Publish on its preview (when it has one)."""
        preview = await self.invoke("production edit", options, **kwargs)
        return await self._confirm(preview, "apply", **kwargs)

    async def retract(self, options: dict[str, Any], **kwargs: Any) -> InteractionResult:
        """/production retract, then Confirm on its confirmation (when it has one)."""
        asked = await self.invoke("production retract", options, **kwargs)
        return await self._confirm(asked, "retract", **kwargs)

    async def _confirm(
        self, result: InteractionResult, action: str, **kwargs: Any
    ) -> InteractionResult:
        if result.message is None or not self.has_button(result, action):
            return result  # refused: the answer says why
        kwargs.pop("locale", None)
        return await self.press(result, action, **kwargs)

    def has_button(self, result: InteractionResult, action: str) -> bool:
        message = result.message
        return message is not None and any(
            str(c.get("custom_id", "")).startswith(f"gh:prod:{action}:")
            for c in message.iter_components()
        )

    def button_id(self, result: InteractionResult, action: str) -> str:
        message = result.message
        assert message is not None
        found = [
            str(c["custom_id"])
            for c in message.iter_components()
            if str(c.get("custom_id", "")).startswith(f"gh:prod:{action}:")
        ]
        assert len(found) == 1, f"no {action} button on {message.components}"
        return found[0]

    async def publish(self, preview: InteractionResult, **kwargs: Any) -> InteractionResult:
        return await self.press(preview, "publish", **kwargs)

    async def press(
        self, preview: InteractionResult, action: str, **kwargs: Any
    ) -> InteractionResult:
        """Click Publish or Cancel and wait for the outcome the maintainer will see."""
        assert preview.message is not None
        kwargs.setdefault("user", self.maintainer)
        before = preview.message.content
        result = await self.double.click(preview.message, self.button_id(preview, action), **kwargs)
        return await settled(result, before)

    def posts(self, server: FanServer) -> list[Message]:
        """What the bot posted in a server's update channel."""
        bot_id = self.double.bot_user.id
        return [
            m
            for m in self.double.messages(server.channel)
            if m.author.id == bot_id and m.interaction_metadata is None  # not command answers
        ]

    def send_requests(self, server: FanServer) -> list[Any]:
        path = f"/channels/{server.channel.id}/messages"
        return [r for r in self.double.requests_to(MESSAGES_ROUTE) if r.path == path]
