"""Scheduled posts in Discord: the preview with Schedule and Cancel, its buttons, the texts.

``/production post`` or ``edit`` with ``at:`` stores a draft schedule and shows
:func:`send_schedule_preview`; its Schedule button (``gh:prod:schedule:<token>``) confirms it,
durably, and re-arms this process's scheduler (``bot.production.scheduler``), which publishes it
at its time. Times are shown in the zone the maintainer named (KST by default) and, through
Discord's timestamp markup, in each reader's own.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any, Final, Protocol, runtime_checkable

import discord
from discord.ext import commands

from bot.i18n.catalogue import Catalogue, Lang
from bot.i18n.dates import format_date
from bot.production import repo_schedule
from bot.production.models import Update, UpdateDraft
from bot.production.schedule import (
    AlreadyConfirmed,
    Confirmed,
    Discarded,
    DraftDiscarded,
    DraftExpired,
    Schedule,
    ScheduleKind,
    TimePassed,
    UnknownDraft,
)
from bot.production.when import When, WhenError, parse_when, resolve_zone
from bot.render.limits import truncate
from bot.replies import NO_MENTIONS, reply_ephemeral
from bot.services import Services
from bot.ui.base import services_of
from bot.ui.production import TOKEN_PATTERN, _PreviewButton, clicker_lang
from bot.ui.production_render import preview_embeds

SCHEDULER_COG: Final = "Scheduler"
LIST_TITLE_MAX: Final = 80
EMBED_DESCRIPTION_MAX: Final = 4096


@runtime_checkable
class SchedulerDesk(Protocol):
    """What the newsroom needs from the scheduler cog: look at the next due time again."""

    def rearm(self) -> None: ...


def rearm(client: discord.Client) -> None:
    cog = client.get_cog(SCHEDULER_COG) if isinstance(client, commands.bot.BotBase) else None
    if isinstance(cog, SchedulerDesk):
        cog.rearm()


def parse_at(at: str, timezone: str | None, now: float) -> When:
    """The ``at:``/``timezone:`` options, or a :class:`WhenError` for the answer."""
    return parse_when(at, timezone, dt.datetime.fromtimestamp(now, dt.UTC))


def when_problem(texts: Catalogue, lang: Lang, error: WhenError, zone: str | None) -> str:
    return texts.t(lang, f"newsroom.when.{error.problem}", zone=zone or "")


def local_time(due_at: float, zone_name: str, lang: Lang) -> str:
    """'24 December 2026 20:00 KST' / '2026년 12월 24일 20:00 KST' in the schedule's zone."""
    zone = resolve_zone(zone_name)
    when = When(dt.datetime.fromtimestamp(due_at, zone.tzinfo), zone)
    clock = when.at.strftime("%H:%M:%S" if when.at.second else "%H:%M")
    return f"{format_date(when.at.date(), lang)} {clock} {when.label}"


def when_line(texts: Catalogue, lang: Lang, due_at: float, zone_name: str) -> str:
    stamp = int(due_at)
    return texts.t(
        lang,
        "newsroom.scheduled_for",
        when=local_time(due_at, zone_name, lang),
        local=f"<t:{stamp}:F>",
        relative=f"<t:{stamp}:R>",
    )


async def send_schedule_preview(
    interaction: discord.Interaction[Any],
    services: Services,
    lang: Lang,
    *,
    kind: ScheduleKind,
    draft: UpdateDraft,
    when: When,
    now: float,
    update: Update | None = None,
    servers: int = 0,
) -> None:
    """Store the draft schedule and show it with Schedule and Cancel (nothing is due yet)."""
    token = secrets.token_urlsafe(12)
    await repo_schedule.create_draft(
        services.db,
        token=token,
        kind=kind,
        author_id=interaction.user.id,
        draft=draft,
        due_at=when.timestamp,
        timezone=when.zone.name,
        now=now,
        update_id=None if update is None else update.update_id,
        expected_revision=None if update is None else update.revision,
    )
    texts = services.texts
    if update is None:
        lead = texts.t(
            lang,
            "newsroom.schedule_preview",
            servers=texts.plural(lang, "newsroom.servers", servers),
        )
    else:
        lead = texts.t(lang, "newsroom.schedule_edit_preview", id=update.update_id)
    text = f"{when_line(texts, lang, when.timestamp, when.zone.name)}\n{lead}"
    await interaction.followup.send(
        text,
        embeds=preview_embeds(draft),
        view=schedule_view(token, lang, texts),
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )


class ScheduleButton(_PreviewButton, template=rf"gh:prod:schedule:(?P<token>{TOKEN_PATTERN})"):
    action = "schedule"

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        services = services_of(interaction)
        texts, lang = services.texts, clicker_lang(interaction)
        result = await repo_schedule.confirm(services.db, self.token, services.delivery.clock())
        match result:
            case Confirmed(schedule=schedule):
                rearm(interaction.client)
                await interaction.edit_original_response(
                    content=confirmed_text(texts, lang, schedule),
                    view=None,
                    allowed_mentions=NO_MENTIONS,
                )
            case AlreadyConfirmed(schedule=schedule):
                await reply_ephemeral(
                    interaction,
                    texts.t(lang, "newsroom.schedule_already", id=schedule.schedule_id),
                )
            case TimePassed():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.schedule_time_passed"))
            case DraftExpired():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.preview_expired"))
            case DraftDiscarded():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.preview_cancelled"))
            case UnknownDraft():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.unknown_preview"))


class DiscardButton(_PreviewButton, template=rf"gh:prod:discard:(?P<token>{TOKEN_PATTERN})"):
    action = "discard"

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        services = services_of(interaction)
        texts, lang = services.texts, clicker_lang(interaction)
        result = await repo_schedule.discard(services.db, self.token, services.delivery.clock())
        match result:
            case Discarded():
                await interaction.edit_original_response(
                    content=texts.t(lang, "newsroom.schedule_discarded"),
                    view=None,
                    allowed_mentions=NO_MENTIONS,
                )
            case AlreadyConfirmed(schedule=schedule):
                await reply_ephemeral(
                    interaction,
                    texts.t(lang, "newsroom.schedule_discard_too_late", id=schedule.schedule_id),
                )
            case DraftDiscarded():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.preview_cancelled"))
            case UnknownDraft():
                await reply_ephemeral(interaction, texts.t(lang, "newsroom.unknown_preview"))


def schedule_view(token: str, lang: Lang, texts: Catalogue) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        ScheduleButton(
            token, label=texts.t(lang, "newsroom.schedule"), style=discord.ButtonStyle.success
        )
    )
    view.add_item(DiscardButton(token, label=texts.t(lang, "newsroom.cancel")))
    return view


def confirmed_text(texts: Catalogue, lang: Lang, schedule: Schedule) -> str:
    return texts.t(
        lang,
        "newsroom.schedule_confirmed",
        id=schedule.schedule_id,
        when=when_line(texts, lang, schedule.due_at, schedule.timezone),
    )


def what_text(texts: Catalogue, lang: Lang, schedule: Schedule) -> str:
    if schedule.kind == "edit":
        return texts.t(lang, "newsroom.scheduled_edit", id=schedule.update_id)
    return texts.t(lang, "newsroom.scheduled_post")


def scheduled_embed(
    texts: Catalogue, lang: Lang, pending: Sequence[Schedule], failed: Sequence[Schedule]
) -> discord.Embed:
    """What will go out, soonest first, then what could not be applied lately."""
    embed = discord.Embed(title=texts.t(lang, "newsroom.scheduled_title"), colour=0xF1C40F)
    lines: list[str] = []
    for schedule in pending:
        lines.append(
            texts.t(
                lang,
                "newsroom.scheduled_line",
                id=schedule.schedule_id,
                when=local_time(schedule.due_at, schedule.timezone, lang),
                relative=f"<t:{int(schedule.due_at)}:R>",
                what=what_text(texts, lang, schedule),
                title=_title(schedule, lang),
            )
        )
    for schedule in failed:
        lines.append(
            texts.t(
                lang,
                "newsroom.scheduled_failed_line",
                id=schedule.schedule_id,
                when=local_time(schedule.due_at, schedule.timezone, lang),
                what=what_text(texts, lang, schedule),
                reason=texts.t(lang, f"newsroom.schedule_outcome.{schedule.outcome}"),
            )
        )
    if not lines:
        embed.description = texts.t(lang, "newsroom.scheduled_empty")
        return embed
    shown: list[str] = []
    for line in lines:
        if sum(len(x) + 2 for x in shown) + len(line) > EMBED_DESCRIPTION_MAX:
            break
        shown.append(line)
    embed.description = "\n\n".join(shown)
    return embed


def _title(schedule: Schedule, lang: Lang) -> str:
    return discord.utils.escape_markdown(truncate(schedule.draft.title.pick(lang), LIST_TITLE_MAX))


def not_pending_text(texts: Catalogue, lang: Lang, schedule: Schedule) -> str:
    key = {
        "published": "newsroom.schedule_gone_published",
        "failed": "newsroom.schedule_gone_failed",
    }.get(schedule.state, "newsroom.schedule_gone_cancelled")
    return texts.t(lang, key, id=schedule.schedule_id, update=schedule.update_id or 0)


SCHEDULE_BUTTONS: Final = (ScheduleButton, DiscardButton)
