"""Settings, read once at start-up from the environment and `.env`, then passed in.

Nothing here runs at import time: :func:`load_settings` builds a :class:`Settings`
and turns pydantic's validation errors into one line that names the variable.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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


class SettingsError(Exception):
    """A setting is missing or invalid; ``str()`` is one line that names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,  # never echo a secret back in an error message
    )

    discord_token: SecretStr | None = None
    database_path: Path = Path("data/goldenhour.sqlite3")
    seeds_dir: Path = Path("seeds")
    maintainer_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    admin_guild_id: int | None = Field(default=None, gt=0)
    dev_guild_id: int | None = Field(default=None, gt=0)
    log_level: LogLevel = "INFO"
    # Where discord.py connects. Unset = Discord itself; set for the local double or an
    # HTTP/gateway proxy in front of Discord.
    discord_api_base: str | None = Field(default=None, pattern=r"^https?://\S+$")
    discord_gateway_url: str | None = Field(default=None, pattern=r"^wss?://\S+$")

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

    @field_validator(
        "admin_guild_id",
        "dev_guild_id",
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
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]

    def require_token(self) -> str:
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise SettingsError(TOKEN_HELP)
        return self.discord_token.get_secret_value().strip()


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; invalid values raise :class:`SettingsError` with one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "DISCORD_API_BASE"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{variable}: {message}") from None
