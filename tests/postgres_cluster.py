"""A throwaway PostgreSQL cluster for tests, benchmarks and CI.

``PostgresCluster.start()`` finds the server binaries, runs ``initdb`` in a fresh temporary
directory and starts ``postgres`` on 127.0.0.1 at a free port, with its unix socket in that
directory, trust authentication and durability switched off (the data is thrown away).
``create_database()`` hands out fresh empty databases; ``stop()`` ends the server and removes
the directory.

PostgreSQL refuses to run as root, so as root the cluster runs as the ``postgres`` OS user
(the one the distribution's package creates). The server is a direct child of the process
that started it and, where util-linux's ``setpriv`` exists, dies with it (parent-death
signal), so a test run killed with ``kill -9`` leaves no server behind; the next start
removes directories such runs left. Start it from the main thread: the parent-death signal
fires when the *thread* that started the server ends.

The server is started as ``postgres -D …`` rather than through ``pg_ctl``, which would
detach it from us; readiness is read from postmaster.pid as ``pg_ctl -w`` reads it.

Every fault we can name raises :class:`PostgresUnavailable` with one line: what failed,
where, and what to do. No pytest import here; tests/conftest.py turns it into fixtures.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from tests.postgres_binaries import (
    BINDIR_ENV,
    Binaries,
    PostgresUnavailable,
    find_binaries,
    one_line,
)

__all__ = ["BINDIR_ENV", "Binaries", "PostgresCluster", "PostgresUnavailable", "find_binaries"]

SUPERUSER = "postgres"
DIR_PREFIX = "gh-pg-"
START_TIMEOUT = 60.0  # seconds; generous for a loaded 2-core machine
# Several bot processes, each with a pool, plus the tests' own connections.
MAX_CONNECTIONS = 300
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": str(MAX_CONNECTIONS),
    # Throwaway data: no durability, so tests don't wait for the disk.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "logging_collector": "off",
    "log_min_messages": "warning",
}
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PORT_TAKEN = ("could not bind", "address already in use", "could not create any tcp/ip")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Account:
    """Who runs initdb and the server: ourselves, or the postgres OS user when we are root."""

    uid: int | None = None
    gid: int | None = None

    @classmethod
    def for_server(cls) -> _Account:
        if os.geteuid() != 0:
            return cls()
        try:
            entry = pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise PostgresUnavailable(
                "PostgreSQL refuses to run as root and there is no 'postgres' OS user; create "
                "one (useradd --system --user-group postgres) or run the tests as a normal user"
            ) from None
        return cls(entry.pw_uid, entry.pw_gid)

    def popen_args(self) -> dict[str, Any]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def own(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)


class PostgresCluster:
    """One running throwaway cluster. Use :meth:`start` (or ``with PostgresCluster.start()``)."""

    def __init__(self, binaries: Binaries, root: Path, port: int, process: subprocess.Popen[bytes]):
        self.binaries = binaries
        self.root = root
        self.port = port
        self._process = process
        self._names = itertools.count(1)
        self._lock = threading.Lock()
        self.startup_seconds = 0.0
        self.url = self.database_url(SUPERUSER)

    # -- life cycle --------------------------------------------------------------------------

    @classmethod
    def start(
        cls, *, binaries: Binaries | None = None, base: Path | None = None
    ) -> PostgresCluster:
        """initdb + start; raises :class:`PostgresUnavailable` with one line on any failure."""
        began = time.perf_counter()
        binaries = binaries or find_binaries()
        account = _Account.for_server()
        base = Path(tempfile.gettempdir()) if base is None else base
        _remove_abandoned(base)
        root = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=base))
        try:
            (root / "owner").write_text(str(os.getpid()), encoding="ascii")
            account.own(root)
            _initdb(binaries, account, root)
            cluster = _start_server(cls, binaries, account, root)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        cluster.startup_seconds = time.perf_counter() - began
        atexit.register(cluster.stop)
        return cluster

    def stop(self) -> None:
        """Stop the server (immediate shutdown: the data is thrown away) and remove its files.
        Safe to call twice."""
        process = self._process
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        shutil.rmtree(self.root, ignore_errors=True)
        atexit.unregister(self.stop)

    def __enter__(self) -> PostgresCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    # -- databases ---------------------------------------------------------------------------

    def database_url(self, name: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def create_database(self, *, template: str | None = None) -> str:
        """A fresh empty database (UTF8, C collation); returns its URL.

        ``template`` (a URL or name from this cluster, with no open connection) is copied
        instead: migrate one database once, then hand out copies of it.
        """
        with self._lock:
            name = f"gh_test_{next(self._names)}"
        statement = f'CREATE DATABASE "{_valid_name(name)}"'
        if template is not None:
            statement += f' TEMPLATE "{_valid_name(template.rsplit("/", 1)[-1])}"'
        self._admin(statement)
        return self.database_url(name)

    def drop_database(self, url_or_name: str) -> None:
        """Drop a database made by :meth:`create_database`, ending any connection still on it."""
        name = url_or_name.rsplit("/", 1)[-1]
        self._admin(f'DROP DATABASE IF EXISTS "{_valid_name(name)}" WITH (FORCE)')

    def run(
        self, work: Callable[[asyncpg.Connection], Awaitable[T]], database: str = "postgres"
    ) -> T:
        """Run ``work`` on a fresh superuser connection to ``database``, from sync code or from
        inside a running event loop alike (it gets its own loop in a worker thread)."""

        async def session() -> T:
            conn = await asyncpg.connect(
                host=str(self.root), port=self.port, user=SUPERUSER, database=database, timeout=30
            )
            try:
                return await work(conn)
            finally:
                await conn.close()

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-admin") as pool:
            return pool.submit(asyncio.run, session()).result()

    def _admin(self, statement: str) -> None:
        async def execute(conn: asyncpg.Connection) -> None:
            await conn.execute(statement)

        try:
            self.run(execute)
        except (OSError, asyncpg.PostgresError) as exc:
            raise PostgresUnavailable(
                f"{statement} failed on the test cluster at 127.0.0.1:{self.port} "
                f"({self.root}): {one_line(str(exc))}"
            ) from exc


def _valid_name(name: str) -> str:
    # Identifiers can't be placeholders: only our own simple names get into the statement.
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"not a test database name: {name!r}")
    return name


def _initdb(binaries: Binaries, account: _Account, root: Path) -> None:
    data, log = root / "data", root / "initdb.log"
    options = f"--username {SUPERUSER} --auth trust --encoding UTF8 --locale C --no-sync"
    command = [str(binaries.initdb), "--pgdata", str(data), *options.split()]
    with log.open("wb") as out:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=root,
            env=_server_env(),
            check=False,
            **account.popen_args(),
        )
    if result.returncode != 0:
        problem = _last_line(log)
        advice = (
            "set TMPDIR to a directory the server's OS user can reach"
            if "permission denied" in problem.lower()
            else "check the PostgreSQL installation"
        )
        raise PostgresUnavailable(
            f"initdb ({binaries.initdb}) failed in {data} with exit {result.returncode}: "
            f"{problem}; {advice}"
        )


def _start_server(
    cls: type[PostgresCluster], binaries: Binaries, account: _Account, root: Path
) -> PostgresCluster:
    # A free port found now can be taken by another test run before the server binds it:
    # try a few.
    for _ in range(5):
        port = _free_port()
        log = root / "server.log"
        process = _spawn(binaries, account, root, port, log)
        problem = _wait_ready(process, root / "data" / "postmaster.pid")
        if problem is None:
            return cls(binaries, root, port, process)
        _end(process)
        last = _last_line(log)
        if not any(sign in last.lower() for sign in _PORT_TAKEN):
            raise PostgresUnavailable(
                f"PostgreSQL {binaries.version} did not start on 127.0.0.1:{port} "
                f"(data in {root / 'data'}): {problem}: {last}"
            )
    raise PostgresUnavailable(
        f"PostgreSQL {binaries.version} found no free port on 127.0.0.1 after 5 tries: {last}; "
        "free some ports or retry"
    )


def _spawn(
    binaries: Binaries, account: _Account, root: Path, port: int, log: Path
) -> subprocess.Popen[bytes]:
    settings = {**_SERVER_SETTINGS, "port": str(port), "unix_socket_directories": str(root)}
    command = [str(binaries.postgres), "-D", str(root / "data")]
    for key, value in settings.items():
        command += ["-c", f"{key}={value}"]
    setpriv = shutil.which("setpriv")
    if setpriv is not None:
        # SIGQUIT (immediate shutdown) when the starting thread dies, even by kill -9.
        command = [setpriv, "--pdeathsig", "SIGQUIT", "--", *command]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=root,
            env=_server_env(),
            **account.popen_args(),
        )


def _wait_ready(process: subprocess.Popen[bytes], pid_file: Path) -> str | None:
    """None once the server accepts connections, else why not."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"the server exited with {process.returncode}"
        # The postmaster writes "ready" as the 8th line of its pid file (what pg_ctl -w reads).
        with contextlib.suppress(OSError):
            lines = pid_file.read_text(encoding="utf-8", errors="replace").splitlines()
            if len(lines) >= 8 and lines[7].strip() == "ready":
                return None
        time.sleep(0.02)
    return f"not ready after {START_TIMEOUT:.0f} s"


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=15)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env() -> dict[str, str]:
    # Nothing from our environment that could point the server elsewhere (PGDATA, PGPORT …).
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _remove_abandoned(base: Path) -> None:
    """Delete directories of earlier runs that died without cleaning up: their owner process
    is gone and no server runs in them (a server still running there is left alone)."""
    with contextlib.suppress(OSError):
        for root in base.glob(f"{DIR_PREFIX}*"):
            if _alive(_pid_in(root / "owner")) or _alive(_pid_in(root / "data/postmaster.pid")):
                continue
            if (root / "owner").exists():
                shutil.rmtree(root, ignore_errors=True)


def _pid_in(path: Path) -> int | None:
    try:
        first = path.read_text(encoding="ascii", errors="replace").split()
        return int(first[0]) if first else None
    except (OSError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _last_line(log: Path) -> str:
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return "no log written"
    meaningful = [line for line in lines if line]
    # Prefer the server's own complaint over its HINT/DETAIL follow-ups.
    for line in reversed(meaningful):
        if any(level in line for level in ("FATAL", "ERROR", "PANIC", "error")):
            return one_line(line)
    return one_line(meaningful[-1]) if meaningful else "no output"
