"""The preview's Publish and Cancel buttons, and who counts as a maintainer.

Both buttons are :class:`discord.ui.DynamicItem` keyed by the preview token
(``gh:prod:publish:<token>``), so they work after a restart, and every outcome is decided by
the database: a second Publish, Publish after Cancel or after the preview expired, Cancel after
Publish, each gets a clear answer and changes nothing. The click is checked against the
maintainer list too (Discord shows the ephemeral preview only to its author, but that author
may have lost the role since).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final, Protocol, runtime_checkable

import discord
from discord.ext import commands

from bot.access import is_maintainer
from bot.i18n.catalogue import Catalogue, Lang, lang_for
from bot.production import repo_ledger, repo_previews
from bot.production.languages import other_language
from bot.production.models import (
    AlreadyPublished,
    Cancelled,
    Language,
    LanguageChoice,
    LanguageChoiceNeeded,
    PreviewCancelled,
    PreviewExpired,
    Published,
    UnknownPreview,
)
from bot.replies import NO_MENTIONS, reply_ephemeral
from bot.ui.base import NEVER_MATCHES, guarded, services_of
from bot.ui.production_form import draft_defaults, redo_form_id, writing_form
from bot.ui.production_render import choice_text, language_name, missing_text, progress_text

log = logging.getLogger(__name__)

TOKEN_PATTERN: Final = r"[A-Za-z0-9_-]{8,64}"
DESK_COG: Final = "Delivery"


@runtime_checkable
class DeliveryDesk(Protocol):
    """What the newsroom needs from the delivery cog: wake the worker, follow a job."""

    def wake(self) -> None: ...

    async def track(
        self, interaction: discord.Interaction[Any], update_id: int, lang: Lang, lead: str
    ) -> None: ...


def desk_of(client: discord.Client) -> DeliveryDesk | None:
    cog = client.get_cog(DESK_COG) if isinstance(client, commands.bot.BotBase) else None
    return cog if isinstance(cog, DeliveryDesk) else None


def clicker_lang(interaction: discord.Interaction[Any]) -> Lang:
    return lang_for(str(interaction.locale))


class _PreviewButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=NEVER_MATCHES
):
    """Common part: the token, the maintainer check, error routing."""

    action: str = ""

    def __init__(
        self,
        token: str,
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"gh:prod:{self.action}:{token}")
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> _PreviewButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, self._checked)

    async def _checked(self, interaction: discord.Interaction[Any]) -> None:
        # Acknowledge first: the owner lookup may need Discord, and the outcome waits on
        # SQLite's write lock (another process may hold it for seconds). The answer follows
        # by editing the preview, or as a follow-up.
        await interaction.response.defer()
        if not await is_maintainer(interaction.client, interaction.user):
            texts = services_of(interaction).texts
            await reply_ephemeral(
                interaction, texts.t(clicker_lang(interaction), "newsroom.not_maintainer")
            )
            return
        await self.act(interaction)

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError


class PublishButton(_PreviewButton, template=rf"gh:prod:publish:(?P<token>{TOKEN_PATTERN})"):
    action = "publish"

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        await publish(interaction, self.token, None)


class ChooseButton(
    _PreviewButton,
    template=rf"gh:prod:choose:(?P<choice>fallback|skip):(?P<token>{TOKEN_PATTERN})",
):
    """Publish, with the maintainer's word on servers whose language the post lacks."""

    def __init__(
        self,
        token: str,
        choice: LanguageChoice = "skip",
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        self.action = f"choose:{choice}"
        self.choice: LanguageChoice = choice
        super().__init__(token, label=label, style=style)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ChooseButton:
        choice: LanguageChoice = "fallback" if match["choice"] == "fallback" else "skip"
        return cls(match["token"], choice)

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        await publish(interaction, self.token, self.choice)


class AddLanguageButton(_PreviewButton, template=rf"gh:prod:addlang:(?P<token>{TOKEN_PATTERN})"):
    """Reopens the form with the text so far, to write the missing language."""

    action = "addlang"

    async def _checked(self, interaction: discord.Interaction[Any]) -> None:
        # A form must be the first answer, so this one is not deferred; the maintainer list
        # is in the settings (the owner lookup is cached after the first use).
        services = services_of(interaction)
        texts, lang = services.texts, clicker_lang(interaction)
        if not await is_maintainer(interaction.client, interaction.user):
            await reply_ephemeral(interaction, texts.t(lang, "newsroom.not_maintainer"))
            return
        preview = await repo_previews.get_preview(services.db, self.token)
        if preview is None or preview.state != "open":
            key = "newsroom.preview_cancelled" if preview else "newsroom.unknown_preview"
            if preview is not None and preview.state == "published":
                key = "newsroom.already_published"
            await reply_ephemeral(interaction, texts.t(lang, key, id=preview and preview.update_id))
            return
        modal = writing_form(
            texts,
            lang,
            custom_id=redo_form_id(self.token),
            title=texts.t(lang, "newsroom.form.title"),
            defaults=draft_defaults(preview.draft),
        )
        await interaction.response.send_modal(modal)
        modal.stop()  # the submit is handled by its custom_id (restart-proof), not this object


async def publish(
    interaction: discord.Interaction[Any], token: str, choice: LanguageChoice | None
) -> None:
    """Publish a preview and show the outcome in its message (or in a follow-up)."""
    services = services_of(interaction)
    texts, lang = services.texts, clicker_lang(interaction)
    # The database decides first; the answer follows. Two clicks queue on the writer
    # lock in arrival order, so the second always sees the first's outcome.
    result = await repo_previews.publish_preview(
        services.db, token, services.delivery.clock(), choice
    )
    match result:
        case LanguageChoiceNeeded(missing=missing, servers=servers):
            # Subscribers changed since the preview (or it was made without a choice):
            # nothing was published; ask now.
            await interaction.edit_original_response(
                content=missing_text(texts, lang, missing, servers),
                view=choice_view(token, lang, texts, missing),
                allowed_mentions=NO_MENTIONS,
            )
        case Published(update=update, deliveries=deliveries):
            services.timeline.invalidate()  # /renewal shows a season update at once
            desk = desk_of(interaction.client)
            if desk is not None:
                desk.wake()
            lead = texts.t(lang, "newsroom.published", id=update.update_id)
            chosen = choice_text(texts, lang, update)
            if chosen:
                lead = f"{lead} {chosen}"
            if deliveries == 0:
                status = texts.t(lang, "newsroom.no_subscribers")
            else:
                counts = await repo_ledger.delivery_counts(services.db, update.update_id)
                status = progress_text(texts, lang, counts)
            await interaction.edit_original_response(
                content=f"{lead}\n{status}", view=None, allowed_mentions=NO_MENTIONS
            )
            if desk is not None and deliveries > 0:
                await desk.track(interaction, update.update_id, lang, lead)
        case AlreadyPublished(update_id=update_id):
            await reply_ephemeral(
                interaction, texts.t(lang, "newsroom.already_published", id=update_id)
            )
        case PreviewExpired():
            await reply_ephemeral(interaction, texts.t(lang, "newsroom.preview_expired"))
        case PreviewCancelled():
            await reply_ephemeral(interaction, texts.t(lang, "newsroom.preview_cancelled"))
        case UnknownPreview():
            await reply_ephemeral(interaction, texts.t(lang, "newsroom.unknown_preview"))


class CancelButton(_PreviewButton, template=rf"gh:prod:cancel:(?P<token>{TOKEN_PATTERN})"):
    action = "cancel"

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        services = services_of(interaction)
        texts, lang = services.texts, clicker_lang(interaction)
        result = await repo_previews.cancel_preview(
            services.db, self.token, services.delivery.clock()
        )
        match result:
            case Cancelled():
                await interaction.edit_original_response(
                    content=texts.t(lang, "newsroom.cancelled"),
                    view=None,
                    allowed_mentions=NO_MENTIONS,
                )
            case AlreadyPublished(update_id=update_id):
                await reply_ephemeral(
                    interaction, texts.t(lang, "newsroom.cancel_too_late", id=update_id)
                )
            case PreviewCancelled():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.preview_cancelled"))
            case UnknownPreview():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.unknown_preview"))


def preview_view(
    token: str, lang: Lang, texts: Catalogue, missing: Language | None = None
) -> discord.ui.View:
    """Publish and Cancel; when servers chose a language the post lacks, the three explicit
    choices take Publish's place."""
    if missing is not None:
        return choice_view(token, lang, texts, missing)
    view = discord.ui.View(timeout=None)
    view.add_item(
        PublishButton(
            token, label=texts.t(lang, "newsroom.publish"), style=discord.ButtonStyle.success
        )
    )
    view.add_item(
        CancelButton(
            token, label=texts.t(lang, "newsroom.cancel"), style=discord.ButtonStyle.secondary
        )
    )
    return view


def choice_view(token: str, lang: Lang, texts: Catalogue, missing: Language) -> discord.ui.View:
    words = {
        "language": language_name(texts, lang, missing),
        "other": language_name(texts, lang, other_language(missing)),
    }
    view = discord.ui.View(timeout=None)
    if missing == "ko":  # the form can add Korean; English is the form's required part
        view.add_item(
            AddLanguageButton(
                token,
                label=texts.t(lang, "newsroom.add_language", **words),
                style=discord.ButtonStyle.primary,
            )
        )
    view.add_item(
        ChooseButton(token, "fallback", label=texts.t(lang, "newsroom.send_fallback", **words))
    )
    view.add_item(
        ChooseButton(token, "skip", label=texts.t(lang, "newsroom.skip_servers", **words))
    )
    view.add_item(CancelButton(token, label=texts.t(lang, "newsroom.cancel")))
    return view


PREVIEW_BUTTONS: Final = (PublishButton, ChooseButton, AddLanguageButton, CancelButton)
