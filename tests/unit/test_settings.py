"""Settings: defaults, parsing, one-line errors naming the variable, the token never echoed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.logs import RedactSecrets
from bot.settings import TOKEN_HELP, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]

ALL_VARS = (
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "MAINTAINER_IDS",
    "ADMIN_GUILD_ID",
    "DEV_GUILD_ID",
    "LOG_LEVEL",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "GOLDENHOUR_HOME",
    "SEEDS_DIR",
    "BACKUP_DIR",
    "LOG_FILE",
    "LOG_FORMAT",
    "HEARTBEAT_FILE",
    "SHARD_COUNT",
    "SHARD_IDS",
    "DATABASE_URL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ALL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout


def test_defaults_live_in_the_project_not_the_current_directory() -> None:
    settings = load_settings()
    assert settings.database_path == REPO / "data/goldenhour.sqlite3"
    assert settings.seeds_dir == REPO / "seeds"
    assert settings.backup_dir == REPO / "data/backups"
    assert settings.log_file is None
    assert settings.maintainer_ids == frozenset()
    assert settings.admin_guild_id is None
    assert settings.log_level == "INFO"


def test_comma_separated_maintainers_and_blank_optionals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAINTAINER_IDS", " 111, 222 ,333 ")
    monkeypatch.setenv("ADMIN_GUILD_ID", "")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.maintainer_ids == {111, 222, 333}
    assert settings.admin_guild_id is None
    assert settings.log_level == "DEBUG"


def test_dotenv_file_is_read_from_the_home_and_paths_resolve_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".env").write_text("DEV_GUILD_ID=42\nDATABASE_PATH=x/y.db\nLOG_FILE=logs/bot.log\n")
    (tmp_path / ".env").write_text("DEV_GUILD_ID=7\n")  # the current directory's is ignored
    monkeypatch.setenv("GOLDENHOUR_HOME", str(home))
    settings = load_settings()
    assert settings.dev_guild_id == 42
    assert settings.database_path == home / "x/y.db"
    assert settings.log_file == home / "logs/bot.log"
    assert settings.seeds_dir == home / "seeds"


def test_absolute_paths_are_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    assert load_settings().database_path == tmp_path / "db.sqlite3"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ADMIN_GUILD_ID", "abc"),
        ("DEV_GUILD_ID", "-5"),
        ("MAINTAINER_IDS", "12,bob"),
        ("LOG_LEVEL", "loud"),
        ("DISCORD_API_BASE", "ftp://x"),
    ],
)
def test_invalid_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(f"{variable}: ")
    assert "\n" not in message


def test_missing_token_explains_how_to_get_one() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings().require_token()
    assert str(info.value) == TOKEN_HELP
    assert "DISCORD_TOKEN" in TOKEN_HELP and "developers/applications" in TOKEN_HELP


def test_token_is_never_in_repr_or_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "MTIzNDU2Nzg5.secret-token-value"
    monkeypatch.setenv("DISCORD_TOKEN", secret)
    settings = load_settings()
    assert secret not in repr(settings) and secret not in str(settings)
    assert settings.require_token() == secret
    monkeypatch.setenv("ADMIN_GUILD_ID", "nope")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert secret not in str(info.value)


def test_log_filter_redacts_the_token(caplog: pytest.LogCaptureFixture) -> None:
    secret = "MTIzNDU2Nzg5.secret-token-value"
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactSecrets([secret]))
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("Authorization: Bot %s", secret)
    assert secret not in caplog.text
    assert "[redacted]" in caplog.text


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DISCORD_API_BASE", "http://discord-proxy.internal/api/v10"),
        ("DISCORD_API_BASE", "http://10.0.0.5:8080/api/v10"),
        ("DISCORD_API_BASE", "http://127.0.0.1.example.com/api"),
        ("DISCORD_GATEWAY_URL", "ws://gateway.example.com/"),
    ],
)
def test_a_plain_text_endpoint_off_this_machine_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "MTIzNDU2Nzg5.secret-token-value")
    monkeypatch.setenv("DISCORD_API_BASE", "https://discord-proxy.example/api/v10")
    monkeypatch.setenv("DISCORD_GATEWAY_URL", "wss://gateway.example/")
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(f"{variable}: ") and "\n" not in message
    assert "unencrypted" in message and "secret-token-value" not in message


@pytest.mark.parametrize(
    ("api", "gateway"),
    [
        ("http://127.0.0.1:8080/api/v10", "ws://127.0.0.1:8080/gateway"),
        ("http://127.8.9.10/api/v10", "ws://localhost/gateway"),
        ("http://[::1]:9000/api/v10", "ws://[::1]:9000/gateway"),
        ("https://discord-proxy.example/api/v10", "wss://gateway.example/"),
    ],
)
def test_loopback_may_use_plain_http_and_anything_may_use_tls(
    monkeypatch: pytest.MonkeyPatch, api: str, gateway: str
) -> None:
    monkeypatch.setenv("DISCORD_API_BASE", api)
    monkeypatch.setenv("DISCORD_GATEWAY_URL", gateway)
    settings = load_settings()
    assert (settings.discord_api_base, settings.discord_gateway_url) == (api, gateway)


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"SHARD_IDS": "1"}, "SHARD_IDS: needs SHARD_COUNT too"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "SHARD_IDS: shard 2 does not exist with SHA"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,x"}, "SHARD_IDS: expected comma-separated shard"),
        ({"SHARD_COUNT": "3", "SHARD_IDS": "1,1"}, "SHARD_IDS: lists a shard twice"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT: Input should be greater than or equal to 1"),
    ],
)
def test_a_bad_shard_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], error: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(error) and "\n" not in str(caught.value)


def test_shards_split_between_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHARD_COUNT", "4")
    monkeypatch.setenv("SHARD_IDS", " 3, 2 ")
    settings = load_settings()
    assert settings.sharding_options() == {"shard_count": 4, "shard_ids": [2, 3]}
    assert settings.shared_database
    assert settings.heartbeat_path.name == "heartbeat-shards-2-3"
    monkeypatch.setenv("SHARD_IDS", "")  # every shard in this one process
    alone = load_settings()
    assert alone.sharding_options() == {"shard_count": 4, "shard_ids": [0, 1, 2, 3]}
    assert not alone.shared_database and alone.heartbeat_path == alone.heartbeat_file
    monkeypatch.delenv("SHARD_COUNT")
    monkeypatch.delenv("SHARD_IDS")
    assert load_settings().sharding_options() == {}  # automatic, as Discord recommends


def test_database_url_selects_the_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOLDENHOUR_HOME", str(tmp_path))
    default = load_settings(_env_file=None)
    assert default.database.dialect == "sqlite" and not default.on_postgresql
    assert default.database.path == default.database_path == tmp_path / "data/goldenhour.sqlite3"

    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/other.sqlite3")
    relative = load_settings(_env_file=None)
    assert relative.database_path == tmp_path / "data/other.sqlite3"  # DATABASE_PATH's rules
    assert relative.database.path == relative.database_path

    monkeypatch.setenv("DATABASE_URL", "postgresql://gh:s3cret-passw0rd@db.internal:5433/golden")
    settings = load_settings(_env_file=None)
    assert settings.on_postgresql
    assert str(settings.database) == "postgresql://gh:***@db.internal:5433/golden"
    assert settings.database.host == "db.internal:5433"
    assert "s3cret-passw0rd" in settings.secrets()  # so the log redaction removes it


@pytest.mark.parametrize(
    "value",
    ["mysql://u:p@h/db", "postgresql://u:p@h:5432/", "sqlite://relative.db"],
    ids=["unknown-scheme", "no-database", "sqlite-without-path"],
)
def test_a_bad_database_url_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", value)
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    assert message.startswith("DATABASE_URL: ") and "\n" not in message
    assert "u:p@" not in message
