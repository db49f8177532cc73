"""The operator's side of PostgreSQL: a server that can't be reached is one line (where, why,
what to do) and never shows the password; migrate, seed and doctor work on a real server."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.unit.test_cli import run_cli

PASSWORD = "not-the-real-one-42"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_an_unreachable_server_is_one_line_naming_it(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql://gh:{PASSWORD}@127.0.0.1:{port}/golden"
    result = run_cli("migrate", cwd=tmp_path, env={"DATABASE_URL": url})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "connection refused" in lines[0]
    assert "DATABASE_URL" in lines[0]
    assert PASSWORD not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_doctor_reports_the_unreachable_server_as_a_problem(tmp_path: Path) -> None:
    url = f"postgresql://gh:{PASSWORD}@127.0.0.1:{closed_port()}/golden"
    result = run_cli("doctor", "--offline", cwd=tmp_path, env={"DATABASE_URL": url})
    assert result.returncode == 1
    database = [line for line in result.stdout.splitlines() if line.startswith("database")]
    assert len(database) == 1 and "problem" in database[0] and "connection refused" in database[0]
    assert PASSWORD not in result.stdout + result.stderr


def test_migrate_seed_and_doctor_on_a_real_server(tmp_path: Path, postgres_url: str) -> None:
    env = {"DATABASE_URL": postgres_url, "SEEDS_DIR": str(Path(__file__).parents[2] / "seeds")}
    migrated = run_cli("migrate", cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "is at schema version" in migrated.stdout
    seeded = run_cli("seed", cwd=tmp_path, env=env)
    assert seeded.returncode == 0, seeded.stderr
    doctor = run_cli("doctor", "--offline", cwd=tmp_path, env=env)
    rows = {line.split()[0]: line.split()[1] for line in doctor.stdout.splitlines()[2:-1]}
    assert rows["database"] == "ok" and "connected" in doctor.stdout, doctor.stdout
    assert rows["schema"] == "ok", doctor.stdout
    backup = run_cli("backup", cwd=tmp_path, env=env)
    assert backup.returncode != 0 and "pg_dump" in backup.stderr
    assert "Traceback" not in backup.stderr
