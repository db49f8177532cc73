"""The offline console: the real bot answering a local Discord double, in a terminal."""

from bot.console.app import run_console

__all__ = ["run_console"]
