"""The deploy files run the tested command, and the systemd unit passes systemd-analyze.

A container cannot be built here (no base image registry is reachable), so the Dockerfile
and compose file are checked for what they run: the same `make install` and
`python -m bot run` / `python -m bot health` the other tests exercise."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.operator_helpers import REPO

UNITS = ["golden-hour.service", "golden-hour-health.service", "golden-hour-health.timer"]


def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    # The units name /opt/golden-hour; lay out the same tree here so every path they use exists.
    root = tmp_path / "golden-hour"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (root / "data").mkdir()
    (root / ".env").write_text("DISCORD_TOKEN=\n")
    units = tmp_path / "units"
    units.mkdir()
    for name in UNITS:
        text = (REPO / "deploy" / name).read_text().replace("/opt/golden-hour", str(root))
        (units / name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", *(str(units / n) for n in UNITS)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"SYSTEMD_LOG_LEVEL": "warning"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    for complaint in ("Unknown", "not executable", "Failed", "Invalid", "ignoring"):
        assert complaint not in output, output


def test_the_unit_runs_the_tested_command_and_stops_with_sigterm() -> None:
    unit = (REPO / "deploy" / "golden-hour.service").read_text()
    assert "ExecStart=/opt/golden-hour/.venv/bin/python -m bot run" in unit
    assert "KillSignal=SIGTERM" in unit and "Restart=on-failure" in unit
    assert "EnvironmentFile=" in unit
    # the exit codes that restarting cannot fix match the CLI's
    from bot.cli import exitcodes

    assert f"RestartPreventExitStatus={exitcodes.TOKEN_REJECTED} {exitcodes.CONFIG}" in unit


def test_container_files_run_the_tested_commands() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "RUN make install" in dockerfile  # the production install the startup test runs
    assert 'ENTRYPOINT ["/app/.venv/bin/python", "-m", "bot"]' in dockerfile
    assert 'CMD ["run"]' in dockerfile
    assert '"-m", "bot", "health"' in dockerfile
    assert "USER golden-hour" in dockerfile and 'VOLUME ["/data"]' in dockerfile
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    bot = compose["services"]["bot"]
    assert bot["restart"] == "unless-stopped"
    assert bot["healthcheck"]["test"][-3:] == ["-m", "bot", "health"]
    assert any(v.endswith(":/data") for v in bot["volumes"])
