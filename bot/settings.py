"""Settings, read once at start-up from the environment and `.env`, then passed in.

Nothing here runs at import time: :func:`load_settings` builds a :class:`Settings`
and turns pydantic's validation errors into one line that names the variable.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.store.url import StoreUrl, StoreUrlError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

TOKEN_HELP = (
    "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications "
    "(New Application → Bot → Reset Token), then put DISCORD_TOKEN=<token> in .env "
    "(see .env.example)."
)


# Schemes that carry the bot token unencrypted: allowed only to this machine (the local double).
_PLAIN_SCHEMES = {"http": "https", "ws": "wss"}


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8 and ::1
    except ValueError:
        return False


HOME_VARIABLE = "GOLDENHOUR_HOME"


def project_home() -> Path:
    """Where relative paths and ``.env`` are found: ``$GOLDENHOUR_HOME``, else the project
    directory (the one holding the ``bot`` package and ``seeds/``) — never the current one."""
    configured = os.environ.get(HOME_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(__file__).resolve().parents[1]


class SettingsError(Exception):
    """A setting is missing or invalid; ``str()`` is one line that names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,  # never echo a secret back in an error message
    )

    discord_token: SecretStr | None = None
    database_path: Path = Path("data/goldenhour.sqlite3")
    # A SQLite path / sqlite:///path (then it is DATABASE_PATH) or postgresql://… (see
    # docs/OPERATIONS.md). The password in it is redacted from every log line.
    database_url: str | None = None
    seeds_dir: Path = Path("seeds")
    maintainer_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    admin_guild_id: int | None = Field(default=None, gt=0)
    dev_guild_id: int | None = Field(default=None, gt=0)
    log_level: LogLevel = "INFO"
    # Logs go to stderr; LOG_FILE adds a rotating file, LOG_FORMAT=json makes both JSON lines.
    log_file: Path | None = None
    log_format: Literal["text", "json"] = "text"
    # `python -m bot backup` writes here; migrations leave a copy here first.
    backup_dir: Path = Path("data/backups")
    # Periodic backups while the bot runs (0 = off) and how many of them to keep.
    backup_interval_hours: float = Field(default=0, ge=0)
    backup_keep: int = Field(default=7, ge=1)
    # Touched while the gateway is up and the delivery worker alive; `python -m bot health`.
    heartbeat_file: Path = Path("data/heartbeat")
    # Where discord.py connects. Unset = Discord itself; set for the local double or an
    # HTTP/gateway proxy in front of Discord.
    discord_api_base: str | None = Field(default=None, pattern=r"^https?://\S+$")
    discord_gateway_url: str | None = Field(default=None, pattern=r"^wss?://\S+$")
    # Several processes on one database (docs/OPERATIONS.md "Several processes"): each
    # connects the shards in SHARD_IDS out of SHARD_COUNT. Unset: one process, every shard,
    # as many as Discord recommends.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None

    @model_validator(mode="before")
    @classmethod
    def _sqlite_url_is_the_path(cls, data: Any) -> Any:
        # DATABASE_URL=sqlite:///x or a plain path means DATABASE_PATH=x; everything that
        # works on the file (backups, preflight, the run lock) then reads database_path.
        if not isinstance(data, dict):
            return data
        raw = data.get("database_url")
        if isinstance(raw, str) and raw.strip():
            try:
                parsed = StoreUrl.parse(raw)
            except StoreUrlError:
                return data  # the field validator reports it
            if parsed.path is not None:
                return {**data, "database_path": str(parsed.path), "database_url": None}
        return data

    @field_validator("database_url", mode="before")
    @classmethod
    def _valid_database_url(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str):
            try:
                StoreUrl.parse(value)
            except StoreUrlError as exc:
                raise ValueError(str(exc)) from None
            return value.strip()
        return value

    @field_validator("maintainer_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            for part in parts:
                if not part.isdigit():
                    raise ValueError(f"expected comma-separated Discord user ids, got {part!r}")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_shard_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            for part in parts:
                if not part.isdigit():
                    raise ValueError(f"expected comma-separated shard numbers, got {part!r}")
            return tuple(int(p) for p in parts) or None
        return value

    @field_validator("shard_ids", mode="after")
    @classmethod
    def _shards_in_range(cls, value: tuple[int, ...] | None, info: ValidationInfo) -> Any:
        if value is None:
            return None
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("needs SHARD_COUNT too (the total number of shards of the bot)")
        outside = [shard for shard in value if shard >= count]
        if outside:
            raise ValueError(
                f"shard {outside[0]} does not exist with SHARD_COUNT={count} "
                f"(shards are numbered 0 to {count - 1})"
            )
        if len(set(value)) != len(value):
            raise ValueError("lists a shard twice")
        return tuple(sorted(value))

    @field_validator(
        "admin_guild_id",
        "dev_guild_id",
        "shard_count",
        "discord_token",
        "discord_api_base",
        "discord_gateway_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # `ADMIN_GUILD_ID=` in .env means "not set", not "invalid".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _no_token_in_clear(cls, value: str | None) -> str | None:
        # The token travels in every request's Authorization header and in the gateway's
        # IDENTIFY: over plain http:// or ws:// anyone on the path could read it.
        if value is None:
            return value
        parts = urlsplit(value)
        secure = _PLAIN_SCHEMES.get(parts.scheme.lower())
        if secure is not None and not _is_loopback(parts.hostname or ""):
            raise ValueError(
                f"{parts.scheme}:// to {parts.hostname or '?'} would send the bot token "
                f"unencrypted; use {secure}:// ({parts.scheme}:// is allowed only to "
                "localhost, 127.0.0.0/8 or ::1)"
            )
        return value

    @field_validator("discord_token", mode="before")
    @classmethod
    def _strip_token(cls, value: Any) -> Any:
        # " TOKEN\n" from a pasted .env line: what Discord gets, and what the log redaction
        # looks for, is the stripped value.
        return value.strip() if isinstance(value, str) else value

    @field_validator("log_file", mode="before")
    @classmethod
    def _blank_path_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator(
        "database_path", "seeds_dir", "log_file", "backup_dir", "heartbeat_file", mode="after"
    )
    @classmethod
    def _under_home(cls, value: Path | None) -> Path | None:
        # Relative to the project (or GOLDENHOUR_HOME), never to wherever the command ran.
        if value is None:
            return None
        value = value.expanduser()
        return value if value.is_absolute() else project_home() / value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _endpoints_together(self) -> Settings:
        if (self.discord_api_base is None) != (self.discord_gateway_url is None):
            raise ValueError("DISCORD_API_BASE and DISCORD_GATEWAY_URL must be set together")
        return self

    @property
    def database(self) -> StoreUrl:
        """The database to open: PostgreSQL when DATABASE_URL says so, else the SQLite file."""
        if self.database_url is not None:
            return StoreUrl.parse(self.database_url)
        return StoreUrl.sqlite(self.database_path)

    @property
    def on_postgresql(self) -> bool:
        return self.database.dialect == "postgresql"

    def secrets(self) -> list[str]:
        """What the log redaction removes: the bot token and the database password."""
        found = [self.discord_token.get_secret_value()] if self.discord_token else []
        password = self.database.password
        if password:
            found.append(password)
        return found

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]

    @property
    def shared_database(self) -> bool:
        """This process runs only some of the shards: others share its database."""
        return self.shard_ids is not None and len(self.shard_ids) < (self.shard_count or 0)

    @property
    def heartbeat_path(self) -> Path:
        """HEARTBEAT_FILE, one per process when processes share the database (``heartbeat``
        → ``heartbeat-shards-0-1``): `python -m bot health` with the same settings reads it."""
        if not self.shared_database or self.shard_ids is None:
            return self.heartbeat_file
        suffix = "-".join(map(str, self.shard_ids))
        return self.heartbeat_file.with_name(f"{self.heartbeat_file.name}-shards-{suffix}")

    def sharding_options(self) -> dict[str, Any]:
        """``shard_count``/``shard_ids`` for discord.py's AutoShardedClient; empty = automatic."""
        options: dict[str, Any] = {}
        if self.shard_count is not None:
            options["shard_count"] = self.shard_count
            options["shard_ids"] = list(self.shard_ids or range(self.shard_count))
        return options

    def require_token(self) -> str:
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise SettingsError(TOKEN_HELP)
        return self.discord_token.get_secret_value().strip()


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; invalid values raise :class:`SettingsError` with one clear line."""
    overrides.setdefault("_env_file", project_home() / ".env")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "DISCORD_API_BASE"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{variable}: {message}") from None
