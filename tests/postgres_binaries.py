"""Finding the PostgreSQL server binaries for the throwaway test cluster
(tests/postgres_cluster.py), and the one-line error every failure there raises."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# DROP DATABASE … WITH (FORCE) needs 13; identity columns and SKIP LOCKED are older.
MIN_MAJOR = 13
BINDIR_ENV = "GH_POSTGRES_BINDIR"
_VERSION = re.compile(r"\(PostgreSQL\)\s+(?P<version>(?P<major>\d+)(?:\.\d+)?)")
_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] ")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be found or started; the message is one line (what, where, what to do)."""


@dataclass(frozen=True, slots=True)
class Binaries:
    bindir: Path
    version: str  # "15.18"
    major: int

    @property
    def initdb(self) -> Path:
        return self.bindir / "initdb"

    @property
    def postgres(self) -> Path:
        return self.bindir / "postgres"


def find_binaries(env: Mapping[str, str] | None = None) -> Binaries:
    """The server binaries: $GH_POSTGRES_BINDIR, else ``pg_config --bindir``, else
    /usr/lib/postgresql/<newest>/bin, else ``initdb`` on PATH. initdb and postgres must
    exist side by side and be the same version."""
    env = os.environ if env is None else env
    override = env.get(BINDIR_ENV, "").strip()
    candidates = [Path(override)] if override else _candidate_bindirs()
    for bindir in candidates:
        if _is_executable(bindir / "initdb") and _is_executable(bindir / "postgres"):
            return _checked(bindir)
    if override:
        raise PostgresUnavailable(
            f"{BINDIR_ENV}={override} holds no initdb and postgres; point it at a PostgreSQL "
            f"server's bin directory (PostgreSQL {MIN_MAJOR}+) or unset it"
        )
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, postgres) not found in pg_config --bindir, "
        "/usr/lib/postgresql/*/bin or PATH; install the server (Debian: apt-get install "
        f"postgresql) or set {BINDIR_ENV} to its bin directory"
    )


def _candidate_bindirs() -> list[Path]:
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            found.append(Path(out.stdout.strip()))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versioned = [path / "bin" for path in debian.iterdir() if path.name.isdigit()]
        found.extend(sorted(versioned, key=lambda path: int(path.parent.name), reverse=True))
    initdb = shutil.which("initdb")
    if initdb is not None:
        found.extend([Path(initdb).parent, Path(initdb).resolve().parent])
    return list(dict.fromkeys(found))


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _checked(bindir: Path) -> Binaries:
    initdb, postgres = _version_of(bindir / "initdb"), _version_of(bindir / "postgres")
    if initdb[0] != postgres[0]:
        raise PostgresUnavailable(
            f"PostgreSQL binaries in {bindir} disagree (initdb {initdb[0]}, postgres "
            f"{postgres[0]}); reinstall the server package or set {BINDIR_ENV} to one "
            "installation's bin directory"
        )
    if postgres[1] < MIN_MAJOR:
        raise PostgresUnavailable(
            f"PostgreSQL {postgres[0]} in {bindir} is too old; the tests need "
            f"{MIN_MAJOR} or newer (install a newer server or set {BINDIR_ENV})"
        )
    return Binaries(bindir, postgres[0], postgres[1])


def _version_of(binary: Path) -> tuple[str, int]:
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise PostgresUnavailable(
            f"{binary} --version failed ({one_line(str(exc))}); reinstall the PostgreSQL "
            f"server or set {BINDIR_ENV} to a working installation"
        ) from exc
    match = _VERSION.search(out.stdout)
    if match is None:
        raise PostgresUnavailable(
            f"{binary} --version printed {out.stdout.strip()!r}, not a PostgreSQL version; "
            f"set {BINDIR_ENV} to a PostgreSQL server's bin directory"
        )
    return match["version"], int(match["major"])


def one_line(text: str) -> str:
    """A message or a server log line as one line, without the log's time and pid prefix."""
    return " ".join(_LOG_PREFIX.sub("", text.strip()).split())
