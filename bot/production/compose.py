"""Builds outgoing update messages as plain data, and checks drafts against Discord's limits.

Pure: no Discord imports. The Discord adapter turns an :class:`OutgoingMessage` into a real send.
The one rule that matters most: only the server's opted-in role may ever be pinged. The ping
goes in ``content`` (mentions inside embeds never notify) and ``allowed_mentions`` names exactly
that role, whatever the update text contains.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final, Literal, NotRequired, TypedDict
from urllib.parse import urlsplit

from bot.datapack.models import Confidence, SeasonStatus

from .languages import written_languages
from .models import Language, LocalizedText, Update, UpdateDraft

# Discord's limits (resources/message.mdx "Embed Limits"; inclusive, after trimming).
CONTENT_MAX: Final = 2000
TITLE_MAX: Final = 256
DESCRIPTION_MAX: Final = 4096
FIELD_NAME_MAX: Final = 256
FIELD_VALUE_MAX: Final = 1024
FOOTER_MAX: Final = 2048
EMBED_TOTAL_MAX: Final = 6000  # across every embed of one message
URL_MAX: Final = 512
RETRACT_REASON_MAX: Final = 300
SEASON_MAX: Final = 20

LANGUAGES: Final[tuple[Language, ...]] = ("en", "ko")
COLOUR_BY_CONFIDENCE: Final[dict[Confidence, int]] = {
    "official": 0x2ECC71,
    "reported": 0x3498DB,
    "unconfirmed": 0xF1C40F,
}
COLOUR_RETRACTED: Final = 0x95A5A6


def text_length(text: str) -> int:
    """Length as Discord may count it at worst (UTF-16 code units; emoji can count two)."""
    return len(text.encode("utf-16-le")) // 2


class AllowedMentionsPayload(TypedDict):
    """The ``allowed_mentions`` object of the request body."""

    parse: list[str]
    roles: NotRequired[list[int]]


@dataclass(frozen=True, slots=True)
class EmbedField:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class EmbedData:
    title: str
    description: str
    colour: int
    url: str | None = None
    fields: tuple[EmbedField, ...] = ()
    footer: str | None = None
    timestamp: float | None = None  # Unix seconds

    def length(self) -> int:
        """The characters that count towards the 6,000 total."""
        total = text_length(self.title) + text_length(self.description)
        total += text_length(self.footer or "")
        total += sum(text_length(f.name) + text_length(f.value) for f in self.fields)
        return total


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    content: str | None
    embeds: tuple[EmbedData, ...]
    allowed_mentions: AllowedMentionsPayload
    notify_button: bool  # attach the persistent 'Notify me / Stop notifying' button
    language: Language = "en"  # of the words on that button
    # The button's custom_id on a delivered post: it names the update and revision, so the
    # worker can recognise its own copy when it reads the channel (see delivery_marker).
    marker: str | None = None

    @property
    def ping_role_id(self) -> int | None:
        """The one role this message may notify, if any."""
        roles = self.allowed_mentions.get("roles") or []
        return roles[0] if roles else None


@dataclass(frozen=True, slots=True)
class PostLabels:
    """Fixed words of a post in one language (placeholders: ``{date}``, ``{reason}``, ...)."""

    confidence_name: str
    confidence: Mapping[Confidence, str]
    source: str
    season: str  # "{season}"
    status: Mapping[SeasonStatus, str]
    corrected: str  # "{date}"
    retracted: str  # "{reason}"
    footer: str  # "{update_id}"
    preview_footer: str
    unconfirmed: str = ""  # the visible line an unconfirmed post carries


# Mirrors the wording of bot/i18n (confidence.*, status.*); the cogs may pass their own labels.
DEFAULT_LABELS: Final[Mapping[Language, PostLabels]] = {
    "en": PostLabels(
        confidence_name="Confidence",
        confidence={
            "official": "✅ Official",
            "reported": "📰 Reported",
            "unconfirmed": "❔ Unconfirmed",
        },
        source="Source",
        season="Season {season}",
        status={
            "released": "Released",
            "hoped_for": "Hoped for by the makers",
            "under_review": "Under review",
            "in_talks": "In talks",
            "renewed": "Renewed",
            "pre_production": "In pre-production",
            "filming": "Filming",
            "post_production": "In post-production",
            "cancelled": "Cancelled",
        },
        corrected="✏️ Corrected {date}",
        retracted="**Retracted:** {reason}",
        footer="Production update #{update_id}",
        preview_footer="Preview · nobody has been pinged",
        unconfirmed="❔ Unconfirmed: not yet confirmed by Netflix, the studio or the press.",
    ),
    "ko": PostLabels(
        confidence_name="신뢰도",
        confidence={
            "official": "✅ 공식",
            "reported": "📰 보도",
            "unconfirmed": "❔ 미확인",
        },
        source="출처",
        season="시즌 {season}",
        status={
            "released": "공개 완료",
            "hoped_for": "제작진·출연진 희망",
            "under_review": "검토 중",
            "in_talks": "논의 중",
            "renewed": "제작 확정",
            "pre_production": "사전 제작 중",
            "filming": "촬영 중",
            "post_production": "후반 작업 중",
            "cancelled": "제작 취소",
        },
        corrected="✏️ 정정됨 {date}",
        retracted="**철회됨:** {reason}",
        footer="제작 소식 #{update_id}",
        preview_footer="미리보기 · 아무도 멘션되지 않았어요",
        unconfirmed="❔ 미확인 소식이에요. 넷플릭스, 제작사, 언론에서 아직 확인하지 않았어요.",
    ),
}

# Headroom kept free in the description for the 'Corrected <date>' line an edit adds later.
_LARGEST_UPDATE_ID: Final = 10**12
_LATEST_TIMESTAMP: Final = 32503680000.0  # 3000-01-01: the longest <t:…> tag we will write


NOTIFY_BUTTON_ID: Final = "gh:notify"
_MARKER: Final = re.compile(r"gh:notify:(?P<update_id>[0-9]{1,19}):(?P<revision>[0-9]{1,9})")


def delivery_marker(update_id: int, revision: int) -> str:
    """The Notify button's custom_id on a post: ``gh:notify:<update id>:<revision>``.

    It is how the worker finds a copy whose send landed but was never recorded: the nonce
    is not returned when reading messages and de-duplicates only for a few minutes, while a
    component's custom_id stays on the message, is invisible and is the same in every language.
    """
    return f"{NOTIFY_BUTTON_ID}:{update_id}:{revision}"


def parse_delivery_marker(custom_id: str) -> tuple[int, int] | None:
    """(update id, revision) from a marker; None for anything else (e.g. plain ``gh:notify``)."""
    match = _MARKER.fullmatch(custom_id)
    if match is None:
        return None
    return int(match["update_id"]), int(match["revision"])


def allowed_mentions_for(role_id: int | None) -> AllowedMentionsPayload:
    """Exactly the opted-in role, or nothing: never users, @everyone or @here."""
    if role_id is None:
        return {"parse": []}
    return {"parse": [], "roles": [role_id]}


def discord_date(timestamp: float) -> str:
    """A date every reader sees in their own time zone."""
    return f"<t:{int(timestamp)}:D>"


def update_embed(
    draft: UpdateDraft,
    language: Language,
    labels: PostLabels,
    *,
    update_id: int | None,
    created_at: float | None,
    edited_at: float | None,
) -> EmbedData:
    fields = [EmbedField(labels.confidence_name, labels.confidence[draft.confidence], True)]
    if draft.season is not None and draft.season_status is not None:
        fields.append(
            EmbedField(
                labels.season.format(season=draft.season),
                labels.status[draft.season_status],
                True,
            )
        )
    if draft.source_url:
        fields.append(EmbedField(labels.source, draft.source_url, False))
    description = draft.body.pick(language)
    if draft.confidence == "unconfirmed" and labels.unconfirmed:
        # Said in the post itself, not only by the field's colour and emoji.
        description = f"{description}\n\n*{labels.unconfirmed}*"
    if edited_at is not None:
        description = f"{description}\n\n*{labels.corrected.format(date=discord_date(edited_at))}*"
    footer = (
        labels.preview_footer if update_id is None else labels.footer.format(update_id=update_id)
    )
    return EmbedData(
        title=draft.title.pick(language),
        description=description,
        colour=COLOUR_BY_CONFIDENCE[draft.confidence],
        url=draft.source_url or None,
        fields=tuple(fields),
        footer=footer,
        timestamp=created_at,
    )


def build_post(
    update: Update,
    language: Language,
    role_id: int | None,
    labels: Mapping[Language, PostLabels] = DEFAULT_LABELS,
) -> OutgoingMessage:
    """The message a server should show for ``update`` now (also the target of every edit).

    A retracted update becomes a short notice with no embed, button or ping; an edited one gets a
    visible 'Corrected <date>' line. The role stays in ``content`` on edits so the copy keeps
    looking the same (Discord does not notify again on edits).
    """
    words = labels[language]
    if update.is_retracted:
        reason = update.retract_reason or ""
        return OutgoingMessage(
            content=words.retracted.format(reason=reason),
            embeds=(),
            allowed_mentions=allowed_mentions_for(None),
            notify_button=False,
            language=language,
        )
    embed = update_embed(
        update.draft,
        language,
        words,
        update_id=update.update_id,
        created_at=update.created_at,
        edited_at=update.edited_at,
    )
    return OutgoingMessage(
        content=f"<@&{role_id}>" if role_id is not None else None,
        embeds=(embed,),
        allowed_mentions=allowed_mentions_for(role_id),
        notify_button=True,
        language=language,
        marker=delivery_marker(update.update_id, update.revision),
    )


def build_preview(
    draft: UpdateDraft,
    labels: Mapping[Language, PostLabels] = DEFAULT_LABELS,
    *,
    edited_at: float | None = None,
) -> OutgoingMessage:
    """Each written language's post in one message for the maintainer; it pings nobody.

    The embeds are built by the same code as the real posts (only the footer says 'Preview');
    a language the draft lacks has no embed (the cogs say who would get what instead).
    ``edited_at`` previews a correction with its 'Corrected' line.
    """
    languages = written_languages(draft) or ("en",)
    embeds = tuple(
        update_embed(
            draft, lang, labels[lang], update_id=None, created_at=None, edited_at=edited_at
        )
        for lang in languages
    )
    return OutgoingMessage(
        content=None, embeds=embeds, allowed_mentions={"parse": []}, notify_button=False
    )


@dataclass(frozen=True, slots=True)
class DraftProblem:
    """Why a draft was refused; ``code`` is stable so the cogs can map it to a message."""

    field: Literal["title", "body", "source_url", "season", "reason", "message"]
    code: Literal[
        "empty",
        "too_long",
        "invalid_url",
        "required",
        "season_and_status",
        "out_of_range",
        "incomplete",  # a language's title without its body, or the other way round
        "needs_source",  # a reported or official post without an https source
    ]
    language: Language | None = None
    length: int | None = None
    limit: int | None = None


def validate_source_url(url: str) -> bool:
    """An absolute http(s) link with a host, no spaces, no credentials, of a sane length."""
    if not url or len(url) > URL_MAX or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme in {"http", "https"}
        and "." in host
        and not host.startswith(".")
        and not host.endswith(".")
        and parts.username is None
        and port_ok
    )


def _length_problems(
    draft: UpdateDraft, labels: Mapping[Language, PostLabels]
) -> list[DraftProblem]:
    problems: list[DraftProblem] = []
    checks: tuple[tuple[LocalizedText, Literal["title", "body"], int | None], ...] = (
        (draft.title, "title", TITLE_MAX),
        (draft.body, "body", None),  # measured below, with the room a correction needs
    )
    for text, name, limit in checks:
        for lang in LANGUAGES:
            value = text.en if lang == "en" else text.ko
            if value is None:
                continue  # Korean is optional; English is checked for emptiness elsewhere
            if not value.strip():
                problems.append(DraftProblem(name, "empty", lang))
            elif limit is not None and text_length(value) > limit:
                problems.append(DraftProblem(name, "too_long", lang, text_length(value), limit))
    # The body must leave room for the 'Corrected' line, and each post must fit on its own.
    for lang in LANGUAGES:
        longest = update_embed(
            draft,
            lang,
            labels[lang],
            update_id=_LARGEST_UPDATE_ID,
            created_at=_LATEST_TIMESTAMP,
            edited_at=_LATEST_TIMESTAMP,
        )
        reserve = text_length(longest.description) - text_length(draft.body.pick(lang))
        if text_length(longest.description) > DESCRIPTION_MAX:
            body = draft.body.pick(lang)
            problems.append(
                DraftProblem("body", "too_long", lang, text_length(body), DESCRIPTION_MAX - reserve)
            )
        elif longest.length() > EMBED_TOTAL_MAX:
            problems.append(
                DraftProblem("message", "too_long", lang, longest.length(), EMBED_TOTAL_MAX)
            )
    # The preview shows both languages in one message, so together they share the 6,000 limit.
    preview_total = sum(e.length() for e in build_preview(draft, labels).embeds)
    if preview_total > EMBED_TOTAL_MAX and not any(p.field == "message" for p in problems):
        problems.append(DraftProblem("message", "too_long", None, preview_total, EMBED_TOTAL_MAX))
    return problems


def validate_draft(
    draft: UpdateDraft, labels: Mapping[Language, PostLabels] = DEFAULT_LABELS
) -> list[DraftProblem]:
    """Every reason the draft cannot be previewed; an empty list means it is fine."""
    problems: list[DraftProblem] = []
    if draft.source_url is not None and not validate_source_url(draft.source_url):
        problems.append(DraftProblem("source_url", "invalid_url"))
    elif draft.confidence != "unconfirmed" and not (draft.source_url or "").startswith("https://"):
        # Official or reported is a claim about a source: readers must be able to open it.
        problems.append(DraftProblem("source_url", "needs_source"))
    if bool((draft.title.ko or "").strip()) != bool((draft.body.ko or "").strip()):
        absent: Literal["title", "body"] = "body" if draft.title.ko else "title"
        problems.append(DraftProblem(absent, "incomplete", "ko"))
    if (draft.season is None) != (draft.season_status is None):
        problems.append(DraftProblem("season", "season_and_status"))
    elif draft.season is not None and not 1 <= draft.season <= SEASON_MAX:
        problems.append(DraftProblem("season", "out_of_range", limit=SEASON_MAX))
    elif draft.season is not None and not draft.source_url:
        # A status change joins the sourced /renewal timeline: it needs its source.
        problems.append(DraftProblem("source_url", "required"))
    problems.extend(_length_problems(draft, labels))
    return problems


def validate_retract_reason(reason: str) -> list[DraftProblem]:
    if not reason.strip():
        return [DraftProblem("reason", "empty")]
    if text_length(reason) > RETRACT_REASON_MAX:
        return [DraftProblem("reason", "too_long", None, text_length(reason), RETRACT_REASON_MAX)]
    return []


def normalized_draft(draft: UpdateDraft) -> UpdateDraft:
    """Trimmed text, empty Korean treated as absent, empty URL as none."""

    def clean(text: LocalizedText) -> LocalizedText:
        ko = text.ko.strip() if text.ko is not None else None
        return LocalizedText(en=text.en.strip(), ko=ko or None)

    url = draft.source_url.strip() if draft.source_url is not None else None
    return replace(draft, title=clean(draft.title), body=clean(draft.body), source_url=url or None)
