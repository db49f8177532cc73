"""Log redaction: the bot token in any whitespace variant, interaction tokens by their shape,
in the message, its arguments, tracebacks and stack text, for handlers added at any time."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import REDACTED, Redactor, RedactSecrets, install_redaction
from bot.settings import load_settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.secret-token-value-abcdefghijklmnop"
INTERACTION = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6"


@pytest.fixture
def restore_factory() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)


@pytest.fixture
def output(restore_factory: None) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose only handler, plain and filter-less, is added *after* redaction is on."""
    logger = logging.getLogger("test.logs.redaction")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


@pytest.mark.parametrize(
    "configured",
    [TOKEN, f" {TOKEN}\n", f"{TOKEN}\r\n", f"\t{TOKEN} ", f"\n\n{TOKEN}"],
    ids=["plain", "space-newline", "crlf", "tab-space", "leading-newlines"],
)
def test_the_token_is_redacted_whatever_whitespace_the_setting_holds(configured: str) -> None:
    redactor = Redactor([configured])
    text = redactor.redact(f"Authorization: Bot {TOKEN} and again {TOKEN}")
    assert TOKEN not in text
    assert text == f"Authorization: Bot {REDACTED} and again {REDACTED}"


def test_short_or_blank_secrets_are_ignored() -> None:
    assert Redactor(["   ", "abc\n"]).redact("abc def") == "abc def"


@pytest.mark.parametrize(
    "text",
    [
        f"POST http://127.0.0.1:5/api/v10/interactions/123456789/{INTERACTION}/callback",
        f"PATCH https://discord.com/api/v10/webhooks/42/{INTERACTION}/messages/@original",
        f"POST /webhooks/42/{INTERACTION}?wait=true",
        f"{{'t': 'INTERACTION_CREATE', 'd': {{'id': '1', 'token': '{INTERACTION}'}}}}",
        json.dumps({"d": {"token": INTERACTION, "id": "1"}}),
        f"follow-up for {INTERACTION} failed",
    ],
    ids=["callback-url", "webhook-url", "webhook-query", "gateway-dict", "json", "bare"],
)
def test_interaction_tokens_are_redacted_by_shape(text: str) -> None:
    redacted = Redactor().redact(text)
    assert INTERACTION not in redacted
    assert REDACTED in redacted


def test_a_token_shaped_string_is_redacted_even_when_not_configured() -> None:
    assert Redactor().redact(f"token={TOKEN}") == f"token={REDACTED}"


def test_message_args_traceback_and_stack_are_scrubbed_for_a_late_handler(
    output: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = output
    install_redaction([f" {TOKEN}\n"])
    url = f"/webhooks/42/{INTERACTION}/messages/@original"
    logger.debug("Webhook ID %s with %s %s has returned status code %s", 42, "PATCH", url, 200)
    try:
        raise RuntimeError(f"request to {url} failed; auth was Bot {TOKEN}")
    except RuntimeError:
        logger.exception("handler failed")
    logger.warning("where am I", stack_info=True, extra={"note": TOKEN})
    logger.info("an %s", f"Authorization: Bot {TOKEN}")
    text = stream.getvalue()
    assert TOKEN not in text and INTERACTION not in text
    assert "Traceback (most recent call last)" in text
    assert f"RuntimeError: request to /webhooks/42/{REDACTED}/messages/@original failed" in text
    assert "Stack (most recent call last)" in text
    assert f"an Authorization: Bot {REDACTED}" in text


def test_the_stack_text_is_scrubbed(output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = output
    install_redaction([TOKEN])
    secret_in_source = TOKEN  # the stack shows this line of source, token included
    logger.warning("here", stack_info=True)
    assert secret_in_source in Path(__file__).read_text(encoding="utf-8")
    assert "test_the_stack_text_is_scrubbed" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


def test_exc_info_is_kept_for_handlers_that_inspect_it(
    output: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, _ = output
    install_redaction([TOKEN])
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    logger.addHandler(keep)
    try:
        try:
            raise ValueError(TOKEN)
        except ValueError:
            logger.exception("boom")
    finally:
        logger.removeHandler(keep)
    assert records[0].exc_info is not None
    assert records[0].exc_text is not None and TOKEN not in records[0].exc_text


def test_installing_again_replaces_the_secrets_instead_of_stacking(
    restore_factory: None,
) -> None:
    original = logging.getLogRecordFactory()
    install_redaction(["first-secret-value"])
    install_redaction(["second-secret-value"])
    factory = logging.getLogRecordFactory()
    assert getattr(factory, "inner", None) is original
    record = factory("x", logging.INFO, __file__, 1, "first-secret-value", None, None)
    assert record.getMessage() == "first-secret-value"


def test_a_bad_format_string_still_logs(restore_factory: None) -> None:
    install_redaction([TOKEN])
    record = logging.getLogRecordFactory()("x", logging.INFO, __file__, 1, "%d", ("a",), None)
    assert record.msg == "%d"


def test_the_filter_scrubs_records_made_without_the_factory() -> None:
    record = logging.makeLogRecord({"msg": "Bot %s", "args": (TOKEN,)})
    RedactSecrets([f"{TOKEN}\n"]).filter(record)
    assert record.getMessage() == f"Bot {REDACTED}"


def test_settings_trim_the_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", f"  {TOKEN}\r\n")
    settings = load_settings()
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN
    assert settings.require_token() == TOKEN


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://goldenhour:pa55-word@db.example:5432/gh",
        "postgresql+asyncpg://goldenhour:pa55-word@db.example/gh",
        "postgres://goldenhour:pa55-word@10.0.0.7/gh?sslmode=require",
    ],
)
def test_a_database_url_password_is_redacted_by_shape(url: str) -> None:
    """Whoever echoes DATABASE_URL (a driver's error, a library's debug line): the password
    goes, the rest stays readable for the operator."""
    redacted = Redactor([]).redact(f"cannot connect to {url}: refused")
    assert "pa55-word" not in redacted
    assert f"goldenhour:{REDACTED}@" in redacted


def test_the_configured_database_password_is_redacted_anywhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, output: tuple[logging.Logger, io.StringIO]
) -> None:
    monkeypatch.setenv("GOLDENHOUR_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://gh:correct-horse-battery@db/gh")
    settings = load_settings(_env_file=None)
    install_redaction(settings.secrets())
    logger, stream = output
    logger.warning("auth failed for password %s", "correct-horse-battery")
    assert "correct-horse-battery" not in stream.getvalue()
