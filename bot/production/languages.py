"""Which language each subscribed server gets, and when the maintainer must choose.

Pure: no Discord, no SQL. A server gets its own language when the post has it. When the post
lacks it, the server gets nothing until the maintainer says otherwise: the other language
('fallback') or nothing at all ('skip'). A language counts as written only when both its
title and its body are (a Korean title over an English body would mix languages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .models import Language, LanguageChoice, UpdateDraft

LANGUAGES: Final[tuple[Language, ...]] = ("en", "ko")


def other_language(language: Language) -> Language:
    return "ko" if language == "en" else "en"


def written_languages(draft: UpdateDraft) -> tuple[Language, ...]:
    """The languages with both a title and a body, in a fixed order."""
    found: list[Language] = []
    if draft.title.en.strip() and draft.body.en.strip():
        found.append("en")
    if (draft.title.ko or "").strip() and (draft.body.ko or "").strip():
        found.append("ko")
    return tuple(found)


def missing_language(draft: UpdateDraft) -> Language | None:
    """The one language the post lacks (None when it has both)."""
    written = written_languages(draft)
    missing = [lang for lang in LANGUAGES if lang not in written]
    return missing[0] if len(missing) == 1 else None


def delivery_language(
    server_language: Language, draft: UpdateDraft, choice: LanguageChoice | None
) -> Language | None:
    """The language a server's copy is written in; None: the server gets no copy.

    Without a choice a server whose language is missing gets nothing either: the caller asks
    the maintainer first (see :func:`plan`), so this is never a silent fallback.
    """
    if server_language in written_languages(draft):
        return server_language
    if choice == "fallback":
        return other_language(server_language)
    return None


@dataclass(frozen=True, slots=True)
class LanguagePlan:
    """How a post reaches the subscribed servers, counted by the language they chose."""

    servers: Mapping[Language, int]  # subscribed servers by their language
    missing: Language | None  # the language the post lacks, if any
    choice: LanguageChoice | None

    @property
    def affected(self) -> int:
        """Servers whose language the post lacks (the choice applies to them)."""
        return self.servers.get(self.missing, 0) if self.missing is not None else 0

    @property
    def needs_choice(self) -> bool:
        return self.affected > 0 and self.choice is None


def plan(
    servers: Mapping[Language, int], draft: UpdateDraft, choice: LanguageChoice | None
) -> LanguagePlan:
    return LanguagePlan(servers=dict(servers), missing=missing_language(draft), choice=choice)
