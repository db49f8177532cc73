"""`python -m bot console`: the interactive console on a terminal, line by line from a pipe."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

from rich.console import Console

from bot.console.answer import Quit
from bot.console.interpreter import Interpreter, normalize_locale
from bot.console.render import render_plain
from bot.console.session import ConsoleError, open_console
from bot.settings import Settings

EXIT_OK = 0
EXIT_START_FAILED = 1
EXIT_USAGE = 2

log = logging.getLogger(__name__)


def run_console(settings: Settings, *, locale: str) -> int:
    """Start the double and the bot, then read commands; returns the process exit code."""
    try:
        user_locale = normalize_locale(locale)
    except ConsoleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if settings.log_level == "INFO":
        _quiet_logs()
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    return asyncio.run(_console(settings, user_locale, interactive=interactive))


def _quiet_logs() -> None:
    """Start-up INFO lines and discord.py's voice warnings would drown the answers in a
    terminal; LOG_LEVEL=DEBUG (or WARNING) keeps the configured levels."""
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("discord.gateway", "discord.http"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)


async def _console(settings: Settings, locale: str, *, interactive: bool) -> int:
    started = False
    try:
        async with open_console(settings, locale=locale) as session:
            started = True
            interpreter = Interpreter(session)
            if interactive:
                from bot.console.prompt import interactive_loop

                await interactive_loop(interpreter, Console(highlight=False))
            else:
                await piped_loop(interpreter, sys.stdin, sys.stdout)
    except Exception as exc:
        if started:
            raise
        log.debug("console start failed", exc_info=True)
        print(f"error: the bot could not start: {exc}", file=sys.stderr)
        return EXIT_START_FAILED
    return EXIT_OK


async def piped_loop(interpreter: Interpreter, source: TextIO, out: TextIO) -> None:
    """Run each line from `source`, printing `> line` and the answer in plain text; messages
    the bot edits later (a delivery's progress) are printed again when they change, and at
    the end once the bot has gone quiet."""
    session = interpreter.session

    def show_updates() -> None:
        update = session.updates()
        if update is not None:
            out.write(f"{render_plain(update)}\n\n")
            out.flush()

    while True:
        # A thread, so a slow producer on the pipe never blocks the bot's event loop.
        line = await asyncio.to_thread(source.readline)
        show_updates()
        if not line:
            break
        outcome = await interpreter.handle(line)
        if outcome is None:
            continue
        if isinstance(outcome, Quit):
            break
        out.write(f"> {line.strip()}\n{render_plain(outcome)}\n\n")
        out.flush()
    await session.quiet()
    show_updates()
