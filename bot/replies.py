"""Replying safely: every message leaves with explicit allowed_mentions, and a reply is
sent as a response or a follow-up depending on what the interaction already used."""

from __future__ import annotations

import logging

import discord

from bot.deadline import InteractionTooLate, is_unknown_interaction, note_refused

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Send a short private message, whatever state the interaction is in."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        elif not interaction.is_expired():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            log.warning("interaction %s expired before the reply: %s", interaction.id, text)
    except InteractionTooLate:
        return  # past Discord's deadline: dropped, logged and counted already
    except discord.HTTPException as error:
        if is_unknown_interaction(error):
            note_refused(interaction, "a reply")
            return
        # One line: Discord said no (status and code say why); the user can't be told.
        log.warning(
            "could not reply to interaction %s: HTTP %s, code %s: %s",
            interaction.id,
            error.status,
            error.code,
            error.text[:200],
        )
