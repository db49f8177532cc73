"""Rendered answers are reused, handed out as fresh objects, and bounded."""

from __future__ import annotations

import discord

from bot.render.memo import EmbedMemo


def test_reuses_by_key_and_hands_out_fresh_embeds() -> None:
    memo = EmbedMemo()
    builds: list[str] = []

    def build() -> list[discord.Embed]:
        builds.append("built")
        return [discord.Embed(title="Baek Kang-hyuk (백강혁)", description="*surgeon*")]

    first = memo.pages(("profile", "en"), build)
    first[0].add_field(name="added by a caller", value="x")
    second = memo.pages(("profile", "en"), build)
    assert builds == ["built"]
    assert second[0].title == "Baek Kang-hyuk (백강혁)" and second[0].fields == []
    assert second[0] is not first[0]
    memo.pages(("profile", "ko"), build)
    assert builds == ["built", "built"]


def test_least_recently_used_goes_first_and_clear_empties() -> None:
    memo = EmbedMemo(limit=2)
    for key in ("a", "b"):
        memo.one(key, lambda key=key: discord.Embed(title=key))
    memo.one("a", lambda: discord.Embed(title="rebuilt"))  # touch a
    memo.one("c", lambda: discord.Embed(title="c"))  # evicts b
    assert len(memo) == 2
    assert memo.one("a", lambda: discord.Embed(title="rebuilt")).title == "a"
    assert memo.one("b", lambda: discord.Embed(title="b again")).title == "b again"
    memo.clear()
    assert len(memo) == 0
