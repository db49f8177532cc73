"""The throwaway PostgreSQL cluster (tests/postgres_cluster.py) and its fixtures: it answers on
loopback only, hands out isolated databases, cleans up after itself even when its owner is
killed, and says in one line what is missing — a skip on a laptop, a failure in CI."""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests import postgres_cluster
from tests.postgres_cluster import (
    BINDIR_ENV,
    PostgresCluster,
    PostgresUnavailable,
    _remove_abandoned,
    find_binaries,
)

ROOT = Path(__file__).resolve().parents[2]


async def _settings(conn: asyncpg.Connection) -> dict[str, str]:
    names = ["listen_addresses", "fsync", "synchronous_commit", "full_page_writes"]
    found = {name: str(await conn.fetchval(f"SHOW {name}")) for name in names}
    found["max_connections"] = str(await conn.fetchval("SHOW max_connections"))
    found["version"] = str(await conn.fetchval("SELECT version()"))
    return found


def test_the_cluster_answers_on_loopback_only(postgres_cluster: PostgresCluster) -> None:
    settings = postgres_cluster.run(_settings)
    assert settings["version"].startswith(f"PostgreSQL {postgres_cluster.binaries.version} ")
    assert settings["listen_addresses"] == "127.0.0.1"
    assert int(settings["max_connections"]) >= 300  # several bot processes with their pools
    assert {settings[name] for name in ("fsync", "synchronous_commit", "full_page_writes")} == {
        "off"
    }
    assert (
        postgres_cluster.url == f"postgresql://postgres@127.0.0.1:{postgres_cluster.port}/postgres"
    )
    assert (postgres_cluster.root / f".s.PGSQL.{postgres_cluster.port}").exists()
    if os.geteuid() == 0:  # initdb refuses root: the files belong to the postgres user
        owner = (postgres_cluster.root / "data").stat().st_uid
        assert owner == pwd.getpwnam("postgres").pw_uid


async def _tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(row[0] for row in rows)


def test_every_database_is_a_fresh_one_of_its_own(postgres_cluster: PostgresCluster) -> None:
    first, second = postgres_cluster.create_database(), postgres_cluster.create_database()
    try:
        assert first != second
        assert first.startswith(f"postgresql://postgres@127.0.0.1:{postgres_cluster.port}/")

        async def write(conn: asyncpg.Connection) -> None:
            await conn.execute("CREATE TABLE mine (id BIGINT PRIMARY KEY)")
            await conn.execute("INSERT INTO mine VALUES (1)")

        postgres_cluster.run(write, first.rsplit("/", 1)[-1])
        assert postgres_cluster.run(_tables, first.rsplit("/", 1)[-1]) == ["mine"]
        assert postgres_cluster.run(_tables, second.rsplit("/", 1)[-1]) == []

        copy = postgres_cluster.create_database(template=first)
        assert postgres_cluster.run(_tables, copy.rsplit("/", 1)[-1]) == ["mine"]
        postgres_cluster.drop_database(copy)
    finally:
        postgres_cluster.drop_database(first)
        postgres_cluster.drop_database(second)


def test_postgres_url_is_empty_and_reachable(
    postgres_cluster: PostgresCluster, postgres_url: str
) -> None:
    assert postgres_cluster.run(_tables, postgres_url.rsplit("/", 1)[-1]) == []


def test_dropping_ends_connections_a_test_left_open(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.create_database()

    async def drop_under_an_open_connection(conn: asyncpg.Connection) -> str:
        postgres_cluster.drop_database(url)
        try:
            await conn.fetchval("SELECT 1")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            return type(exc).__name__
        return "still connected"

    assert postgres_cluster.run(drop_under_an_open_connection, url.rsplit("/", 1)[-1]) != (
        "still connected"
    )


@pytest.fixture
def shared_base() -> Iterator[Path]:
    """A base directory the postgres OS user can enter (pytest's tmp_path is root-only)."""
    base = Path(tempfile.mkdtemp(prefix="gh-pg-test-"))
    base.chmod(0o755)
    yield base
    subprocess.run(["rm", "-rf", str(base)], check=False)


def _refused(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_stop_ends_the_server_and_removes_its_files(shared_base: Path) -> None:
    cluster = PostgresCluster.start(base=shared_base)
    assert cluster.running and not _refused(cluster.port)
    cluster.stop()
    assert not cluster.running
    assert not cluster.root.exists()
    assert _refused(cluster.port)
    cluster.stop()  # twice is harmless (the session fixture and atexit both call it)


OWNER = """
import sys, time
from pathlib import Path
from tests.postgres_cluster import PostgresCluster
cluster = PostgresCluster.start(base=Path(sys.argv[1]))
print(cluster._process.pid, cluster.root, flush=True)
time.sleep(600)
"""


def test_a_killed_owner_takes_its_server_along(shared_base: Path) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(shared_base)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert owner.stdout is not None
        pid_text, root = owner.stdout.readline().split()
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    server = int(pid_text)
    deadline = time.monotonic() + 20
    while Path(f"/proc/{server}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{server}").exists(), "the server outlived the process that owned it"
    # The next start (here: its sweep alone) deletes what the killed run left.
    assert Path(root).exists()
    _remove_abandoned(shared_base)
    assert not Path(root).exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the files to the postgres user")
def test_a_directory_the_server_user_cannot_reach_is_named(tmp_path: Path) -> None:
    # pytest's tmp_path lies under a root-only directory.
    with pytest.raises(PostgresUnavailable, match=r"initdb .* failed in .*set TMPDIR") as caught:
        PostgresCluster.start(base=tmp_path)
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_will_not_start_says_why(
    shared_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(postgres_cluster._SERVER_SETTINGS, "max_connections", "0")
    with pytest.raises(PostgresUnavailable) as caught:
        PostgresCluster.start(base=shared_base)
    message = str(caught.value)
    assert message.startswith("PostgreSQL ") and "did not start on 127.0.0.1:" in message
    assert "GMT [" not in message  # the log line without its time and pid prefix
    assert 'FATAL: 0 is outside the valid range for parameter "max_connections"' in message
    assert "\n" not in message
    assert list(shared_base.iterdir()) == []


def _fake_bindir(path: Path, initdb: str, postgres: str) -> Path:
    path.mkdir()
    for name, version in (("initdb", initdb), ("postgres", postgres)):
        script = path / name
        script.write_text(f'#!/bin/sh\necho "{name} (PostgreSQL) {version}"\n')
        script.chmod(0o755)
    return path


@pytest.mark.parametrize(
    ("initdb", "postgres", "says"),
    [("15.18", "14.2", "disagree"), ("12.9", "12.9", "too old")],
)
def test_unusable_binaries_are_named_in_one_line(
    tmp_path: Path, initdb: str, postgres: str, says: str
) -> None:
    bindir = _fake_bindir(tmp_path / "bin", initdb, postgres)
    with pytest.raises(PostgresUnavailable) as caught:
        find_binaries({BINDIR_ENV: str(bindir)})
    message = str(caught.value)
    assert says in message and str(bindir) in message and BINDIR_ENV in message
    assert "\n" not in message


def test_missing_binaries_say_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailable, match=f"{BINDIR_ENV}=.* holds no initdb") as caught:
        find_binaries({BINDIR_ENV: str(tmp_path)})
    assert "\n" not in str(caught.value)


def test_the_real_binaries_agree() -> None:
    binaries = find_binaries({})
    assert binaries.major >= 13
    assert binaries.initdb.parent == binaries.postgres.parent


NEEDS_POSTGRES = """
def test_needs_postgres(postgres_url):
    pass
"""


@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 error")])
def test_without_postgresql_a_laptop_skips_and_ci_fails(
    tmp_path: Path, ci: str, outcome: str
) -> None:
    test_file = tmp_path / "test_needs_postgres.py"
    test_file.write_text(textwrap.dedent(NEEDS_POSTGRES))
    env = {
        key: value for key, value in os.environ.items() if key not in {"CI", "GH_REQUIRE_POSTGRES"}
    }
    env.update({BINDIR_ENV: str(tmp_path), "CI": ci})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rsE",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            str(test_file),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome in result.stdout, result.stdout
    assert "holds no initdb and postgres" in result.stdout
    assert "Traceback" not in result.stdout
    assert "During handling" not in result.stdout
