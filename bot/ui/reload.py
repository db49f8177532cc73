"""What a maintainer reads after ``/production reload``: short, in their language.

The loader's problem lines (file, entry, field) are shown as they are, in a code block, at
most a few of them: the full list is one ``python -m bot seed`` away.
"""

from __future__ import annotations

from typing import Final

from bot.facts_reload import PackRefused, Reseeded, short_hash
from bot.i18n.catalogue import Catalogue, Lang
from bot.render.limits import truncate

PROBLEMS_SHOWN: Final = 8
PROBLEM_MAX: Final = 180  # characters of one problem line; the whole reply stays < 2,000


def reload_text(
    texts: Catalogue, lang: Lang, outcome: Reseeded | PackRefused, served: str | None
) -> str:
    """``served``: the hash of the pack fans get now."""
    if isinstance(outcome, PackRefused):
        shown = [truncate(p, PROBLEM_MAX).replace("```", "'''") for p in outcome.problems]
        lines = shown[:PROBLEMS_SHOWN]
        hidden = len(shown) - len(lines)
        text = texts.t(
            lang,
            "newsroom.reload_refused",
            problems=texts.plural(lang, "newsroom.pack_problems", len(shown)),
            hash=short_hash(served),
        )
        block = "\n".join(lines)
        text += f"\n```\n{block}\n```"
        if hidden > 0:
            text += texts.t(lang, "newsroom.reload_more", count=hidden)
        return text
    if not outcome.served:
        return texts.t(lang, "newsroom.reload_not_served", hash=short_hash(served))
    key = "newsroom.reload_done" if outcome.report.changed else "newsroom.reload_unchanged"
    return texts.t(lang, key, hash=short_hash(outcome.report.pack_hash))
