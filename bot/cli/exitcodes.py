"""Exit codes (from sysexits.h, so a service manager can tell a bad token from a full disk)
and the one line a failed command prints."""

from __future__ import annotations

import sys

OK = 0
ERROR = 1  # e.g. an invalid data pack
UNAVAILABLE = 69  # EX_UNAVAILABLE: Discord cannot be reached (worth retrying)
STORAGE = 74  # EX_IOERR: the database cannot be opened, read or written
IN_USE = 75  # EX_TEMPFAIL: the bot is running; stop it first (restore)
TOKEN_REJECTED = 77  # EX_NOPERM: Discord refused DISCORD_TOKEN (retrying will not help)
CONFIG = 78  # EX_CONFIG: a setting is missing or invalid; `make run` opens the console on it
INTERRUPTED = 130


class CommandFailed(Exception):
    """A command ends with one line on stderr and ``code``."""

    def __init__(self, message: str, code: int = ERROR) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = ERROR) -> int:
    # One line per fault: an operator greps it, journald shows it whole.
    print(f"error: {message}", file=sys.stderr)
    return code
