"""Logging, configured once by the entry point, with secrets redacted from every record.

Two kinds of secret reach logs: the bot token (a library may log a header or echo it in an
error) and interaction tokens (valid 15 minutes, enough to answer as the bot): discord.py's
webhook logger prints every interaction callback URL at DEBUG and its gateway logger every
INTERACTION_CREATE payload. :class:`Redactor` removes the known secrets and anything in
those shapes (a URL segment, a ``token`` field, the token's own prefix) from a record's
message, its traceback text and its stack text. Interaction tokens are matched by shape,
not registered one by one: that needs no hook in the bot and also covers tokens the bot
never handled (an event for a command it does not know).

Where: a LogRecord factory, so every record is clean from the moment it exists, whichever
handler (ours, pytest's, one a library adds later) or formatter sees it. Handler filters
only guard the handlers they are attached to. The filter on our own handler stays as a
second line for records built without the factory (``logging.makeLogRecord``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

REDACTED = "[redacted]"
_MIN_SECRET_LENGTH = 8  # shorter "secrets" would blank out ordinary words

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # /webhooks/{application_id}/{interaction_token}/messages/@original,
    # /interactions/{interaction_id}/{interaction_token}/callback
    (re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/\s?#'\"]+"), rf"\g<1>{REDACTED}"),
    # 'token': '…' in a logged payload (dict repr or JSON)
    (re.compile(r"""(["']token["']\s*:\s*["'])[^"']+"""), rf"\g<1>{REDACTED}"),
    # A bare interaction token: base64 of "interaction:{id}:{random}", so it starts alike
    (re.compile(r"aW50ZXJhY3Rpb24[\w+/=-]*"), REDACTED),
    # Anything shaped like a bot token (base64 user id . timestamp . HMAC), ours or not
    (re.compile(r"\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,}"), REDACTED),
    # The password of a database URL (DATABASE_URL=postgresql://user:password@host/db),
    # whichever library echoes it
    (re.compile(r"(\bpostgres(?:ql)?(?:\+\w+)?://[^:/@\s]*:)[^@\s]+@"), rf"\g<1>{REDACTED}@"),
)


class Redactor:
    """Replaces known secrets and token-shaped text with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Settings may hold " TOKEN\n"; what is sent (and echoed back) is the stripped value.
        stripped = {secret.strip() for secret in secrets}
        self._secrets = sorted(
            (s for s in stripped if len(s) >= _MIN_SECRET_LENGTH), key=len, reverse=True
        )

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def scrub(self, record: logging.LogRecord) -> None:
        """Redact the record in place: message and args, traceback text, stack text."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it when a handler formats
            message = None
        if message is not None:
            redacted = self.redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set (it is their cache), so a traceback
            # formatted and redacted here is the one every handler shows.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


class RedactSecrets(logging.Filter):
    """A handler or logger filter that scrubs each record it sees (see :class:`Redactor`)."""

    def __init__(self, secrets: Iterable[str] | Redactor) -> None:
        super().__init__()
        self._redactor = secrets if isinstance(secrets, Redactor) else Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        self._redactor.scrub(record)
        return True


class RedactingRecordFactory:
    """Wraps the LogRecord factory so each record is scrubbed as it is created."""

    def __init__(self, inner: Callable[..., logging.LogRecord], redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        self.redactor.scrub(record)
        return record


def install_redaction(secrets: Iterable[str]) -> Redactor:
    """Scrub every record from now on; calling it again replaces the secrets, not stacks."""
    redactor = Redactor(secrets)
    current = logging.getLogRecordFactory()
    inner = current.inner if isinstance(current, RedactingRecordFactory) else current
    logging.setLogRecordFactory(RedactingRecordFactory(inner, redactor))
    return redactor


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
            # exc_text was formatted and redacted when the record was made (see Redactor).
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(
    level: int,
    secrets: list[str] | None = None,
    *,
    log_file: Path | None = None,
    json_lines: bool = False,
) -> None:
    redactor = install_redaction(secrets or [])
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
        handler.addFilter(RedactSecrets(redactor))
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
