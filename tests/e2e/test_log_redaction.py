"""No token in the logs: the real bot at DEBUG on the double, every line it writes captured.

discord.py logs each interaction callback and follow-up URL (the interaction token is a path
segment) and, with the gateway at DEBUG, each INTERACTION_CREATE payload. A handler that
fails may carry a URL, a token or the Authorization header in its exception. None of it may
reach any handler: the one `python -m bot run` installs, or one added later.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import discord
from discord import app_commands

from bot.logs import setup_logging
from tests.e2e.golden import Golden, golden_settings

CHATTY = ("discord.http", "discord.gateway", "discord.webhook.async_", "discord.client")


@dataclass
class Captured:
    ours: io.StringIO  # the handler setup_logging installs (stderr in production)
    late: io.StringIO  # a plain handler added afterwards, with no filter of its own

    def text(self) -> str:
        return self.ours.getvalue() + self.late.getvalue()


@contextlib.contextmanager
def debug_logging(secret_as_configured: str) -> Iterator[Captured]:
    """`python -m bot run` logging at DEBUG, with every discord.py logger turned up too."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_factory = logging.getLogRecordFactory()
    saved_levels = {name: logging.getLogger(name).level for name in CHATTY}
    captured = Captured(io.StringIO(), io.StringIO())
    try:
        setup_logging(logging.DEBUG, secrets=[secret_as_configured])
        ours = root.handlers[0]
        assert isinstance(ours, logging.StreamHandler)
        ours.setStream(captured.ours)
        late = logging.StreamHandler(captured.late)
        late.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        root.addHandler(late)
        for name in CHATTY:
            logging.getLogger(name).setLevel(logging.DEBUG)
        yield captured
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        logging.setLogRecordFactory(saved_factory)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


async def test_no_interaction_or_bot_token_reaches_any_log_handler(golden: Golden) -> None:
    @app_commands.command(name="leak", description="Fails with secrets in its exception")
    async def leak(interaction: discord.Interaction) -> None:
        url = f"/webhooks/{interaction.application_id}/{interaction.token}/messages/@original"
        raise RuntimeError(
            f"PATCH {url} failed; token {interaction.token}; "
            f"Authorization: Bot {interaction.client.http.token}"
        )

    @app_commands.command(name="leaklate", description="Defers, then fails the same way")
    async def leaklate(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise RuntimeError(f"follow-up for {interaction.token} failed")

    golden.bot.tree.add_command(leak)
    golden.bot.tree.add_command(leaklate)
    await golden.bot.sync_commands()
    # As `python -m bot run` does: the token setting as read (a pasted " TOKEN\n" .env line).
    settings = golden_settings(
        golden.double, golden.database, discord_token=f"  {golden.double.token}\n"
    )
    assert settings.discord_token is not None
    with debug_logging(settings.discord_token.get_secret_value()) as captured:
        shown = await golden.invoke("show")
        failed = await golden.invoke("leak")
        failed_late = await golden.invoke("leaklate", locale="ko")
        await golden.invoke("help", locale="ko")

    assert shown.content or shown.embeds
    assert failed.ephemeral and failed_late.ephemeral
    text = captured.text()
    # The test saw what it should: callback URLs, the payloads, the handlers' tracebacks.
    assert "/interactions/" in text and "/webhooks/" in text
    assert "INTERACTION_CREATE" in text
    assert text.count("Traceback (most recent call last)") >= 4  # two failures, two handlers
    assert "RuntimeError: PATCH /webhooks/" in text
    tokens = list(golden.double.state.interactions_by_token)
    assert len(tokens) >= 4
    for where, output in (("our handler", captured.ours), ("a later handler", captured.late)):
        logged = output.getvalue()
        leaked = [token for token in tokens if token in logged]
        lines = [line for line in logged.splitlines() if any(t in line for t in leaked)]
        assert leaked == [], f"interaction token(s) in the output of {where}: {lines[:3]}"
        assert golden.double.token not in logged, f"the bot token is in the output of {where}"
    assert "Authorization: Bot [redacted]" in text
