"""Which database to open: a SQLite file (the default) or a PostgreSQL server.

``DATABASE_URL`` holds either a plain path / ``sqlite:///path`` or ``postgresql://…``.
:class:`StoreUrl` keeps the parsed form; :meth:`StoreUrl.redacted` is the only form that
goes into logs and messages (the password is never shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

Dialect = Literal["sqlite", "postgresql"]

_SQLITE_SCHEMES = {"sqlite", "sqlite+aiosqlite"}
_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+asyncpg"}


class StoreUrlError(ValueError):
    """The URL names no database this bot can use; ``str()`` says what is accepted."""


@dataclass(frozen=True, slots=True)
class StoreUrl:
    dialect: Dialect
    path: Path | None = None  # SQLite only
    url: URL | None = None  # PostgreSQL only

    @classmethod
    def sqlite(cls, path: Path) -> StoreUrl:
        return cls("sqlite", path=path)

    @classmethod
    def parse(cls, value: str | Path) -> StoreUrl:
        """A path or ``sqlite:///path`` (SQLite), or ``postgresql://…`` (PostgreSQL)."""
        if isinstance(value, Path):
            return cls.sqlite(value)
        text = value.strip()
        if "://" not in text:
            if not text:
                raise StoreUrlError("is empty; give a SQLite path or a postgresql:// URL")
            return cls.sqlite(Path(text))
        scheme = text.split("://", 1)[0].lower()
        if scheme in _SQLITE_SCHEMES:
            path = text.split("://", 1)[1]
            if not path.startswith("/") or path in ("/", "/:memory:"):
                raise StoreUrlError(
                    "sqlite URLs need a file: sqlite:///relative/path or sqlite:////absolute/path"
                )
            return cls.sqlite(Path(path[1:]))
        if scheme not in _POSTGRES_SCHEMES:
            raise StoreUrlError(
                f"unknown scheme {scheme}://; use a SQLite path, sqlite:///path or "
                "postgresql://user:password@host:port/database"
            )
        try:
            url = make_url(text).set(drivername="postgresql+asyncpg")
        except (ArgumentError, ValueError) as exc:
            raise StoreUrlError(
                f"is not a valid postgresql:// URL ({type(exc).__name__})"
            ) from None
        if not url.database:
            raise StoreUrlError("names no database: postgresql://user@host:port/<database>")
        return cls("postgresql", url=url)

    @property
    def sqlalchemy_url(self) -> URL:
        if self.url is not None:
            return self.url
        assert self.path is not None
        return URL.create("sqlite+aiosqlite", database=str(self.path))

    def redacted(self) -> str:
        """The path, or the URL with its password shown as ``***`` — safe for any log line."""
        if self.path is not None:
            return str(self.path)
        assert self.url is not None
        return self.url.set(drivername="postgresql").render_as_string(hide_password=True)

    @property
    def password(self) -> str | None:
        return None if self.url is None else self.url.password

    @property
    def host(self) -> str:
        if self.url is None:
            return ""
        return f"{self.url.host or 'localhost'}:{self.url.port or 5432}"

    def __str__(self) -> str:
        return self.redacted()
