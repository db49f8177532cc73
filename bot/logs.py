"""Logging, configured once by the entry point.

A redacting filter removes the bot token from every record, so a library that logs a
URL or a header can never leak it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import sys
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's final message with ``[redacted]``."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# A rotating LOG_FILE: five files of 10 MiB at most, the oldest dropped.
LOG_FILE_BYTES = 10 * 1024 * 1024
LOG_FILE_BACKUPS = 5
# Extra attributes the JSON formatter copies when a log call passes them (extra={...}).
_JSON_EXTRAS = ("update_id", "guild_id", "channel_id", "worker_id")


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _JSON_EXTRAS:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(
    level: int,
    secrets: list[str] | None = None,
    *,
    log_file: Path | None = None,
    json_lines: bool = False,
) -> None:
    formatter: logging.Formatter = JsonLines() if json_lines else logging.Formatter(_FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
            )
        )
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactSecrets(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level)
    # The bot never joins voice: PyNaCl/davey missing is not worth a warning at every start.
    logging.getLogger("discord.client").addFilter(_NoVoiceWarning())
    # discord.http logs every request at DEBUG; keep it quieter than our own code.
    logging.getLogger("discord.http").setLevel(max(level, logging.INFO))
    logging.getLogger("discord.gateway").setLevel(max(level, logging.INFO))


class _NoVoiceWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("voice will NOT be supported" in message or "PyNaCl" in message)
