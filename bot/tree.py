"""The command tree owns cross-cutting policy: errors become short, localised, ephemeral
replies; unexpected ones are logged once with a reference the user can quote; and an
interaction that can no longer be answered within Discord's deadline is dropped, when its
handler would start or just before its first answer (:mod:`bot.deadline`)."""

from __future__ import annotations

import logging
import secrets
import sqlite3
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from sqlalchemy.exc import DBAPIError

from bot.deadline import InteractionTooLate, is_unknown_interaction, note_refused
from bot.errors import UserFacingError
from bot.i18n.catalogue import Catalogue, lang_for
from bot.option_guard import option_problem
from bot.replies import reply_ephemeral

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

log = logging.getLogger(__name__)


def new_error_ref() -> str:
    return secrets.token_hex(3)


# PostgreSQL's lock_timeout ran out (the store's write lock or a row lock).
_PG_LOCK_NOT_AVAILABLE = "55P03"


def is_database_busy(error: BaseException) -> bool:
    """The database gave up waiting for another process's lock (the transaction never
    began): SQLite's busy timeout or PostgreSQL's lock timeout."""
    inner = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(inner, sqlite3.OperationalError):
        return getattr(inner, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")
    return getattr(inner, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE


def describe_error(error: BaseException, interaction: discord.Interaction, texts: Catalogue) -> str:
    """Map an error to the text the user sees; unknown errors are logged with a reference."""
    lang = lang_for(str(interaction.locale))
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, UserFacingError):
        return texts.t(lang, original.key, **original.params)
    if isinstance(original, app_commands.CommandOnCooldown):
        return texts.t(lang, "error.cooldown", seconds=f"{original.retry_after:.0f}")
    if isinstance(original, app_commands.NoPrivateMessage):
        return texts.t(lang, "error.not_in_guild")
    if isinstance(original, app_commands.CheckFailure):
        return texts.t(lang, "error.not_allowed")
    if isinstance(original, app_commands.TransformerError):
        return texts.t(lang, "error.bad_input")
    if is_database_busy(original):
        log.warning(
            "database busy: another process held SQLite's write lock past the busy timeout "
            "(command=%s custom_id=%s user=%s); nothing was written, the user was asked to "
            "try again. Is a seed or a second bot running on the same file?",
            interaction.command.qualified_name if interaction.command else None,
            (interaction.data or {}).get("custom_id") if interaction.data else None,
            interaction.user.id if interaction.user else None,
        )
        return texts.t(lang, "error.busy")
    ref = new_error_ref()
    command = interaction.command.qualified_name if interaction.command else None
    custom_id = (interaction.data or {}).get("custom_id") if interaction.data else None
    log.error(
        "unexpected error ref=%s command=%s custom_id=%s user=%s guild=%s",
        ref,
        command,
        custom_id,
        interaction.user.id if interaction.user else None,
        interaction.guild_id,
        exc_info=original,
    )
    return texts.t(lang, "error.unexpected", ref=ref)


async def report_interaction_error(
    interaction: discord.Interaction, error: BaseException, texts: Catalogue
) -> None:
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, InteractionTooLate):
        return  # dropped before answering: logged and counted already
    if is_unknown_interaction(original):
        # Discord no longer knows the interaction: nothing can reach the user any more, and
        # another try would be one more invalid request. One line, counted.
        note_refused(interaction, "its handler")
        return
    await reply_ephemeral(interaction, describe_error(error, interaction, texts))


async def refuse_bad_options(interaction: discord.Interaction, texts: Catalogue) -> bool:
    """Answer an option value the command could not have been sent; True if it was refused.

    Runs before discord.py parses the options: a value it can't parse would otherwise end the
    handling task with no answer at all.
    """
    problem = option_problem(interaction)
    if problem is None:
        return False
    command = interaction.command.qualified_name if interaction.command else "?"
    log.info(
        "refused /%s from user %s: option %s (%s)",
        command,
        interaction.user.id if interaction.user else None,
        problem.params.get("option"),
        problem.key,
    )
    if interaction.type is discord.InteractionType.autocomplete:
        try:
            await interaction.response.autocomplete([])
        except discord.HTTPException:
            log.warning("could not answer autocomplete %s", interaction.id)
    else:
        lang = lang_for(str(interaction.locale))
        await reply_ephemeral(interaction, texts.t(lang, problem.key, **problem.params))
    return True


class GoldenHourTree(app_commands.CommandTree["GoldenHourBot"]):
    async def interaction_check(self, interaction: discord.Interaction[GoldenHourBot]) -> bool:
        """Commands and autocompletes too old to answer in time are dropped, not answered;
        option values the command could not have been sent are refused with a short answer."""
        if not await self.client.services.deadline.enter(interaction):
            return False
        return not await refuse_bad_options(interaction, self.client.services.texts)

    async def on_error(
        self, interaction: discord.Interaction[GoldenHourBot], error: app_commands.AppCommandError
    ) -> None:
        await report_interaction_error(interaction, error, self.client.services.texts)
