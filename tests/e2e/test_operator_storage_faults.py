"""Storage faults as an operator meets them: `python -m bot migrate | seed | run` in a
subprocess, started from another directory. Each fault ends in exactly one line on stderr
(what, which path, what to do), exit code 74, no traceback, and nothing written."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.operator_helpers import (
    STORAGE_EXIT,
    Outcome,
    bot_env,
    copy_database,
    read_only,
    run_cli,
    tree,
)

COMMANDS = ["migrate", "seed", "run"]
# `run` never gets as far as Discord: nothing listens here, so reaching it would be a
# different error (and a different exit code) than the storage fault the test expects.
OFFLINE = {
    "DISCORD_TOKEN": "MTIz.fake.token-for-storage-tests",
    "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",
    "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gateway",
}


@pytest.fixture(scope="module")
def good_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded database made by the real `python -m bot seed`."""
    directory = tmp_path_factory.mktemp("template")
    database = directory / "gh.sqlite3"
    outcome = run_cli("seed", env=bot_env(database), cwd=directory)
    assert outcome.code == 0, outcome.stderr
    return database


@pytest.fixture
def workdir() -> Iterator[Path]:
    """World-writable, so the same directory works for an unprivileged run (see as_user)."""
    directory = Path(tempfile.mkdtemp(prefix="gh-storage-"))
    directory.chmod(0o777)
    try:
        yield directory
    finally:
        for path in [directory, *directory.rglob("*")]:
            with contextlib.suppress(OSError):
                path.chmod(0o777 if path.is_dir() else 0o666)
        shutil.rmtree(directory, ignore_errors=True)


def attempt(command: str, database: Path, cwd: Path) -> Outcome:
    return run_cli(command, env=bot_env(database, **OFFLINE), cwd=cwd)


def check_fault(
    command: str,
    database: Path,
    workdir: Path,
    *,
    says: tuple[str, ...],
    watch: Path | None = None,
) -> str:
    watched = watch or workdir
    before = tree(watched)
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    outcome = attempt(command, database, elsewhere)
    line = outcome.one_line_error(STORAGE_EXIT)
    for words in says:
        assert words in line, line
    assert tree(watched) == before, "something was written"
    assert not (elsewhere / "data").exists(), "a stray database in the working directory"
    return line


@pytest.mark.parametrize("command", COMMANDS)
def test_database_path_is_a_directory(command: str, workdir: Path) -> None:
    database = workdir / "gh.sqlite3"
    database.mkdir()
    check_fault(command, database, workdir, says=(str(database), "is a directory", "DATABASE_PATH"))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_parent_of_the_path_is_a_file(command: str, workdir: Path) -> None:
    (workdir / "data").write_text("not a directory")
    database = workdir / "data" / "gh.sqlite3"
    check_fault(command, database, workdir, says=(str(workdir / "data"), "is a file"))


@pytest.mark.parametrize("command", COMMANDS)
def test_garbage_file(command: str, workdir: Path) -> None:
    database = workdir / "gh.sqlite3"
    database.write_bytes(os.urandom(8192))
    check_fault(
        command, database, workdir, says=(str(database), "not a SQLite database", "restore")
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_truncated_file(command: str, workdir: Path, good_database: Path) -> None:
    database = copy_database(good_database, workdir / "gh.sqlite3")
    with database.open("r+b") as handle:
        handle.truncate(database.stat().st_size // 2)
    check_fault(command, database, workdir, says=(str(database), "damaged", "restore"))


@pytest.mark.parametrize("command", COMMANDS)
def test_schema_newer_than_the_code(command: str, workdir: Path, good_database: Path) -> None:
    database = copy_database(good_database, workdir / "gh.sqlite3")
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    check_fault(command, database, workdir, says=(str(database), "schema version 999", "upgrade"))


@pytest.mark.parametrize("command", COMMANDS)
def test_read_only_file(command: str, workdir: Path, good_database: Path) -> None:
    database = copy_database(good_database, workdir / "gh.sqlite3")
    with read_only(database):
        check_fault(command, database, workdir, says=(str(database), "read-only"))


@pytest.mark.parametrize("command", COMMANDS)
def test_read_only_directory(command: str, workdir: Path, good_database: Path) -> None:
    directory = workdir / "db"
    database = copy_database(good_database, directory / "gh.sqlite3")
    with read_only(directory):
        check_fault(
            command, database, workdir, says=(str(directory), "cannot write"), watch=directory
        )


@contextlib.contextmanager
def tiny_disk(size_kib: int) -> Iterator[Path]:
    """A real full disk: a tmpfs of ``size_kib`` (needs root and mount rights)."""
    mountpoint = Path(tempfile.mkdtemp(prefix="gh-tinydisk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(mountpoint)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        mountpoint.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)
        mountpoint.rmdir()


def fill(directory: Path) -> None:
    """Write until the disk refuses: no space is left for the database or its journal."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)


@pytest.mark.parametrize("command", COMMANDS)
def test_full_disk(command: str, good_database: Path) -> None:
    room = good_database.stat().st_size // 1024 + 512
    with tiny_disk(size_kib=room) as disk:
        database = copy_database(good_database, disk / "gh.sqlite3")
        fill(disk)
        check_fault(command, database, disk, says=(str(database), "full", "free some space"))


def test_each_message_is_distinct_enough_to_act_on(workdir: Path, good_database: Path) -> None:
    """Sanity: the lines above are not one generic message."""
    seen: set[str] = set()
    makers: list[Callable[[Path], Path]] = [
        lambda d: (d / "a").mkdir() or d / "a",
        lambda d: (d / "b").write_bytes(b"x" * 4096) and d / "b",
    ]
    for make in makers:
        database = make(workdir)
        outcome = attempt("migrate", database, workdir)
        seen.add(outcome.one_line_error(STORAGE_EXIT).split(";")[0].replace(str(database), "P"))
    assert len(seen) == 2
