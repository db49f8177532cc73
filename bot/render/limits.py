"""Discord's message and embed limits, a checker, and truncation that keeps markdown intact.

Lengths are counted in UTF-16 code units, which is never less than Discord's count
(emoji outside the BMP count two), so text that passes here passes there.
Source: Discord API docs, resources/message.mdx "Embed Limits" (limits are inclusive).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import discord

CONTENT_MAX: Final = 2000
EMBEDS_PER_MESSAGE: Final = 10
TITLE_MAX: Final = 256
DESCRIPTION_MAX: Final = 4096
FIELDS_MAX: Final = 25
FIELD_NAME_MAX: Final = 256
FIELD_VALUE_MAX: Final = 1024
FOOTER_MAX: Final = 2048
AUTHOR_MAX: Final = 256
TOTAL_MAX: Final = 6000  # title + description + field names/values + footer + author, all embeds

ELLIPSIS: Final = "…"


def text_length(text: str) -> int:
    """Length as Discord may count it at worst (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def embed_length(data: Mapping[str, Any]) -> int:
    """The characters of one serialised embed that count towards the 6000 total."""
    total = text_length(data.get("title") or "") + text_length(data.get("description") or "")
    total += text_length((data.get("footer") or {}).get("text") or "")
    total += text_length((data.get("author") or {}).get("name") or "")
    for field in data.get("fields") or []:
        total += text_length(field.get("name") or "") + text_length(field.get("value") or "")
    return total


def check_payload(embeds: Sequence[Mapping[str, Any]], content: str = "") -> list[str]:
    """Every limit one message with these serialised embeds would break ([] when it fits)."""
    problems: list[str] = []

    def over(what: str, text: str | None, limit: int) -> None:
        if text is not None and text_length(text) > limit:
            problems.append(f"{what}: {text_length(text)} > {limit}")

    over("content", content, CONTENT_MAX)
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"embeds: {len(embeds)} > {EMBEDS_PER_MESSAGE}")
    for number, data in enumerate(embeds, start=1):
        where = f"embed {number}"
        over(f"{where} title", data.get("title"), TITLE_MAX)
        over(f"{where} description", data.get("description"), DESCRIPTION_MAX)
        over(f"{where} footer", (data.get("footer") or {}).get("text"), FOOTER_MAX)
        over(f"{where} author", (data.get("author") or {}).get("name"), AUTHOR_MAX)
        fields = data.get("fields") or []
        if len(fields) > FIELDS_MAX:
            problems.append(f"{where} fields: {len(fields)} > {FIELDS_MAX}")
        for index, field in enumerate(fields, start=1):
            name, value = field.get("name") or "", field.get("value") or ""
            # Discord rejects empty (or blank) field names and values.
            if not name.strip() or not value.strip():
                problems.append(f"{where} field {index}: empty name or value")
            over(f"{where} field {index} name", name, FIELD_NAME_MAX)
            over(f"{where} field {index} value", value, FIELD_VALUE_MAX)
    total = sum(embed_length(data) for data in embeds)
    if total > TOTAL_MAX:
        problems.append(f"total: {total} > {TOTAL_MAX}")
    return problems


def check_embeds(embeds: Sequence[discord.Embed], content: str = "") -> list[str]:
    """Limit violations of one message carrying ``embeds`` ([] when it can be sent)."""
    return check_payload([embed.to_dict() for embed in embeds], content)


_LINK_START = re.compile(r"(?<!\\)\[")
_OPEN_LINK = re.compile(r"\[[^\]]*(\](\([^)]*)?)?")


def truncate(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` units, ending in ``ellipsis`` when cut.

    Never leaves half a markdown link or a dangling escape backslash, which would render
    as broken markup.
    """
    if text_length(text) <= limit:
        return text
    budget = limit - text_length(ellipsis)
    if budget <= 0:
        return ""
    cut = text[:budget]
    while text_length(cut) > budget:  # surrogate pairs: drop whole characters
        cut = cut[:-1]
    starts = list(_LINK_START.finditer(cut))
    if starts and _OPEN_LINK.fullmatch(cut, starts[-1].start()):
        cut = cut[: starts[-1].start()]  # '[label', '[label]' or '[label](url' cut short
    trailing_backslashes = len(cut) - len(cut.rstrip("\\"))
    if trailing_backslashes % 2:
        cut = cut[:-1]
    return cut.rstrip() + ellipsis


def join_within(
    items: Sequence[str],
    limit: int,
    *,
    sep: str = "\n",
    more: Callable[[int], str],
) -> str:
    """As many whole ``items`` as fit in ``limit``, then ``more(n)`` for the n left out.

    Items are never cut in half (each is a link or a line), except a first item that does
    not fit on its own, which is truncated.
    """
    kept: list[str] = []
    for index, item in enumerate(items):
        left_after = len(items) - index - 1
        tail = sep + more(left_after) if left_after else ""
        if text_length(sep.join([*kept, item]) + tail) <= limit:
            kept.append(item)
            continue
        omitted = len(items) - len(kept)
        if kept:
            return sep.join(kept) + sep + more(omitted)
        rest = sep + more(omitted - 1) if omitted > 1 else ""
        return truncate(item, limit - text_length(rest)) + rest
    return sep.join(kept)
