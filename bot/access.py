"""Who may do what, checked in our code (Discord-side permissions are only a hint)."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

log = logging.getLogger(__name__)


async def is_maintainer(client: discord.Client, user: discord.abc.User) -> bool:
    """In MAINTAINER_IDS, or the application's owner (or a member of its team)."""
    services = getattr(client, "services", None)
    if services is not None and user.id in services.settings.maintainer_ids:
        return True
    # BotBase: both commands.Bot and the AutoShardedBot Golden Hour runs as.
    if not isinstance(client, commands.bot.BotBase):
        return False
    try:
        return await client.is_owner(user)
    except discord.HTTPException:  # the owner lookup needs Discord once; refuse rather than fail
        log.warning("could not look up the application's owners", exc_info=True)
        return False
