"""TEMPORARY (engine branch, until h/pgbase merges): a throwaway PostgreSQL cluster with
the fixture contract of the common brief (`postgres_cluster`, `postgres_url`)."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")


class Cluster:
    def __init__(self, port: int, root: Path) -> None:
        self.port = port
        self.root = root
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        self._names = itertools.count(1)

    def create_database(self) -> str:
        name = f"t{os.getpid()}_{next(self._names)}"
        subprocess.run(
            [
                str(BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                name,
            ],
            check=True,
            capture_output=True,
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    if not (BIN / "initdb").exists():
        pytest.skip("PostgreSQL binaries not installed")
    root = Path(tempfile.mkdtemp(prefix="gh-pg-"))
    shutil.chown(root, "postgres")
    data = root / "data"
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            *as_pg,
            str(BIN / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_pg,
            str(BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(root / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield Cluster(port, root)
    finally:
        subprocess.run(
            [*as_pg, str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    return postgres_cluster.create_database()


# ---- permanent: the store suites run on both engines --------------------------------------

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a store test's database lives: a SQLite file, or a fresh PostgreSQL database
    (``postgres_url``; skipped, or failed in CI, when PostgreSQL cannot start)."""
    if request.param == "sqlite":
        return tmp_path / "golden.db"
    return str(request.getfixturevalue("postgres_url"))
