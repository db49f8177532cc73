"""The real Golden Hour bot, started against the local Discord double.

`start_golden` is the same start-up path as `python -m bot run` (open_services → GoldenHourBot),
with settings that point discord.py at the double and a fresh SQLite file. The `golden`
fixture adds a guild with a channel, a fan, a server admin and a maintainer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from discord_double import DiscordDouble
from discord_double.client_runner import run_client
from discord_double.interactions import InteractionResult
from discord_double.models import Channel, Guild, Member
from discord_double.permissions import Permission

from bot.app import GoldenHourBot
from bot.runner import open_services
from bot.services import Services
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 28)  # the facts are judged as of this day (stale plans etc.)


def golden_settings(double: DiscordDouble, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": double.token,
        "database_path": database,
        "seeds_dir": REPO / "seeds",
        "discord_api_base": double.api_base,
        "discord_gateway_url": double.gateway_url,
        "_env_file": None,  # never read a developer's .env in tests
    }
    values.update(overrides)
    return Settings(**values)


@contextlib.asynccontextmanager
async def start_golden(
    double: DiscordDouble, settings: Settings, *, today: dt.date = TODAY
) -> AsyncIterator[GoldenHourBot]:
    async with open_services(settings) as services:
        services.today = lambda: today
        bot = GoldenHourBot(services)
        async with run_client(bot, double):
            yield bot


@dataclass
class Golden:
    double: DiscordDouble
    bot: GoldenHourBot
    guild: Guild
    channel: Channel
    fan: Member
    admin: Member
    maintainer: Member
    database: Path

    @property
    def services(self) -> Services:
        return self.bot.services

    async def invoke(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: Member | None = None,
        locale: str = "en-US",
        **kwargs: Any,
    ) -> InteractionResult:
        return await self.double.invoke(
            command,
            options,
            guild=self.guild,
            channel=self.channel,
            user=user or self.fan,
            locale=locale,
            **kwargs,
        )

    async def autocomplete(
        self,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        locale: str = "en-US",
        user: Member | None = None,
    ) -> list[dict[str, Any]]:
        return await self.double.autocomplete(
            command,
            options,
            focused=focused,
            guild=self.guild,
            channel=self.channel,
            user=user or self.fan,
            locale=locale,
        )


@pytest.fixture
async def golden(double: DiscordDouble, tmp_path: Path) -> AsyncIterator[Golden]:
    guild = double.add_guild("Golden Hour Fans")
    channel = double.add_channel(guild, "general")
    fan = double.add_member(guild, "fan")
    admin = double.add_member(guild, "admin", permissions=Permission.MANAGE_GUILD)
    maintainer = double.add_member(guild, "maintainer")
    database = tmp_path / "golden.sqlite3"
    settings = golden_settings(double, database, maintainer_ids=frozenset({maintainer.user.id}))
    async with start_golden(double, settings) as bot:
        yield Golden(double, bot, guild, channel, fan, admin, maintainer, database)
