"""/updates [count]: the latest production updates, newest first, for everyone.

Retracted updates are left out; corrected ones show their current text and when they were
corrected. Each update is shortened so the whole list fits one embed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n.catalogue import Catalogue, Lang, lang_for
from bot.i18n.translator import command_text
from bot.production import repo_ledger
from bot.production.compose import discord_date
from bot.production.models import Update
from bot.render.limits import truncate
from bot.render.text import link
from bot.replies import NO_MENTIONS

if TYPE_CHECKING:
    from bot.app import GoldenHourBot

DEFAULT_COUNT: Final = 5
MAX_COUNT: Final = 10
DESCRIPTION_BUDGET: Final = 4000  # of Discord's 4,096, leaving room for separators
TITLE_MAX: Final = 200


def update_block(texts: Catalogue, lang: Lang, update: Update, budget: int) -> str:
    draft = update.draft
    heading = texts.t(
        lang,
        "fan_updates.heading",
        id=update.update_id,
        confidence=texts.t(lang, f"confidence.{draft.confidence}"),
        date=discord_date(update.created_at),
    )
    title = discord.utils.escape_markdown(truncate(draft.title.pick(lang), TITLE_MAX))
    lines = [f"**{heading}**", f"**{title}**"]
    tail: list[str] = []
    if update.edited_at is not None:
        corrected = texts.t(lang, "fan_updates.corrected", date=discord_date(update.edited_at))
        tail.append(f"*{corrected}*")
    if draft.source_url:
        tail.append(link(texts.t(lang, "fan_updates.source"), draft.source_url))
    fixed = sum(len(line) + 1 for line in lines + tail)
    room = budget - fixed
    if room > 20:
        lines.append(truncate(draft.body.pick(lang), room))
    return "\n".join(lines + tail)


def updates_embed(texts: Catalogue, lang: Lang, updates: Sequence[Update]) -> discord.Embed:
    embed = discord.Embed(title=texts.t(lang, "fan_updates.title"), colour=0x3498DB)
    if not updates:
        embed.description = texts.t(lang, "fan_updates.none")
        return embed
    budget = DESCRIPTION_BUDGET // len(updates)
    embed.description = "\n\n".join(update_block(texts, lang, u, budget) for u in updates)
    return embed


class UpdatesCog(commands.Cog, name="Updates"):
    def __init__(self, bot: GoldenHourBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="updates",
        description=command_text("Latest production updates", "cmd.updates.description"),
    )
    @app_commands.describe(count=command_text("How many updates to show", "cmd.updates.opt.count"))
    async def updates(
        self,
        interaction: discord.Interaction[GoldenHourBot],
        count: app_commands.Range[int, 1, MAX_COUNT] = DEFAULT_COUNT,
    ) -> None:
        services = self.bot.services
        lang = lang_for(str(interaction.locale))
        # Acknowledge before reading: the reader shares its thread with the delivery
        # worker's reads, and a slow disk must not cost the 3 s deadline.
        await interaction.response.defer(thinking=True)
        latest = await repo_ledger.latest_updates(services.db, count)
        await interaction.followup.send(
            embed=updates_embed(services.texts, lang, latest), allowed_mentions=NO_MENTIONS
        )


async def setup(bot: GoldenHourBot) -> None:
    await bot.add_cog(UpdatesCog(bot))
