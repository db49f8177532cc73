"""What maintainers read in the newsroom: the preview, live progress, reports, the list.

Texts come from the catalogue (``newsroom.*``) in the maintainer's own language; the update
itself is shown exactly as servers will see it (``compose``), in both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import discord

from bot.i18n.catalogue import Catalogue, Lang
from bot.production.compose import DraftProblem, build_preview, discord_date
from bot.production.discord_transport import to_embed
from bot.production.languages import LanguagePlan, other_language
from bot.production.models import (
    DeliveryCounts,
    DeliveryReport,
    Language,
    Update,
    UpdateDraft,
    UpdateSummary,
)
from bot.render.limits import truncate

REPORT_FAILURES_SHOWN: Final = 15
FAILURE_REASON_MAX: Final = 180
LIST_TITLE_MAX: Final = 120
EMBED_DESCRIPTION_MAX: Final = 4096

ServerName = Callable[[int], str]


def server_label(client: discord.Client, guild_id: int) -> str:
    """A server's name (and id, which stays true if the name changes) for reports."""
    guild = client.get_guild(guild_id)
    if guild is None:
        return str(guild_id)
    return f"{discord.utils.escape_markdown(guild.name)} ({guild_id})"


def number(value: int) -> str:
    return f"{value:,}"


def preview_embeds(draft: UpdateDraft, *, edited_at: float | None = None) -> list[discord.Embed]:
    """The update as servers will see it: one post per written language (the real posts' code;
    only the footer says 'Preview'); ``edited_at`` shows a correction's 'Corrected' line."""
    return [to_embed(embed) for embed in build_preview(draft, edited_at=edited_at).embeds]


def servers_text(texts: Catalogue, lang: Lang, count: int) -> str:
    return texts.plural(lang, "newsroom.server_count", count)


def language_name(texts: Catalogue, lang: Lang, language: Language) -> str:
    return texts.t(lang, f"language_in_text.{language}")


def languages_text(texts: Catalogue, lang: Lang, plan: LanguagePlan) -> str:
    """'In English: 3 servers · in Korean: 1 server.' as the post would go out now."""
    reach: dict[Language, int] = {"en": 0, "ko": 0}
    for language, count in plan.servers.items():
        if plan.missing != language:
            reach[language] += count
        elif plan.choice == "fallback":
            reach[other_language(language)] += count
    return texts.t(
        lang,
        "newsroom.preview_languages",
        english=servers_text(texts, lang, reach["en"]),
        korean=servers_text(texts, lang, reach["ko"]),
    )


def missing_text(texts: Catalogue, lang: Lang, missing: Language, servers: int) -> str:
    """The plain warning: a language is missing and servers chose it."""
    return texts.t(
        lang,
        "newsroom.missing_language",
        language=language_name(texts, lang, missing),
        other=language_name(texts, lang, other_language(missing)),
        servers=servers_text(texts, lang, servers),
    )


def choice_text(texts: Catalogue, lang: Lang, update: Update, *, report: bool = False) -> str:
    """What the maintainer's language choice did to an update (empty when none applied)."""
    if update.missing_language is None or update.language_choice is None:
        return ""
    kind = "fallback" if update.language_choice == "fallback" else "skipped"
    prefix = "report" if report else "published"
    return texts.t(
        lang,
        f"newsroom.{prefix}_{kind}",
        servers=servers_text(texts, lang, update.choice_servers),
        language=language_name(texts, lang, update.missing_language),
        other=language_name(texts, lang, other_language(update.missing_language)),
    )


def progress_text(texts: Catalogue, lang: Lang, counts: DeliveryCounts) -> str:
    """'Delivered 430 / 1,000 · 3 failed', plus what is still waiting."""
    text = texts.t(
        lang,
        "newsroom.progress",
        delivered=number(counts.delivered),
        total=number(counts.total),
        failed=number(counts.failed),
    )
    if counts.pending:
        text += texts.t(lang, "newsroom.progress_pending", count=number(counts.pending))
    if counts.edits_pending:
        text += texts.t(lang, "newsroom.progress_edits", count=number(counts.edits_pending))
    if counts.cancelled:
        text += texts.t(lang, "newsroom.progress_cancelled", count=number(counts.cancelled))
    return text


def report_embed(
    texts: Catalogue, lang: Lang, report: DeliveryReport, server_name: ServerName
) -> discord.Embed:
    """Counts, crossposts and every failure with its reason (the first few, then a pointer)."""
    update_id = report.update.update_id
    counts = report.counts
    lines = [progress_text(texts, lang, counts)]
    chosen = choice_text(texts, lang, report.update, report=True)
    if chosen:
        lines.append(chosen)
    if counts.crosspost_done or counts.crosspost_pending or counts.crosspost_failed:
        lines.append(
            texts.t(
                lang,
                "newsroom.crossposts",
                done=number(counts.crosspost_done),
                pending=number(counts.crosspost_pending),
                failed=number(counts.crosspost_failed),
            )
        )
    failed = counts.failed + counts.edits_failed
    if failed:
        lines.append(
            texts.t(
                lang,
                "newsroom.retry_hint",
                id=update_id,
                copies=texts.plural(lang, "newsroom.copies", failed),
            )
        )
    embed = discord.Embed(
        title=texts.t(lang, "newsroom.report_title", id=update_id),
        description="\n".join(lines),
        colour=0xE74C3C if report.failures else 0x2ECC71,
    )
    if not report.failures:
        embed.add_field(
            name=texts.t(lang, "newsroom.failures", count=0),
            value=texts.t(lang, "newsroom.no_failures"),
            inline=False,
        )
        return embed
    shown = []
    for failure in report.failures[:REPORT_FAILURES_SHOWN]:
        key = "newsroom.failure_edit" if failure.delivered else "newsroom.failure_line"
        reason = truncate(failure.reason, FAILURE_REASON_MAX)
        shown.append(texts.t(lang, key, server=server_name(failure.guild_id), reason=reason))
    hidden = len(report.failures) - len(shown)
    if hidden > 0:
        shown.append(texts.t(lang, "newsroom.failures_more", count=hidden, id=update_id))
    embed.add_field(
        name=texts.t(lang, "newsroom.failures", count=number(len(report.failures))),
        value=truncate("\n".join(shown), 1024),
        inline=False,
    )
    return embed


def problems_text(
    texts: Catalogue, lang: Lang, problems: Sequence[DraftProblem], *, form: bool = False
) -> str:
    """Why a draft (or a retraction reason) was refused, one line per problem; ``form``
    names the form's fields (as the maintainer saw them) instead of the command's options."""
    lines = [texts.t(lang, "newsroom.problems")]
    for problem in problems:
        lines.append(_problem_line(texts, lang, problem, form))
    return "\n".join(dict.fromkeys(lines))  # the same line twice says nothing new


def _option_name(problem: DraftProblem) -> str:
    """The slash-command option the maintainer typed the faulty text into."""
    names = {"title": "title", "body": "body", "source_url": "source", "reason": "reason"}
    name = names.get(problem.field, problem.field)
    return f"{name}_ko" if problem.language == "ko" and problem.field in ("title", "body") else name


def _field_name(texts: Catalogue, lang: Lang, problem: DraftProblem) -> str:
    """The form field the maintainer typed the faulty text into, by its label."""
    if problem.field in ("title", "body"):
        return texts.t(lang, f"newsroom.form.{problem.field}_{problem.language or 'en'}")
    if problem.field == "source_url":
        return texts.t(lang, "newsroom.form.source")
    return _option_name(problem)


def _problem_line(texts: Catalogue, lang: Lang, problem: DraftProblem, form: bool = False) -> str:
    params = {
        "option": _field_name(texts, lang, problem) if form else _option_name(problem),
        "length": number(problem.length or 0),
        "limit": number(problem.limit or 0),
    }
    match (problem.field, problem.code):
        case ("message", "too_long"):
            key = "newsroom.problem.message_too_long"
        case ("reason", "empty"):
            key = "newsroom.problem.reason_empty"
        case ("reason", "too_long"):
            key = "newsroom.problem.reason_too_long"
        case ("source_url", "invalid_url"):
            key = "newsroom.problem.invalid_url"
        case ("source_url", "required"):
            key = "newsroom.problem.source_required"
        case ("source_url", "needs_source"):
            key = "newsroom.problem.needs_source"
        case (_, "incomplete"):
            key = "newsroom.problem.incomplete"
        case ("season", "season_and_status"):
            key = "newsroom.problem.season_and_status"
        case ("season", "out_of_range"):
            key = "newsroom.problem.season_range"
        case (_, "empty"):
            key = "newsroom.problem.empty"
        case _:
            key = "newsroom.problem.too_long"
    return texts.t(lang, key, **params)


def list_embed(texts: Catalogue, lang: Lang, summaries: Sequence[UpdateSummary]) -> discord.Embed:
    """Recent updates, newest first, each with its delivery counts."""
    embed = discord.Embed(title=texts.t(lang, "newsroom.list_title"), colour=0x3498DB)
    if not summaries:
        embed.description = texts.t(lang, "newsroom.list_empty")
        return embed
    lines: list[str] = []
    for summary in summaries:
        update = summary.update
        flags = ""
        if update.edited_at is not None:
            flags += texts.t(lang, "newsroom.flag_edited")
        if update.is_retracted:
            flags += texts.t(lang, "newsroom.flag_retracted")
        line = texts.t(
            lang,
            "newsroom.list_line",
            id=update.update_id,
            date=discord_date(update.created_at),
            confidence=texts.t(lang, f"confidence.{update.draft.confidence}"),
            title=discord.utils.escape_markdown(
                truncate(update.draft.title.pick(lang), LIST_TITLE_MAX)
            ),
            flags=flags,
            progress=progress_text(texts, lang, summary.counts),
        )
        if sum(len(x) + 2 for x in lines) + len(line) > EMBED_DESCRIPTION_MAX:
            break
        lines.append(line)
    embed.description = "\n\n".join(lines)
    return embed
