"""Nothing is left unanswered: an unexpected exception becomes a short, private, localised
reply with a reference, and the log carries the same reference with the traceback."""

from __future__ import annotations

import logging
import re

import discord
import pytest
from discord import app_commands

from bot.errors import UserFacingError
from tests.e2e.golden import Golden


async def add_command(golden: Golden, command: app_commands.Command[..., object]) -> None:
    golden.bot.tree.add_command(command)
    await golden.bot.sync_commands()  # the definitions changed, so this really syncs


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en-US", "Something went wrong (ref "), ("ko", "문제가 생겼어요(오류 코드: ")],
)
async def test_an_unexpected_error_gets_a_private_reply_with_a_reference(
    golden: Golden, caplog: pytest.LogCaptureFixture, locale: str, expected: str
) -> None:
    @app_commands.command(name="explode", description="Fails on purpose")
    async def explode(interaction: discord.Interaction) -> None:
        raise RuntimeError("database fell over")

    await add_command(golden, explode)
    with caplog.at_level(logging.ERROR, logger="bot.tree"):
        answer = await golden.invoke("explode", locale=locale)
    assert answer.ephemeral
    assert answer.content.startswith(expected)
    ref = re.search(r"\((?:ref |오류 코드: )([0-9a-f]+)\)", answer.content)
    assert ref is not None
    records = [r for r in caplog.records if ref.group(1) in r.getMessage()]
    assert len(records) == 1
    assert records[0].exc_info is not None and "database fell over" in caplog.text
    assert "command=explode" in records[0].getMessage()


async def test_an_error_after_defer_still_reaches_the_user(golden: Golden) -> None:
    @app_commands.command(name="slowfail", description="Defers, then fails")
    async def slowfail(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise RuntimeError("late failure")

    await add_command(golden, slowfail)
    answer = await golden.invoke("slowfail")  # waits until the deferred answer has content
    # Discord shows the first follow-up after a defer in place of the "thinking…" message.
    texts = [answer.content, *(f.content for f in answer.followups)]
    assert answer.ephemeral
    assert any((t or "").startswith("Something went wrong (ref ") for t in texts), texts


async def test_a_user_facing_error_is_short_and_logged_as_nothing(
    golden: Golden, caplog: pytest.LogCaptureFixture
) -> None:
    @app_commands.command(name="refuse", description="Refuses politely")
    async def refuse(interaction: discord.Interaction) -> None:
        raise UserFacingError("error.unknown_season", season=9)

    await add_command(golden, refuse)
    with caplog.at_level(logging.ERROR):
        answer = await golden.invoke("refuse", locale="ko")
    assert answer.ephemeral and "9" in answer.content and "오류 코드" not in answer.content
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


BAD_VALUES = [
    pytest.param(
        "cast",
        {"name": "x" * 5000},
        "“name” can be at most 100 characters.",
        "최대 100자",
        id="too-long",
    ),
    pytest.param(
        "updates", {"count": 10**30}, "“count” can be at most 10.", "10 이하여야", id="too-large"
    ),
    pytest.param(
        "updates",
        {"count": "many"},
        "I couldn't understand the value of “count”.",
        "“count” 값을",
        id="not-a-number",
    ),
    pytest.param(
        "setup announcements",
        {"channel": "not-an-id"},
        "I couldn't understand the value of “channel”.",
        "“channel” 값을 이해하지 못했어요",
        id="not-an-id",  # discord.py's parser raised outside the command: no answer at all
    ),
]


@pytest.mark.parametrize("locale", ["en-US", "ko"])
@pytest.mark.parametrize(("command", "raw", "english", "korean"), BAD_VALUES)
async def test_a_value_no_client_could_send_gets_a_short_private_answer(
    golden: Golden,
    caplog: pytest.LogCaptureFixture,
    locale: str,
    command: str,
    raw: dict[str, object],
    english: str,
    korean: str,
) -> None:
    options = {"channel": golden.channel} if command == "setup announcements" else {}
    with caplog.at_level(logging.INFO):
        answer = await golden.invoke(
            command, options, user=golden.admin, locale=locale, raw_options=raw
        )
    assert answer.answered and answer.ephemeral
    assert (english if locale == "en-US" else korean) in (answer.content or "")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback
    refused = [r for r in caplog.records if r.getMessage().startswith("refused /")]
    assert len(refused) == 1 and str(next(iter(raw))) in refused[0].getMessage()
