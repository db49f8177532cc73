"""What every component callback shares: the services, and errors reported like commands'.

discord.py only logs exceptions raised in a DynamicItem callback (the user would see
'This interaction failed'), so callbacks run through :func:`guarded`, which sends the same
short, localised, ephemeral text as the command tree does.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Final

import discord

from bot.deadline import deadline_of
from bot.services import Services
from bot.tree import report_interaction_error

CUSTOM_ID_MAX: Final = 100  # Discord's limit for a component custom_id
NEVER_MATCHES: Final = r"(?!)"  # template of abstract item classes: never dispatched


def services_of(interaction: discord.Interaction[Any]) -> Services:
    """The services of the Golden Hour client that received ``interaction``."""
    services = getattr(interaction.client, "services", None)
    if not isinstance(services, Services):
        raise RuntimeError("this interaction did not reach a Golden Hour client")
    return services


async def guarded(
    interaction: discord.Interaction[Any],
    action: Callable[[discord.Interaction[Any]], Awaitable[None]],
) -> None:
    """Run a component callback; any exception becomes an ephemeral reply (and a log line).

    A click already past Discord's deadline is dropped unanswered (:mod:`bot.deadline`).
    """
    guard = deadline_of(interaction)
    if guard is not None and not await guard.enter(interaction):
        return
    try:
        await action(interaction)
    except Exception as error:
        texts = getattr(getattr(interaction.client, "services", None), "texts", None)
        if texts is None:
            raise
        await report_interaction_error(interaction, error, texts)


def checked_custom_id(template: re.Pattern[str], custom_id: str) -> str | None:
    """``custom_id`` if Discord and our own template accept it, else None (caller drops it)."""
    if len(custom_id) > CUSTOM_ID_MAX or template.fullmatch(custom_id) is None:
        return None
    return custom_id
