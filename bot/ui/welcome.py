"""One short greeting when the bot joins a server, in the server's language.

Where: the server's system channel, if the bot may post there (View Channel + Send Messages;
the greeting is plain text, so Embed Links is not needed). Nobody else: Discord tells a bot
who added it only through the audit log (View Audit Log, which the invite does not ask for)
or the OAuth2 redirect to a web server (which this bot does not run), so there is no one to
DM. Without a usable system channel the join is one log line.

Exactly once per join: the join is recorded (guild id + the bot's joined_at) before the
message is sent, so restarts, reconnects and a repeated GUILD_CREATE never greet twice. A join
discord.py reports as "available" (it came inside READY: the bot was offline or reconnecting)
is greeted if the bot joined within ``JOIN_FRESH``.
"""

from __future__ import annotations

import datetime as dt
import logging

import discord
from sqlalchemy.exc import DBAPIError

from bot.i18n.catalogue import lang_for
from bot.replies import NO_MENTIONS
from bot.services import Services
from bot.store.database import StoreError
from bot.store.welcomed import claim_welcome

log = logging.getLogger(__name__)

# A server that becomes available this soon after the bot joined it was joined while the bot
# was offline or reconnecting: still worth a greeting. Older ones were there before.
JOIN_FRESH = dt.timedelta(minutes=10)


def greeting_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """The system channel, if the bot may read and post there (from the gateway cache)."""
    channel, me = guild.system_channel, guild.me
    if channel is None or me is None:
        return None
    allowed = channel.permissions_for(me)
    if not (allowed.view_channel and allowed.send_messages):
        return None
    return channel


def joined_recently(guild: discord.Guild, now: dt.datetime) -> bool:
    """Whether the bot joined ``guild`` within the last ``JOIN_FRESH``."""
    me = guild.me
    joined = me.joined_at if me is not None else None
    return joined is not None and now - joined <= JOIN_FRESH


def join_key(guild: discord.Guild) -> str:
    """When the bot joined: a new invite after a kick is a new join."""
    me = guild.me
    joined = me.joined_at if me is not None else None
    return joined.isoformat() if joined is not None else ""


async def welcome(services: Services, guild: discord.Guild, *, in_ready: bool = False) -> None:
    """Greet ``guild`` once for this join; every outcome but success is one log line.

    ``in_ready``: the join came inside READY (a start or reconnect lists every server, most of
    them old): servers the bot can't greet are passed over without a write or a log line.
    """
    if in_ready and greeting_channel(guild) is None:
        log.debug("server %s available: no system channel to greet it in", guild.id)
        return
    try:
        first = await claim_welcome(services.db, guild.id, join_key(guild), discord.utils.utcnow())
    except (StoreError, DBAPIError) as error:
        log.warning(
            "joined server %s but could not record the welcome (%s); not greeting it",
            guild.id,
            error,
        )
        return
    if not first:
        log.debug("server %s was greeted for this join already", guild.id)
        return
    channel = greeting_channel(guild)
    if channel is None:
        log.info(
            "joined server %s: no welcome message (no system channel the bot may post in)",
            guild.id,
        )
        return
    text = services.texts.t(lang_for(str(guild.preferred_locale)), "welcome.message")
    try:
        await channel.send(text, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as error:
        log.warning(
            "joined server %s: the welcome in channel %s was refused (HTTP %s, code %s)",
            guild.id,
            channel.id,
            error.status,
            error.code,
        )
        return
    log.info("joined server %s: welcome sent to channel %s", guild.id, channel.id)
