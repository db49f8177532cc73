"""Making data and user text safe to show, and names written in both scripts.

Everything that comes from the data pack or from a user goes through :func:`safe` before it
is placed in a message: markdown is escaped (so ``*`` stays a star) and mentions are
neutralised (so ``@everyone`` or ``<@&id>`` in data can never ping, even where Discord
would parse them).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote

import discord

from bot.datapack.models import Text
from bot.i18n.catalogue import Lang

ZERO_WIDTH_SPACE: Final = "\u200b"

# <@123>, <@!123>, <@&123>, <#123>: escape_mentions does not cover channel mentions.
_ANGLE_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")
_BARE_MENTION = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
_LINK_LABEL_SPECIALS = re.compile(r"(?<!\\)([\[\]])")


def safe(text: str) -> str:
    """``text`` with Discord markdown escaped and every kind of mention neutralised."""
    escaped = discord.utils.escape_markdown(text)
    escaped = _ANGLE_MENTION.sub(lambda m: f"<{m.group(1)}{ZERO_WIDTH_SPACE}{m.group(2)}>", escaped)
    return _BARE_MENTION.sub(lambda m: f"@{ZERO_WIDTH_SPACE}{m.group(1)}", escaped)


def local(text: Text, lang: Lang) -> str:
    """The ``lang`` side of a two-language text, made safe."""
    return safe(text.ko if lang == "ko" else text.en)


def both_scripts(name: Text, lang: Lang) -> str:
    """A name in both scripts, the reader's script first.

    en: 'Yang Jae-won (양재원)'; ko: '양재원 (Yang Jae-won)'.
    """
    first, second = (name.ko, name.en) if lang == "ko" else (name.en, name.ko)
    if first == second:
        return safe(first)
    return f"{safe(first)} ({safe(second)})"


def bold(text: str) -> str:
    """Bold already-safe text."""
    return f"**{text}**" if text else text


def link(label: str, url: str) -> str:
    """A masked markdown link; ``label`` is raw text, ``url`` a data URL."""
    safe_label = _LINK_LABEL_SPECIALS.sub(r"\\\1", safe(label))
    return f"[{safe_label}]({safe_url(url)})"


def safe_url(url: str) -> str:
    """``url`` with the characters that would end a markdown link or embed text encoded."""
    return quote(url, safe=":/?#@!$&'*+,;=%~-._[]")
