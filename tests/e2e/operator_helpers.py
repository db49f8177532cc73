"""Run `python -m bot …` as an operator would: a subprocess, its own environment, and
the working directory somewhere else than the project."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
STORAGE_EXIT = 74


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def one_line_error(self, code: int) -> str:
        """The operator saw exactly one line, the exit code, and no traceback."""
        assert "Traceback" not in self.stderr, self.stderr
        assert self.code == code, (self.code, self.stderr)
        assert len(self.lines) == 1, self.stderr
        assert self.lines[0].startswith("error: "), self.stderr
        return self.lines[0]


def bot_env(database: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "DATABASE_", "SEEDS_", "BACKUP_", "LOG_", "HEARTBEAT_"))
    }
    env.update(
        DATABASE_PATH=str(database),
        SEEDS_DIR=str(SEEDS),
        BACKUP_DIR=str(database.parent / "backups"),
        HEARTBEAT_FILE=str(database.parent / "heartbeat"),
        LOG_LEVEL="INFO",
        PYTHONPATH=str(REPO),
    )
    env.update(extra)
    return env


def run_cli(
    *args: str,
    env: Mapping[str, str],
    cwd: Path,
    python: str = sys.executable,
    timeout: float = 120,
    **kwargs: Any,
) -> Outcome:
    done = subprocess.run(
        [python, "-m", "bot", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


async def run_cli_async(*args: str, env: Mapping[str, str], cwd: Path) -> Outcome:
    """`run_cli` off the event loop, so the double in this process keeps answering."""
    return await asyncio.to_thread(run_cli, *args, env=env, cwd=cwd)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` with its content hash: 'nothing written' in one value."""
    return {
        str(p.relative_to(directory)): digest(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def row_counts(database: Path) -> dict[str, int]:
    conn = sqlite3.connect(database)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def integrity(database: Path) -> str:
    conn = sqlite3.connect(database)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def copy_database(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` (a file or a directory) cannot be written by the bot.

    Permission bits do not bind root, so as root a read-only bind mount of the path is used
    (the kernel then refuses every write with EROFS, as on a read-only volume)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    bind = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount as root here: {bind.stderr.decode().strip()}")
    try:
        remount = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(path)], capture_output=True, check=False
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {remount.stderr.decode().strip()}")
        yield
    finally:
        subprocess.run(["umount", str(path)], check=False)
