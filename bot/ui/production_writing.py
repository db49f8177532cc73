"""The writing flow between the slash commands and the database: the form's submit, the
per-language preview of a new post or a correction (the retraction's confirmation lives in
``production_retract``).

Nothing is sent or changed before the maintainer clicks: a preview is a row under a random
token, and every button names that token in its custom_id, so clicks work after a restart and
the database decides what a click still may do.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import replace
from typing import Any, Final

import discord

from bot.access import is_maintainer
from bot.errors import UserFacingError
from bot.i18n.catalogue import Catalogue, Lang
from bot.production import repo_ledger, repo_previews, repo_updates, repo_writing
from bot.production.compose import normalized_draft, validate_draft
from bot.production.languages import missing_language, plan, written_languages
from bot.production.models import (
    AlreadyPublished,
    AlreadyRetracted,
    Edited,
    LocalizedText,
    NoChange,
    PreviewCancelled,
    PreviewExpired,
    RevisionConflict,
    UnknownPreview,
    UnknownUpdate,
    Update,
    UpdateDraft,
)
from bot.production.when import When, resolve_zone
from bot.replies import NO_MENTIONS, reply_ephemeral
from bot.ui.base import guarded, services_of
from bot.ui.production import (
    TOKEN_PATTERN,
    CancelButton,
    _PreviewButton,
    clicker_lang,
    desk_of,
    preview_view,
)
from bot.ui.production_form import FormTarget, draft_from_form, parse_form_id, submitted_values
from bot.ui.production_render import (
    language_name,
    languages_text,
    missing_text,
    preview_embeds,
    problems_text,
)
from bot.ui.schedule import send_schedule_preview
from bot.ui.topic_setup import find_topic, name_in

log = logging.getLogger(__name__)


def _new_token() -> str:
    return secrets.token_urlsafe(12)


async def _acknowledge(interaction: discord.Interaction[Any]) -> None:
    """A form opened by a command gets a new private message; one opened from a preview's
    button rewrites that preview in place."""
    if interaction.message is not None:
        await interaction.response.defer()
    else:
        await interaction.response.defer(ephemeral=True, thinking=True)


async def _show(
    interaction: discord.Interaction[Any],
    content: str,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """The answer to a form: the preview message edited in place, or a private message."""
    if interaction.message is not None:
        await interaction.edit_original_response(
            content=content,
            embeds=embeds or [],
            view=view,
            allowed_mentions=NO_MENTIONS,
        )
        return
    if view is None:
        await interaction.followup.send(
            content, embeds=embeds or [], ephemeral=True, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.followup.send(
            content, embeds=embeds or [], view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


# --------------------------------------------------------------------------- the form's submit


async def form_submitted(interaction: discord.Interaction[Any]) -> None:
    """Entry point of every newsroom form submit (see the cog's listener)."""
    data: dict[str, Any] = dict(interaction.data or {})
    target = parse_form_id(str(data.get("custom_id", "")))
    if target is None:
        return
    await guarded(interaction, lambda i: _submitted(i, target))


async def _submitted(interaction: discord.Interaction[Any], target: FormTarget) -> None:
    await _acknowledge(interaction)
    services = services_of(interaction)
    texts, lang = services.texts, clicker_lang(interaction)
    if not await is_maintainer(interaction.client, interaction.user):
        raise UserFacingError("newsroom.not_maintainer")
    values = submitted_values(interaction.data or {})
    options = target.options
    if target.kind == "edit":
        assert target.update_id is not None
        current = await repo_updates.get_update(services.db, target.update_id)
        if current is None:
            raise UserFacingError("newsroom.unknown_update", id=target.update_id)
        base = current.draft
        if options.confidence is not None:
            base = replace(base, confidence=options.confidence)
        if options.season is not None and options.status is not None:
            base = replace(base, season=options.season, season_status=options.status)
        draft = normalized_draft(draft_from_form(values, base))
        if current.revision != target.revision:
            await _show(interaction, texts.t(lang, "newsroom.conflict", id=current.update_id))
            return
        await show_correction(interaction, current, draft)
        return
    if target.kind == "redo":
        assert target.token is not None
        old = await repo_previews.get_preview(services.db, target.token)
        if old is None or old.state != "open":
            await _show(interaction, texts.t(lang, "newsroom.unknown_preview"))
            return
        base = old.draft
    else:
        base = UpdateDraft(
            title=LocalizedText(""),
            body=LocalizedText(""),
            confidence=options.confidence or "unconfirmed",
            season=options.season,
            season_status=options.status,
            topic=options.topic,
        )
    draft = normalized_draft(draft_from_form(values, base))
    problems = validate_draft(draft)
    if problems:
        await _show(interaction, problems_text(texts, lang, problems, form=True))
        return
    if target.token is not None:
        await repo_previews.cancel_preview(services.db, target.token, services.delivery.clock())
    if options.due is not None and options.zone is not None:
        await show_schedule_preview(interaction, draft, options.due, options.zone)
        return
    await show_post_preview(interaction, draft)


async def show_schedule_preview(
    interaction: discord.Interaction[Any], draft: UpdateDraft, due: int, zone_name: str
) -> None:
    """A post written with ``at:``: the schedule's preview (Schedule/Cancel) instead."""
    services = services_of(interaction)
    lang = clicker_lang(interaction)
    zone = resolve_zone(zone_name)
    when = When(dt.datetime.fromtimestamp(due, tz=zone.tzinfo), zone)
    servers = await repo_writing.subscribers_by_language(services.db)
    await send_schedule_preview(
        interaction,
        services,
        lang,
        kind="post",
        draft=draft,
        when=when,
        now=services.delivery.clock(),
        servers=sum(servers.values()),
    )


# --------------------------------------------------------------------------- previews


async def show_post_preview(interaction: discord.Interaction[Any], draft: UpdateDraft) -> None:
    """Store the draft under a new token and show it as each server will receive it."""
    services = services_of(interaction)
    texts, lang = services.texts, clicker_lang(interaction)
    token = _new_token()
    await repo_previews.create_preview(
        services.db,
        token=token,
        author_id=interaction.user.id,
        draft=draft,
        now=services.delivery.clock(),
    )
    servers = await repo_writing.subscribers_by_language(services.db)
    wanted = plan(servers, draft, None)
    lines = [
        texts.t(
            lang,
            "newsroom.preview",
            servers=texts.plural(lang, "newsroom.servers", sum(servers.values())),
        ),
        languages_text(texts, lang, wanted),
    ]
    topics = services.facts.pack.topics
    chosen = find_topic(topics, draft.topic) if draft.topic else (topics[0] if topics else None)
    if chosen is not None:
        lines.append(texts.t(lang, "newsroom.preview_topic", topic=name_in(chosen, lang)))
    if wanted.needs_choice and wanted.missing is not None:
        lines.append(missing_text(texts, lang, wanted.missing, wanted.affected))
    await _show(
        interaction,
        "\n".join(lines),
        preview_embeds(draft),
        preview_view(token, lang, texts, wanted.missing if wanted.needs_choice else None),
    )


async def show_correction(
    interaction: discord.Interaction[Any], current: Update, draft: UpdateDraft
) -> None:
    """A correction previewed like a new post: nothing changes before Publish."""
    services = services_of(interaction)
    texts, lang = services.texts, clicker_lang(interaction)
    problems = validate_draft(draft)
    if problems:
        await _show(interaction, problems_text(texts, lang, problems, form=True))
        return
    if current.is_retracted:
        await _show(interaction, texts.t(lang, "newsroom.already_retracted", id=current.update_id))
        return
    if current.draft == draft:
        await _show(interaction, texts.t(lang, "newsroom.no_change", id=current.update_id))
        return
    now = services.delivery.clock()
    token = _new_token()
    await repo_previews.create_preview(
        services.db,
        token=token,
        author_id=interaction.user.id,
        draft=draft,
        now=now,
        edit_of=current,
    )
    deliveries = await repo_ledger.list_deliveries(services.db, current.update_id)
    copies = [d for d in deliveries if d.is_delivered]
    lines = [
        texts.t(
            lang,
            "newsroom.edit_preview",
            id=current.update_id,
            copies=texts.plural(lang, "newsroom.copies", len(copies)),
        )
    ]
    missing = missing_language(draft)
    stranded = sum(1 for d in copies if d.language == missing)
    if missing is not None and stranded and missing in written_languages(current.draft):
        lines.append(
            texts.t(
                lang,
                "newsroom.edit_language_gap",
                id=current.update_id,
                language=language_name(texts, lang, missing),
                other=language_name(texts, lang, "en" if missing == "ko" else "ko"),
                copies=texts.plural(lang, "newsroom.copies", stranded),
            )
        )
    view = discord.ui.View(timeout=None)
    view.add_item(
        ApplyButton(
            token, label=texts.t(lang, "newsroom.publish"), style=discord.ButtonStyle.success
        )
    )
    view.add_item(_cancel_button(token, texts, lang))
    await _show(interaction, "\n".join(lines), preview_embeds(draft, edited_at=now), view)


def _cancel_button(token: str, texts: Catalogue, lang: Lang) -> discord.ui.Item[Any]:
    return CancelButton(token, label=texts.t(lang, "newsroom.cancel"))


class ApplyButton(_PreviewButton, template=rf"gh:prod:apply:(?P<token>{TOKEN_PATTERN})"):
    """Publish of a correction: every delivered copy is edited in place."""

    action = "apply"

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        services = services_of(interaction)
        texts, lang = services.texts, clicker_lang(interaction)
        result = await repo_writing.publish_correction(
            services.db,
            self.token,
            editor_id=interaction.user.id,
            now=services.delivery.clock(),
        )
        match result:
            case Edited(update=update, copies_queued=queued):
                services.timeline.invalidate()
                lead = texts.t(
                    lang,
                    "newsroom.edited",
                    id=update.update_id,
                    copies=texts.plural(lang, "newsroom.copies", queued),
                )
                await interaction.edit_original_response(
                    content=lead, view=None, allowed_mentions=NO_MENTIONS
                )
                desk = desk_of(interaction.client)
                if desk is not None and queued:
                    desk.wake()
                    await desk.track(interaction, update.update_id, lang, lead)
            case NoChange(update=update):
                await _closed(interaction, texts.t(lang, "newsroom.no_change", id=update.update_id))
            case AlreadyRetracted(update=update):
                text = texts.t(lang, "newsroom.already_retracted", id=update.update_id)
                await _closed(interaction, text)
            case RevisionConflict(current=update):
                await _closed(interaction, texts.t(lang, "newsroom.conflict", id=update.update_id))
            case UnknownUpdate(update_id=update_id):
                await _closed(interaction, texts.t(lang, "newsroom.unknown_update", id=update_id))
            case AlreadyPublished(update_id=update_id):
                text = texts.t(lang, "newsroom.no_change", id=update_id)
                await reply_ephemeral(interaction, text)
            case PreviewExpired():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.preview_expired"))
            case PreviewCancelled():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.preview_cancelled"))
            case UnknownPreview():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.unknown_preview"))


async def _closed(interaction: discord.Interaction[Any], text: str) -> None:
    """A preview whose click changed nothing for good: say why and take its buttons away."""
    await interaction.edit_original_response(content=text, view=None, allowed_mentions=NO_MENTIONS)


WRITING_BUTTONS: Final = (ApplyButton,)
