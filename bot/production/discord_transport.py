"""The one place where the delivery worker meets discord.py.

Notes on discord.py 2.7.1 (read from ``abc.py`` ``Messageable.send`` and ``http.py``
``handle_message_parameters``): passing ``nonce=`` to ``send`` already makes the request carry
``"nonce": str(nonce), "enforce_nonce": true``, so Discord returns the earlier message for a
repeated nonce instead of posting again. No extra work is needed for ``enforce_nonce``.

Build the client with ``max_ratelimit_timeout=MAX_RATELIMIT_TIMEOUT`` so a long bucket wait
(a crosspost limit can be an hour) raises ``discord.RateLimited`` and the worker reschedules the
row, instead of discord.py sleeping inside one of the worker's slots.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Final

import aiohttp
import discord

from .compose import (
    NOTIFY_BUTTON_ID,
    AllowedMentionsPayload,
    EmbedData,
    OutgoingMessage,
    parse_delivery_marker,
)
from .models import Language
from .policy import ALREADY_CROSSPOSTED, OutcomeKind, classify_http_error
from .transport import (
    ChangeResult,
    Done,
    FindResult,
    Found,
    NotFound,
    Permanent,
    RateLimited,
    SendResult,
    Sent,
    Transient,
    Unreadable,
)

log = logging.getLogger(__name__)

MAX_RATELIMIT_TIMEOUT: Final = 30.0  # discord.py's smallest allowed value
NOTIFY_BUTTON_LABEL: Final[dict[Language, str]] = {
    "en": "Notify me / Stop notifying",
    "ko": "알림 받기 / 그만 받기",
}
# A 429 discord.py could not read as Discord's (no Via header): most likely a Cloudflare ban.
CLOUDFLARE_BACKOFF: Final = 600.0

# Reading the channel for a copy (see find_copy): start this long before the first attempt
# (clock skew between us and Discord), and read at most this many messages (5 requests).
FIND_MARGIN: Final = 60.0
FIND_SCAN_MAX: Final = 500

# (language, custom_id) -> the view with the Notify button.
ViewFactory = Callable[[Language, str], discord.ui.View]


def plain_notify_view(language: Language, custom_id: str = NOTIFY_BUTTON_ID) -> discord.ui.View:
    """The 'Notify me' button; the cogs' persistent dynamic item answers its clicks."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=NOTIFY_BUTTON_LABEL[language],
            emoji="🔔",
            style=discord.ButtonStyle.secondary,
            custom_id=custom_id,
        )
    )
    return view


def marker_revision(message: discord.Message, update_id: int) -> int | None:
    """The revision a message shows if it is a copy of ``update_id`` (its button's marker)."""
    for row in message.components:
        for item in getattr(row, "children", ()):
            custom_id = getattr(item, "custom_id", None)
            parsed = parse_delivery_marker(custom_id) if isinstance(custom_id, str) else None
            if parsed is not None and parsed[0] == update_id:
                return parsed[1]
    return None


def to_allowed_mentions(payload: AllowedMentionsPayload) -> discord.AllowedMentions:
    """Every field explicit: discord.py merges unset ones from the client default, and an unset
    field counts as True (the @everyone trap, DISCORD.md §2)."""
    roles = [discord.Object(id=role_id) for role_id in payload.get("roles", [])]
    return discord.AllowedMentions(
        everyone=False, users=False, roles=roles or False, replied_user=False
    )


def to_embed(data: EmbedData) -> discord.Embed:
    embed = discord.Embed(
        title=data.title,
        description=data.description,
        colour=data.colour,
        url=data.url,
        timestamp=(
            dt.datetime.fromtimestamp(data.timestamp, dt.UTC)
            if data.timestamp is not None
            else None
        ),
    )
    for item in data.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if data.footer:
        embed.set_footer(text=data.footer)
    return embed


def _error_reason(exc: discord.HTTPException) -> str:
    text = exc.text or exc.response.reason or "error"
    return f"HTTP {exc.status}: {text}" + (f" ({exc.code})" if exc.code else "")


def classify_exception(exc: BaseException) -> Permanent | Transient | RateLimited | None:
    """The worker's view of a discord.py / network failure; None for anything else (a bug)."""
    if isinstance(exc, discord.RateLimited):
        return RateLimited(exc.retry_after, "rate limited")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return RateLimited(CLOUDFLARE_BACKOFF, _error_reason(exc))
        verdict = classify_http_error(exc.status, exc.code or None)
        if verdict.kind is OutcomeKind.RATE_LIMITED:
            return RateLimited(verdict.retry_after or 5.0, _error_reason(exc))
        if verdict.kind is OutcomeKind.TRANSIENT:
            return Transient(_error_reason(exc))
        return Permanent(exc.code or None, _error_reason(exc))
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ClientError | OSError):
        return Transient(f"{type(exc).__name__}: {exc} (outcome unknown)")
    return None


class DiscordTransport:
    """Implements :class:`bot.production.transport.Transport` with a running discord.py client."""

    def __init__(
        self, client: discord.Client, *, view_factory: ViewFactory = plain_notify_view
    ) -> None:
        self.client = client
        self.view_factory = view_factory

    def _view(self, message: OutgoingMessage) -> discord.ui.View | None:
        if not message.notify_button:
            return None
        view = self.view_factory(message.language, message.marker or NOTIFY_BUTTON_ID)
        # A stopped view still renders its button, but discord.py will not keep one View
        # object per sent message: the persistent view the cogs register answers the clicks.
        view.stop()
        return view

    def ping_issue(self, channel_id: int, role_id: int | None) -> str | None:
        """Why a role ping would not notify, from the cache (None when fine or unknown)."""
        if role_id is None:
            return None
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            return None
        role = channel.guild.get_role(role_id)
        if role is None:
            return "the ping role no longer exists"
        me = channel.guild.me
        if me is None or role.mentionable:
            return None
        if not channel.permissions_for(me).mention_everyone:
            return (
                f"the role @{role.name} is not mentionable and the bot lacks the "
                "Mention Everyone permission, so the ping did not notify"
            )
        return None

    async def send(self, channel_id: int, message: OutgoingMessage, nonce: str) -> SendResult:
        destination = self.client.get_partial_messageable(channel_id)
        try:
            sent = await destination.send(
                content=message.content,
                embeds=[to_embed(e) for e in message.embeds],
                view=self._view(message),  # type: ignore[arg-type]  # None is accepted
                allowed_mentions=to_allowed_mentions(message.allowed_mentions),
                nonce=nonce,
            )
        except Exception as exc:
            return _mapped(exc)
        return Sent(sent.id, self.ping_issue(channel_id, message.ping_role_id))

    async def edit(
        self, channel_id: int, message_id: int, message: OutgoingMessage
    ) -> ChangeResult:
        target = self.client.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await target.edit(
                content=message.content,
                embeds=[to_embed(e) for e in message.embeds],
                view=self._view(message),
                allowed_mentions=to_allowed_mentions(message.allowed_mentions),
            )
        except Exception as exc:
            return _mapped(exc)
        return Done()

    def can_read_history(self, channel_id: int) -> bool | None:
        """From the cache: may the bot read the channel's history (None: channel unknown).

        Discord answers a history read without Read Message History with an empty list, not
        an error, so an empty answer only means "no copy" when this is True."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            return None
        me = channel.guild.me
        if me is None:
            return None
        permissions = channel.permissions_for(me)
        return permissions.view_channel and permissions.read_message_history

    async def find_copy(self, channel_id: int, update_id: int, since: float) -> FindResult:
        if self.client.user is None:
            return Transient("not logged in yet")
        if self.can_read_history(channel_id) is False:
            return Unreadable(
                f"could not check whether an earlier attempt was posted in <#{channel_id}>: "
                "the bot lacks Read Message History there"
            )
        me = self.client.user.id
        after = discord.Object(
            id=discord.utils.time_snowflake(
                dt.datetime.fromtimestamp(max(since - FIND_MARGIN, 0.0), dt.UTC)
            )
        )
        channel = self.client.get_partial_messageable(channel_id)
        read = 0
        try:
            async for message in channel.history(
                limit=FIND_SCAN_MAX, after=after, oldest_first=True
            ):
                read += 1
                if message.author.id != me:
                    continue
                revision = marker_revision(message, update_id)
                if revision is not None:
                    return Found(message.id, revision)
        except Exception as exc:
            return _mapped(exc)
        if read >= FIND_SCAN_MAX:
            return Unreadable(
                f"could not check whether an earlier attempt was posted in <#{channel_id}>: "
                f"more than {FIND_SCAN_MAX} messages since then"
            )
        return NotFound()

    async def crosspost(self, channel_id: int, message_id: int) -> ChangeResult:
        target = self.client.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await target.publish()
        except discord.HTTPException as exc:
            if exc.code == ALREADY_CROSSPOSTED:
                return Done()
            return _mapped(exc)
        except Exception as exc:
            return _mapped(exc)
        return Done()


def _mapped(exc: Exception) -> Permanent | Transient | RateLimited:
    result = classify_exception(exc)
    if result is None:
        raise exc  # a programming error: the worker logs it with the row and retries
    return result
