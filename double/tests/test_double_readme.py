"""The README's example, run as written (with a three-line bot), so it cannot go stale."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from discord_double import DiscordDouble

README = Path(__file__).resolve().parents[1] / "README.md"


class MyBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(command_prefix=[], intents=discord.Intents.none())

    async def setup_hook(self) -> None:
        @app_commands.command(name="hello", description="Say hello")
        async def hello(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                "Hello!", allowed_mentions=discord.AllowedMentions.none()
            )

        self.tree.add_command(hello)
        await self.tree.sync()


async def test_the_readme_example_runs(double: DiscordDouble) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    example = next(b for b in blocks if "async def test_hello" in b)
    namespace: dict[str, Any] = {"MyBot": MyBot}
    exec(compile(example, str(README), "exec"), namespace)
    await namespace["test_hello"](double)
