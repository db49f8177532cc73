"""/production post · edit · retract · list · status · retry · reload: the maintainers' newsroom.

Registered only in ``ADMIN_GUILD_ID`` when it is set, otherwise globally with
``default_member_permissions=0`` (hidden from everyone but server admins). Neither is a
safeguard, since server admins can override Discord-side permissions: every handler checks the
maintainer list (``MAINTAINER_IDS`` or the application's owner/team) itself.

Post opens a form with both languages (``bot.ui.production_form``); its submit stores a
validated draft under a random token and shows an ephemeral preview, per language, with Publish
and Cancel (``bot.ui.production_writing``). Nothing is sent before Publish, and a post lacking
the language some servers chose is published only with the maintainer's explicit choice. An
edit is previewed the same way, and a retraction shows every reader's notice and waits for
Confirm; both then change every delivered copy through the same outbox, and the reply follows
their progress. The id options suggest recent updates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Final, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import is_maintainer
from bot.datapack.models import Confidence, SeasonStatus
from bot.errors import UserFacingError
from bot.facts_reload import reseed
from bot.i18n.catalogue import Catalogue, Lang, lang_for
from bot.i18n.dates import format_date
from bot.i18n.translator import command_text
from bot.production import repo_deliveries, repo_ledger, repo_schedule, repo_updates, repo_writing
from bot.production.compose import (
    SEASON_MAX,
    DraftProblem,
    normalized_draft,
    validate_draft,
    validate_retract_reason,
)
from bot.production.models import (
    LocalizedText,
    Update,
    UpdateDraft,
)
from bot.production.schedule import Changed, NotPending, UnknownSchedule
from bot.production.when import When, WhenError
from bot.render.limits import truncate
from bot.replies import NO_MENTIONS
from bot.ui import schedule as sched_ui
from bot.ui.production import PREVIEW_BUTTONS, desk_of
from bot.ui.production_form import draft_defaults, edit_form_id, new_form_id, writing_form
from bot.ui.production_render import (
    list_embed,
    problems_text,
    report_embed,
    server_label,
)
from bot.ui.production_retract import RETRACT_BUTTONS, ask_retraction
from bot.ui.production_writing import WRITING_BUTTONS, form_submitted, show_correction
from bot.ui.reload import reload_text
from bot.ui.topic_setup import find_topic, topic_choices

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

CLEAR: Final = "-"  # in /production edit: remove an optional text (Korean, source)
# Discord accepts integer option bounds up to 2^53 - 1 (OpenAPI Int53Type); 2^53 fails the sync.
UPDATE_ID_MAX: Final = 2**53 - 1
CUSTOM_ID_MAX = 100  # Discord's limit on a component's or a form's custom_id
LIST_DEFAULT: Final = 10
LIST_MAX: Final = 25
CHOICE_NAME_MAX: Final = 100

CONFIDENCE_CHOICES: Final = [
    app_commands.Choice(name=command_text("✅ Official", "confidence.official"), value="official"),
    app_commands.Choice(name=command_text("📰 Reported", "confidence.reported"), value="reported"),
    app_commands.Choice(
        name=command_text("❔ Unconfirmed", "confidence.unconfirmed"), value="unconfirmed"
    ),
]
STATUS_CHOICES: Final = [
    app_commands.Choice(name=command_text(english, f"status.{value}"), value=value)
    for value, english in (
        ("released", "Released"),
        ("hoped_for", "Hoped for by the makers"),
        ("under_review", "Under review"),
        ("in_talks", "In talks"),
        ("renewed", "Renewed"),
        ("pre_production", "In pre-production"),
        ("filming", "Filming"),
        ("post_production", "In post-production"),
        ("cancelled", "Cancelled"),
    )
]

DESCRIBE_TEXT: Final = {
    "title": command_text("Headline (English)", "cmd.production.opt.title"),
    "body": command_text("Text of the update (English)", "cmd.production.opt.body"),
    "source": command_text(
        "Link to the source (http or https; '-' removes it when editing)",
        "cmd.production.opt.source",
    ),
    "confidence": command_text(
        "How sure it is (default: unconfirmed)", "cmd.production.opt.confidence"
    ),
    "season": command_text(
        "Season number, to add a status to the /renewal timeline", "cmd.production.opt.season"
    ),
    "status": command_text(
        "The season's new status (give it with season)", "cmd.production.opt.status"
    ),
    "title_ko": command_text(
        "Korean headline (optional; '-' removes it when editing)", "cmd.production.opt.title_ko"
    ),
    "body_ko": command_text(
        "Korean text (optional; '-' removes it when editing)", "cmd.production.opt.body_ko"
    ),
}
TOPIC_TEXT: Final = command_text(
    "What the update is about: who gets pinged (default: the first topic)",
    "cmd.production.opt.topic",
)
UPDATE_ID_TEXT: Final = command_text(
    "Update number (see /production list)", "cmd.production.opt.id"
)
SCHEDULE_TEXT: Final = {
    "at": command_text(
        "Schedule it: when to publish, e.g. 2026-12-24 20:00 or 20:00 (empty: now)",
        "cmd.production.opt.at",
    ),
    "timezone": command_text(
        "Timezone of `at` (default: Korea time, KST), e.g. UTC or America/New_York",
        "cmd.production.opt.timezone",
    ),
}
SCHEDULE_ID_TEXT: Final = command_text(
    "Scheduled post number (see /production scheduled)", "cmd.production.opt.schedule_id"
)

UpdateId = app_commands.Range[int, 1, UPDATE_ID_MAX]
Season = app_commands.Range[int, 1, SEASON_MAX]


def _lang(interaction: discord.Interaction[GoldenHourBot]) -> Lang:
    return lang_for(str(interaction.locale))


def _optional(value: str | None, current: str | None) -> str | None:
    """An edit's optional text: absent keeps the current one, '-' removes it."""
    if value is None:
        return current
    return None if value.strip() == CLEAR else value


def edited_draft(
    current: UpdateDraft,
    *,
    title: str | None,
    body: str | None,
    title_ko: str | None,
    body_ko: str | None,
    source: str | None,
    confidence: Confidence | None,
    season: int | None,
    status: SeasonStatus | None,
) -> UpdateDraft:
    """The current draft with only the options the maintainer gave changed."""
    draft = replace(
        current,
        title=LocalizedText(
            title if title is not None else current.title.en,
            _optional(title_ko, current.title.ko),
        ),
        body=LocalizedText(
            body if body is not None else current.body.en, _optional(body_ko, current.body.ko)
        ),
        source_url=_optional(source, current.source_url),
        confidence=confidence or current.confidence,
    )
    if season is not None or status is not None:
        draft = replace(
            draft,
            season=season if season is not None else current.season,
            season_status=status if status is not None else current.season_status,
        )
    return draft


@app_commands.default_permissions()  # "0": hidden except from admins (a hint, not a check)
class ProductionCog(
    commands.GroupCog,
    name="Production",
    group_name="production",
    group_description=command_text(
        "Production updates newsroom (maintainers)", "cmd.production.description"
    ),
):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def now(self) -> float:
        return self.bot.services.delivery.clock()

    async def _require_maintainer(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        if not await is_maintainer(self.bot, interaction.user):
            raise UserFacingError("newsroom.not_maintainer")

    async def _acknowledge(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        """Answer Discord at once: every handler here may wait on the database (another
        process holding SQLite's write lock) or on Discord (the owner lookup), and must not
        miss the 3 s deadline while what it does still happens."""
        await interaction.response.defer(ephemeral=True, thinking=True)

    async def _reply(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        content: str,
        embeds: list[discord.Embed] | None = None,
    ) -> None:
        if not interaction.response.is_done():  # a handler that did not acknowledge first
            await interaction.response.send_message(
                content, embeds=embeds or [], ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        # The first follow-up replaces the deferred "thinking…" message.
        await interaction.followup.send(
            content, embeds=embeds or [], ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def _known_update(self, update_id: int) -> Update:
        update = await repo_updates.get_update(self.bot.services.db, update_id)
        if update is None:
            raise UserFacingError("newsroom.unknown_update", id=update_id)
        return update

    async def _follow(
        self, interaction: discord.Interaction[GoldenHourBot], update_id: int, lead: str
    ) -> None:
        desk = desk_of(self.bot)
        if desk is not None:
            desk.wake()
            await desk.track(interaction, update_id, _lang(interaction), lead)

    async def _when(
        self, interaction: discord.Interaction[GoldenHourBot], at: str | None, zone: str | None
    ) -> When | Literal[False] | None:
        """The scheduled time (None: publish now), or False once a bad time was answered."""
        if at is None or not at.strip():
            return None
        try:
            return sched_ui.parse_at(at, zone, self.now)
        except WhenError as error:
            texts, lang = self.bot.services.texts, _lang(interaction)
            await self._reply(interaction, sched_ui.when_problem(texts, lang, error, zone))
            return False

    # ------------------------------------------------------------------ post

    @app_commands.command(
        name="post",
        description=command_text(
            "Post a production update to every subscribed server", "cmd.production.post"
        ),
    )
    @app_commands.describe(**DESCRIBE_TEXT, **SCHEDULE_TEXT, topic=TOPIC_TEXT)
    @app_commands.choices(confidence=CONFIDENCE_CHOICES, status=STATUS_CHOICES)
    async def post(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        title: str | None = None,
        body: str | None = None,
        source: str | None = None,
        confidence: str = "unconfirmed",
        season: Season | None = None,
        status: str | None = None,
        title_ko: str | None = None,
        body_ko: str | None = None,
        topic: str | None = None,
        at: str | None = None,
        timezone: str | None = None,
    ) -> None:
        """Opens the writing form (texts given as options fill it in); its submit shows the
        preview (``bot.ui.production_writing``)."""
        # A form must be the first answer, so this is not deferred: the maintainer list is
        # in the settings (the owner lookup is cached after its first use).
        await self._require_maintainer(interaction)
        services, lang = self.bot.services, _lang(interaction)
        pack_topics = services.facts.pack.topics
        # The update pings, in each server, the role of its topic (default: the pack's first).
        chosen = pack_topics[0] if topic is None else find_topic(pack_topics, topic)
        if chosen is None:
            await self._reply(
                interaction, services.texts.t(lang, "newsroom.unknown_topic", topic=topic)
            )
            return
        when = await self._when(interaction, at, timezone)
        if when is False:
            return
        checked = _confidence(confidence)
        given = {"title": title, "body": body, "title_ko": title_ko, "body_ko": body_ko}
        draft = normalized_draft(
            UpdateDraft(
                title=LocalizedText(title or "-", title_ko),
                body=LocalizedText(body or "-", body_ko),
                confidence=checked,
                source_url=source,
                season=season,
                season_status=_status(status),
                topic=chosen.id,
            )
        )
        # Refuse what the options already get wrong, before the maintainer types more; what
        # the form may still fill in (the source, the other half of Korean) is checked later.
        problems = [p for p in validate_draft(draft) if _refusable(p, given, source)]
        if problems:
            await self._reply(interaction, problems_text(services.texts, lang, problems))
            return
        form_id = new_form_id(
            checked,
            season,
            _status(status),
            chosen.id,
            None if when is None else (int(when.timestamp), when.zone.name),
        )
        if len(form_id) > CUSTOM_ID_MAX:
            # Discord keeps at most 100 characters of a form's id: a very long zone name.
            await self._reply(
                interaction, services.texts.t(lang, "newsroom.when.unknown_timezone", zone=timezone)
            )
            return
        modal = writing_form(
            services.texts,
            lang,
            custom_id=form_id,
            title=services.texts.t(lang, "newsroom.form.title"),
            defaults={
                "title_en": title,
                "body_en": body,
                "title_ko": title_ko,
                "body_ko": body_ko,
                "source": source,
            },
        )
        await interaction.response.send_modal(modal)
        modal.stop()  # the submit is handled by its custom_id (restart-proof), not this object

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await form_submitted(interaction)

    @post.autocomplete("topic")
    async def _topic_autocomplete(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(self.bot.services.facts.pack.topics, current, _lang(interaction))

    # ------------------------------------------------------------------ edit

    @app_commands.command(
        name="edit",
        description=command_text(
            "Correct an update everywhere it was posted", "cmd.production.edit"
        ),
    )
    @app_commands.rename(update_id="id")
    @app_commands.describe(update_id=UPDATE_ID_TEXT, **DESCRIBE_TEXT, **SCHEDULE_TEXT)
    @app_commands.choices(confidence=CONFIDENCE_CHOICES, status=STATUS_CHOICES)
    async def edit(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        update_id: UpdateId,
        title: str | None = None,
        body: str | None = None,
        source: str | None = None,
        confidence: str | None = None,
        season: Season | None = None,
        status: str | None = None,
        title_ko: str | None = None,
        body_ko: str | None = None,
        at: str | None = None,
        timezone: str | None = None,
    ) -> None:
        services, lang = self.bot.services, _lang(interaction)
        texts = services.texts
        # Checked before anything else (the form path cannot defer; the check reads settings).
        await self._require_maintainer(interaction)
        when = await self._when(interaction, at, timezone)
        if when is False:
            return
        if when is None and all(v is None for v in (title, body, title_ko, body_ko, source)):
            # No text given: the form opens with the current text (it must be the first answer).
            current = await self._known_update(update_id)
            modal = writing_form(
                texts,
                lang,
                custom_id=edit_form_id(
                    update_id, current.revision, confidence, season, _status(status)
                ),
                title=texts.t(lang, "newsroom.form.title_edit", id=update_id),
                defaults=draft_defaults(current.draft),
            )
            await interaction.response.send_modal(modal)
            modal.stop()
            return
        await self._acknowledge(interaction)
        current = await self._known_update(update_id)
        draft = normalized_draft(
            edited_draft(
                current.draft,
                title=title,
                body=body,
                title_ko=title_ko,
                body_ko=body_ko,
                source=source,
                confidence=_confidence(confidence) if confidence else None,
                season=season,
                status=_status(status),
            )
        )
        problems = validate_draft(draft)
        if problems:
            await self._reply(interaction, problems_text(texts, lang, problems))
            return
        if when is not None:
            if current.is_retracted:
                await self._reply(
                    interaction, texts.t(lang, "newsroom.already_retracted", id=update_id)
                )
            elif current.draft == draft:
                await self._reply(interaction, texts.t(lang, "newsroom.no_change", id=update_id))
            else:
                await sched_ui.send_schedule_preview(
                    interaction,
                    services,
                    lang,
                    kind="edit",
                    draft=draft,
                    when=when,
                    now=self.now,
                    update=current,
                )
            return
        await show_correction(interaction, current, draft)

    # ------------------------------------------------------------------ retract

    @app_commands.command(
        name="retract",
        description=command_text(
            "Retract an update everywhere it was posted", "cmd.production.retract"
        ),
    )
    @app_commands.rename(update_id="id")
    @app_commands.describe(
        update_id=UPDATE_ID_TEXT,
        reason=command_text(
            "Why it is retracted (shown in every copy)", "cmd.production.opt.reason"
        ),
    )
    async def retract(
        self, interaction: discord.Interaction[GoldenHourBot], update_id: UpdateId, reason: str
    ) -> None:
        await self._acknowledge(interaction)
        await self._require_maintainer(interaction)
        services, lang = self.bot.services, _lang(interaction)
        texts = services.texts
        reason = reason.strip()
        problems = validate_retract_reason(reason)
        if problems:
            await self._reply(interaction, problems_text(texts, lang, problems))
            return
        update = await self._known_update(update_id)
        if update.is_retracted:
            await self._reply(
                interaction, texts.t(lang, "newsroom.already_retracted", id=update_id)
            )
            return
        await ask_retraction(interaction, update, reason)

    @edit.autocomplete("update_id")
    @retract.autocomplete("update_id")
    async def _suggest_ids(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[int]]:
        return await self._suggestions(interaction, current)

    async def _suggestions(
        self, interaction: discord.Interaction[GoldenHourBot], typed: str
    ) -> list[app_commands.Choice[int]]:
        """Recent updates as '#12 · title · date · state', for maintainers only."""
        if not await is_maintainer(self.bot, interaction.user):
            return []
        services, lang = self.bot.services, _lang(interaction)
        updates = await repo_writing.find_updates(services.db, str(typed))
        return [
            app_commands.Choice(name=suggestion_name(services.texts, lang, u), value=u.update_id)
            for u in updates
        ]

    # ------------------------------------------------------------------ list and status

    @app_commands.command(
        name="list", description=command_text("List recent updates", "cmd.production.list")
    )
    @app_commands.describe(
        count=command_text("How many updates to list", "cmd.production.opt.count")
    )
    async def list_updates(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        count: app_commands.Range[int, 1, LIST_MAX] = LIST_DEFAULT,
    ) -> None:
        await self._acknowledge(interaction)
        await self._require_maintainer(interaction)
        services, lang = self.bot.services, _lang(interaction)
        summaries = await repo_ledger.recent_updates(services.db, count)
        await self._reply(interaction, "", [list_embed(services.texts, lang, summaries)])

    @app_commands.command(
        name="status",
        description=command_text("Delivery status of an update", "cmd.production.status"),
    )
    @app_commands.rename(update_id="id")
    @app_commands.describe(update_id=UPDATE_ID_TEXT)
    async def status(
        self, interaction: discord.Interaction[GoldenHourBot], update_id: UpdateId
    ) -> None:
        await self._acknowledge(interaction)
        await self._require_maintainer(interaction)
        services, lang = self.bot.services, _lang(interaction)
        report = await repo_ledger.delivery_report(services.db, update_id)
        if report is None:
            raise UserFacingError("newsroom.unknown_update", id=update_id)
        title = services.texts.t(
            lang,
            "newsroom.status_title",
            id=update_id,
            title=discord.utils.escape_markdown(report.update.draft.title.pick(lang)),
        )
        embed = report_embed(
            services.texts, lang, report, lambda guild_id: server_label(self.bot, guild_id)
        )
        await self._reply(interaction, title, [embed])

    @status.autocomplete("update_id")
    async def _suggest_status_ids(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[int]]:
        return await self._suggestions(interaction, current)

    @app_commands.command(
        name="retry",
        description=command_text(
            "Try the failed copies of an update again", "cmd.production.retry"
        ),
    )
    @app_commands.rename(update_id="id")
    @app_commands.describe(update_id=UPDATE_ID_TEXT)
    async def retry(
        self, interaction: discord.Interaction[GoldenHourBot], update_id: UpdateId
    ) -> None:
        """Fresh attempts for every failed copy (e.g. after an outage longer than the retries);
        the worker looks for an earlier copy first, so nothing is posted twice."""
        await self._acknowledge(interaction)
        await self._require_maintainer(interaction)
        services, lang = self.bot.services, _lang(interaction)
        texts = services.texts
        await self._known_update(update_id)
        result = await repo_deliveries.requeue_failed(services.db, update_id, now=self.now)
        queued = result.sends + result.edits
        copies = texts.plural(lang, "newsroom.copies", queued)
        key = "newsroom.retry_queued" if queued else "newsroom.retry_nothing"
        lead = texts.t(lang, key, id=update_id, copies=copies)
        if result.skipped:
            skipped = texts.plural(lang, "newsroom.copies", result.skipped)
            lead += texts.t(lang, "newsroom.retry_skipped", copies=skipped)
        await self._reply(interaction, lead)
        if queued:
            await self._follow(interaction, update_id, lead)

    # ------------------------------------------------------------------ reload

    @app_commands.command(
        name="reload",
        description=command_text(
            "Check the data pack in seeds/ and serve its facts now", "cmd.production.reload"
        ),
    )
    async def reload(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        """Validate seeds/ with the real loader, store it in one transaction, serve it; an
        invalid pack changes nothing and the maintainer sees the loader's problems."""
        await self._acknowledge(interaction)
        await self._require_maintainer(interaction)
        services, lang = self.bot.services, _lang(interaction)
        outcome = await reseed(
            services, services.settings.seeds_dir, by=f"maintainer {interaction.user.id}"
        )
        text = reload_text(services.texts, lang, outcome, services.facts.pack_hash)
        await self._reply(interaction, text)

    @retry.autocomplete("update_id")
    async def _suggest_retry_ids(
        self, interaction: discord.Interaction[GoldenHourBot], current: str
    ) -> list[app_commands.Choice[int]]:
        return await self._suggestions(interaction, current)

    # ------------------------------------------------------------------ scheduled posts

    @app_commands.command(
        name="scheduled",
        description=command_text(
            "Scheduled posts and corrections still to go out", "cmd.production.scheduled"
        ),
    )
    async def scheduled(self, interaction: discord.Interaction[GoldenHourBot]) -> None:
        await self._acknowledge(interaction)
        await self._require_maintainer(interaction)
        services, lang = self.bot.services, _lang(interaction)
        pending = await repo_schedule.pending_schedules(services.db, LIST_MAX)
        failed = await repo_schedule.recent_failures(services.db, self.now - 86400.0, 5)
        embed = sched_ui.scheduled_embed(services.texts, lang, pending, failed)
        await self._reply(interaction, "", [embed])

    @app_commands.command(
        name="reschedule",
        description=command_text(
            "Move a scheduled post or correction to another time", "cmd.production.reschedule"
        ),
    )
    @app_commands.rename(schedule_id="id")
    @app_commands.describe(schedule_id=SCHEDULE_ID_TEXT, **SCHEDULE_TEXT)
    async def reschedule(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        schedule_id: UpdateId,
        at: str,
        timezone: str | None = None,
    ) -> None:
        await self._acknowledge(interaction)
        await self._require_maintainer(interaction)
        services = self.bot.services
        when = await self._when(interaction, at, timezone)
        if not isinstance(when, When):
            return
        result = await repo_schedule.reschedule(
            services.db, schedule_id, due_at=when.timestamp, timezone=when.zone.name, now=self.now
        )
        await self._schedule_changed(interaction, result, "newsroom.rescheduled")

    @app_commands.command(
        name="unschedule",
        description=command_text(
            "Cancel a scheduled post or correction", "cmd.production.unschedule"
        ),
    )
    @app_commands.rename(schedule_id="id")
    @app_commands.describe(schedule_id=SCHEDULE_ID_TEXT)
    async def unschedule(
        self, interaction: discord.Interaction[GoldenHourBot], schedule_id: UpdateId
    ) -> None:
        await self._acknowledge(interaction)
        await self._require_maintainer(interaction)
        result = await repo_schedule.unschedule(self.bot.services.db, schedule_id, self.now)
        await self._schedule_changed(interaction, result, "newsroom.unscheduled")

    async def _schedule_changed(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        result: Changed | NotPending | UnknownSchedule,
        done_key: str,
    ) -> None:
        texts, lang = self.bot.services.texts, _lang(interaction)
        match result:
            case Changed(schedule=schedule):
                sched_ui.rearm(self.bot)
                when = sched_ui.when_line(texts, lang, schedule.due_at, schedule.timezone)
                text = texts.t(lang, done_key, id=schedule.schedule_id, when=when)
            case NotPending(schedule=schedule):
                text = sched_ui.not_pending_text(texts, lang, schedule)
            case UnknownSchedule(schedule_id=schedule_id):
                text = texts.t(lang, "newsroom.unknown_schedule", id=schedule_id)
        await self._reply(interaction, text)


def suggestion_name(texts: Catalogue, lang: Lang, update: Update) -> str:
    """'#12 · Season 2 starts filming · 5 December 2026 · corrected' (≤ 100 characters)."""
    state = "retracted" if update.is_retracted else "corrected" if update.edited_at else "live"
    day = dt.datetime.fromtimestamp(update.created_at, tz=dt.UTC).date()
    words = {
        "id": update.update_id,
        "date": format_date(day, lang),
        "state": texts.t(lang, f"newsroom.state.{state}"),
    }
    room = CHOICE_NAME_MAX - len(texts.t(lang, "newsroom.suggestion", title="", **words))
    title = truncate(update.draft.title.pick(lang), max(room, 1))
    return texts.t(lang, "newsroom.suggestion", title=title, **words)[:CHOICE_NAME_MAX]


def _refusable(problem: DraftProblem, given: dict[str, str | None], source: str | None) -> bool:
    """Whether a problem of the options alone is final (not something the form can fix)."""
    if problem.code in ("incomplete", "needs_source", "required"):
        return False
    if problem.field in ("title", "body"):
        name = problem.field if problem.language != "ko" else f"{problem.field}_ko"
        return given.get(name) is not None
    if problem.field == "source_url":
        return source is not None
    return True


def _confidence(value: str) -> Confidence:
    """Discord offers only the choices, but a client may send anything: check again."""
    for choice in CONFIDENCE_CHOICES:
        if choice.value == value:
            return choice.value  # type: ignore[return-value]  # one of the Literal values
    raise UserFacingError("error.bad_input")


def _status(value: str | None) -> SeasonStatus | None:
    if value is None:
        return None
    for choice in STATUS_CHOICES:
        if choice.value == value:
            return choice.value  # type: ignore[return-value]  # one of the Literal values
    raise UserFacingError("error.bad_input")


async def setup(bot: GoldenHourBot) -> None:
    cog = ProductionCog(bot)
    admin_guild = bot.services.settings.admin_guild_id
    if admin_guild is not None:
        # The newsroom's own server: visible to its members; the handlers still check.
        group = cog.app_command
        if group is not None:
            group.default_permissions = None
        await bot.add_cog(cog, guild=discord.Object(admin_guild))
    else:
        await bot.add_cog(cog)
    bot.add_dynamic_items(
        *PREVIEW_BUTTONS, *WRITING_BUTTONS, *RETRACT_BUTTONS, *sched_ui.SCHEDULE_BUTTONS
    )


async def teardown(bot: GoldenHourBot) -> None:
    bot.remove_dynamic_items(
        *PREVIEW_BUTTONS, *WRITING_BUTTONS, *RETRACT_BUTTONS, *sched_ui.SCHEDULE_BUTTONS
    )
