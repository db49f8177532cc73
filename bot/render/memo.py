"""Rendered answers kept for reuse.

The fan commands answer from memory, and most of their CPU goes into building embeds that
only change when the facts, the language or the day change. Every key names the fact index
it was built from, so a re-seed (a new index) never serves an old answer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import discord


class EmbedMemo:
    def __init__(self, limit: int = 1024) -> None:
        self._limit = limit
        self._pages: OrderedDict[Hashable, list[dict[str, Any]]] = OrderedDict()

    def pages(self, key: Hashable, build: Callable[[], list[discord.Embed]]) -> list[discord.Embed]:
        stored = self._pages.get(key)
        if stored is None:
            stored = [dict(page.to_dict()) for page in build()]
            self._pages[key] = stored
            if len(self._pages) > self._limit:
                self._pages.popitem(last=False)  # the least recently used
        else:
            self._pages.move_to_end(key)
        # Fresh Embed objects every time: a caller may add a field or a footer.
        return [discord.Embed.from_dict(page) for page in stored]

    def one(self, key: Hashable, build: Callable[[], discord.Embed]) -> discord.Embed:
        return self.pages(key, lambda: [build()])[0]

    def clear(self) -> None:
        self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)
