"""/production retract's confirmation: what every reader will see, per language, then
Confirm or Cancel. Nothing changes before Confirm; the reason waits in the database under a
random token named by both buttons, so they work after a restart and a second click (or a
click after Cancel or expiry) is answered and changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any, Final

import discord

from bot.production import repo_ledger, repo_writing
from bot.production.compose import build_post
from bot.production.models import AlreadyRetracted, Retracted, UnknownUpdate, Update
from bot.replies import NO_MENTIONS, reply_ephemeral
from bot.ui.base import services_of
from bot.ui.production import TOKEN_PATTERN, _PreviewButton, clicker_lang, desk_of
from bot.ui.production_render import language_name, servers_text


async def _closed(interaction: discord.Interaction[Any], text: str) -> None:
    """A confirmation whose click settled it for good: say so and take its buttons away."""
    await interaction.edit_original_response(content=text, view=None, allowed_mentions=NO_MENTIONS)


async def ask_retraction(
    interaction: discord.Interaction[Any], update: Update, reason: str
) -> None:
    """What every reader will see, per language, and Confirm/Cancel; nothing changes yet."""
    services = services_of(interaction)
    texts, lang = services.texts, clicker_lang(interaction)
    token = secrets.token_urlsafe(12)
    await repo_writing.create_retraction(
        services.db,
        token=token,
        update=update,
        author_id=interaction.user.id,
        reason=reason,
        now=services.delivery.clock(),
    )
    deliveries = await repo_ledger.list_deliveries(services.db, update.update_id)
    copies = [d for d in deliveries if d.is_delivered]
    unsent = [d for d in deliveries if not d.is_delivered and d.job_is_open]
    retracted = _retracted(update, reason)
    lines = [
        texts.t(
            lang,
            "newsroom.retract_confirm",
            id=update.update_id,
            copies=texts.plural(lang, "newsroom.copies", len(copies)),
            pending=texts.plural(lang, "newsroom.copies", len(unsent)),
        )
    ]
    for language in ("en", "ko"):
        notice = build_post(retracted, language, None).content or ""
        lines.append(
            texts.t(
                lang,
                "newsroom.retract_notice",
                language=language_name(texts, lang, language),
                servers=servers_text(texts, lang, sum(1 for d in copies if d.language == language)),
                notice=notice,
            )
        )
    view = discord.ui.View(timeout=None)
    view.add_item(
        RetractButton(
            token,
            label=texts.t(lang, "newsroom.retract_button"),
            style=discord.ButtonStyle.danger,
        )
    )
    view.add_item(KeepButton(token, label=texts.t(lang, "newsroom.cancel")))
    await interaction.followup.send(
        "\n".join(lines), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
    )


def _retracted(update: Update, reason: str) -> Update:
    return replace(update, retracted_at=update.created_at, retract_reason=reason)


class RetractButton(_PreviewButton, template=rf"gh:prod:retract:(?P<token>{TOKEN_PATTERN})"):
    action = "retract"

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        services = services_of(interaction)
        texts, lang = services.texts, clicker_lang(interaction)
        result = await repo_writing.confirm_retraction(
            services.db,
            self.token,
            retracted_by=interaction.user.id,
            now=services.delivery.clock(),
        )
        match result:
            case Retracted(update=update, copies_queued=queued, sends_cancelled=cancelled):
                services.timeline.invalidate()
                lead = texts.t(
                    lang,
                    "newsroom.retracted",
                    id=update.update_id,
                    reason=discord.utils.escape_markdown(update.retract_reason or ""),
                    copies=texts.plural(lang, "newsroom.copies", queued),
                    cancelled=texts.plural(lang, "newsroom.copies", cancelled),
                )
                await interaction.edit_original_response(
                    content=lead, view=None, allowed_mentions=NO_MENTIONS
                )
                desk = desk_of(interaction.client)
                if desk is not None and queued:
                    desk.wake()
                    await desk.track(interaction, update.update_id, lang, lead)
            case AlreadyRetracted(update=update):
                text = texts.t(lang, "newsroom.already_retracted", id=update.update_id)
                await _closed(interaction, text)
            case UnknownUpdate(update_id=update_id):
                await _closed(interaction, texts.t(lang, "newsroom.unknown_update", id=update_id))
            case repo_writing.RetractionClosed(state=state):
                text = texts.t(lang, f"newsroom.retraction_closed.{state}")
                await reply_ephemeral(interaction, text)


class KeepButton(_PreviewButton, template=rf"gh:prod:keep:(?P<token>{TOKEN_PATTERN})"):
    """Cancel of a retraction: nothing changes."""

    action = "keep"

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        services = services_of(interaction)
        texts, lang = services.texts, clicker_lang(interaction)
        result = await repo_writing.cancel_retraction(services.db, self.token)
        match result:
            case repo_writing.RetractionCancelled(update_id=update_id):
                await _closed(
                    interaction, texts.t(lang, "newsroom.retract_cancelled", id=update_id)
                )
            case repo_writing.RetractionClosed(state=state):
                text = texts.t(lang, f"newsroom.retraction_closed.{state}")
                await reply_ephemeral(interaction, text)


RETRACT_BUTTONS: Final = (RetractButton, KeepButton)
