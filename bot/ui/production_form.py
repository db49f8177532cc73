"""The newsroom's writing form: a modal with multi-line fields for both languages.

The modal carries everything it needs in its custom_id (the slash options given before it
opened, or the preview or update it belongs to), and its submit is handled by a listener that
reads that id, not by an in-memory Modal object: a submit after a restart works the same.
Field custom_ids are short words (``title_en``, ``body_ko``, ``source``), which is also what
the offline console's ``:submit`` takes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import discord

from bot.datapack.models import Confidence, SeasonStatus
from bot.i18n.catalogue import Catalogue, Lang
from bot.production.compose import TITLE_MAX, URL_MAX
from bot.production.models import LocalizedText, UpdateDraft
from bot.render.limits import truncate

FORM_PREFIX: Final = "gh:prod:form:"
TEXT_INPUT_MAX: Final = 4000  # Discord's limit for a text input's value
MODAL_TITLE_MAX: Final = 45
LABEL_MAX: Final = 45
PLACEHOLDER_MAX: Final = 100
FIELDS: Final = ("title_en", "body_en", "title_ko", "body_ko", "source")
_TOKEN: Final = r"[A-Za-z0-9_-]{8,64}"
_CONFIDENCE: Final = r"official|reported|unconfirmed"
_STATUS: Final = r"[a-z_]{1,20}|-"
_NEW: Final = re.compile(
    rf"new:(?P<confidence>{_CONFIDENCE}):(?P<season>\d{{1,2}}):(?P<status>{_STATUS})"
    r"(?::(?P<topic>[a-z0-9][a-z0-9-]{0,39}))?"
    r"(?:@(?P<due>\d{9,11}):(?P<zone>[A-Za-z0-9_+\-/:]{1,40}))?"
)
_REDO: Final = re.compile(rf"redo:(?P<token>{_TOKEN})")
_EDIT: Final = re.compile(
    rf"edit:(?P<update_id>\d{{1,16}}):(?P<revision>\d{{1,9}}):(?P<confidence>{_CONFIDENCE}|-)"
    rf":(?P<season>\d{{1,2}}):(?P<status>{_STATUS})"
)


@dataclass(frozen=True, slots=True)
class FormOptions:
    """The slash options given before the form opened ('-'/0: not given)."""

    confidence: Confidence | None
    season: int | None
    status: SeasonStatus | None
    topic: str | None = None  # a topic id from the pack (which role each server pings)
    due: int | None = None  # a scheduled post: Unix seconds, and the zone the maintainer named
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class FormTarget:
    kind: Literal["new", "redo", "edit"]
    options: FormOptions
    token: str | None = None  # redo: the preview the form rewrites
    update_id: int | None = None  # edit: the update it corrects, at this revision
    revision: int | None = None


def new_form_id(
    confidence: str,
    season: int | None,
    status: str | None,
    topic: str | None = None,
    schedule: tuple[int, str] | None = None,
) -> str:
    """The form's custom_id carries the slash options (Discord keeps it for the submit);
    ``schedule`` is (due Unix seconds, zone name) for a post scheduled with ``at:``."""
    tail = f":{topic}" if topic else ""
    if schedule is not None:
        tail += f"@{schedule[0]}:{schedule[1]}"
    return f"{FORM_PREFIX}new:{confidence}:{season or 0}:{status or '-'}{tail}"


def redo_form_id(token: str) -> str:
    return f"{FORM_PREFIX}redo:{token}"


def edit_form_id(
    update_id: int, revision: int, confidence: str | None, season: int | None, status: str | None
) -> str:
    tail = f"{confidence or '-'}:{season or 0}:{status or '-'}"
    return f"{FORM_PREFIX}edit:{update_id}:{revision}:{tail}"


def _options(match: re.Match[str]) -> FormOptions:
    confidence = match["confidence"]
    status = match["status"]
    season = int(match["season"])
    return FormOptions(
        confidence=None if confidence == "-" else confidence,  # type: ignore[arg-type]
        season=season or None,
        status=None if status == "-" else status,  # type: ignore[arg-type]
        topic=match.groupdict().get("topic"),
        due=int(match["due"]) if match.groupdict().get("due") else None,
        zone=match.groupdict().get("zone"),
    )


def parse_form_id(custom_id: str) -> FormTarget | None:
    """What a submitted form belongs to; None for anything that is not ours (or tampered)."""
    if not custom_id.startswith(FORM_PREFIX) or len(custom_id) > 100:
        return None
    rest = custom_id[len(FORM_PREFIX) :]
    if match := _NEW.fullmatch(rest):
        return FormTarget("new", _options(match))
    if match := _REDO.fullmatch(rest):
        return FormTarget("redo", FormOptions(None, None, None), token=match["token"])
    if match := _EDIT.fullmatch(rest):
        return FormTarget(
            "edit",
            _options(match),
            update_id=int(match["update_id"]),
            revision=int(match["revision"]),
        )
    return None


def writing_form(
    texts: Catalogue,
    lang: Lang,
    *,
    custom_id: str,
    title: str,
    defaults: Mapping[str, str | None],
) -> discord.ui.Modal:
    """Five fields: English title and text, Korean title and text, source link.

    English is required (the post's language of record); Korean is optional, and Publish asks
    what Korean servers get without it.
    """
    modal = discord.ui.Modal(title=truncate(title, MODAL_TITLE_MAX), custom_id=custom_id)
    specs: tuple[tuple[str, discord.TextStyle, int, bool, str | None], ...] = (
        ("title_en", discord.TextStyle.short, TITLE_MAX, True, None),
        ("body_en", discord.TextStyle.paragraph, TEXT_INPUT_MAX, True, None),
        ("title_ko", discord.TextStyle.short, TITLE_MAX, False, "optional_ko"),
        ("body_ko", discord.TextStyle.paragraph, TEXT_INPUT_MAX, False, "optional_ko"),
        ("source", discord.TextStyle.short, URL_MAX, False, "source_hint"),
    )
    for name, style, limit, required, hint in specs:
        default = defaults.get(name) or None
        modal.add_item(
            discord.ui.TextInput(
                label=truncate(texts.t(lang, f"newsroom.form.{name}"), LABEL_MAX),
                custom_id=name,
                style=style,
                required=required,
                max_length=limit,
                default=truncate(default, limit) if default else None,
                placeholder=(
                    truncate(texts.t(lang, f"newsroom.form.{hint}"), PLACEHOLDER_MAX)
                    if hint
                    else None
                ),
            )
        )
    return modal


def draft_defaults(draft: UpdateDraft) -> dict[str, str | None]:
    return {
        "title_en": draft.title.en,
        "body_en": draft.body.en,
        "title_ko": draft.title.ko,
        "body_ko": draft.body.ko,
        "source": draft.source_url,
    }


def submitted_values(data: Mapping[str, Any]) -> dict[str, str]:
    """The text fields of a modal submit (legacy action rows and Label components alike)."""
    values: dict[str, str] = {}

    def take(component: Mapping[str, Any]) -> None:
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str) and isinstance(component.get("value"), str):
            values[custom_id] = component["value"]

    for top in data.get("components", []):
        if not isinstance(top, Mapping):
            continue
        if isinstance(top.get("component"), Mapping):
            take(top["component"])
        for inner in top.get("components", []) or []:
            if isinstance(inner, Mapping):
                take(inner)
    return values


def draft_from_form(values: Mapping[str, str], base: UpdateDraft) -> UpdateDraft:
    """The draft the form describes; confidence, season and topic come from ``base``."""
    return UpdateDraft(
        title=LocalizedText(values.get("title_en", ""), values.get("title_ko") or None),
        body=LocalizedText(values.get("body_en", ""), values.get("body_ko") or None),
        confidence=base.confidence,
        source_url=values.get("source") or None,
        season=base.season,
        season_status=base.season_status,
        topic=base.topic,
    )
