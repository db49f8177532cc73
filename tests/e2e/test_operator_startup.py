"""Start-up as an operator sees it: the production install (no dev tools) in a fresh venv,
`python -m bot run` started from another directory against the double, and each start-up
failure ending in one line on stderr with its exit code."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from discord_double import DiscordDouble

from tests.e2e.operator_helpers import REPO, bot_env, run_cli_async

DEV_TOOLS = ("pytest", "ruff", "mypy")


@pytest.fixture(scope="module")
def production_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make install` into a fresh venv: exactly the production path of the Makefile."""
    venv = tmp_path_factory.mktemp("prod") / "venv"
    done = subprocess.run(
        ["make", "-C", str(REPO), "install", f"VENV={venv}", f"PYTHON={sys.executable}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin" / "python"


async def start(python: Path, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(python),
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_production_install_runs_from_another_directory(
    double: DiscordDouble, tmp_path: Path, production_python: Path
) -> None:
    bin_dir = production_python.parent
    for tool in DEV_TOOLS:
        assert not (bin_dir / tool).exists(), f"{tool} is in the production install"

    double.add_guild("Golden Hour Fans")
    double.add_guild("드라마 팬")
    home = tmp_path / "home"  # GOLDENHOUR_HOME: where relative paths are resolved
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    env = bot_env(
        home / "unused",  # replaced below by relative paths
        DISCORD_TOKEN=double.token,
        DISCORD_API_BASE=double.api_base,
        DISCORD_GATEWAY_URL=double.gateway_url,
        GOLDENHOUR_HOME=str(home),
        DATABASE_PATH="data/gh.sqlite3",
        BACKUP_DIR="data/backups",
        HEARTBEAT_FILE="data/heartbeat",
        LOG_FILE="data/logs/bot.log",
    )
    env.pop("PYTHONPATH")  # the installed package, not the checkout on the path
    env["SEEDS_DIR"] = str(REPO / "seeds")
    process = await start(production_python, env, elsewhere)
    try:
        log_file = home / "data" / "logs" / "bot.log"
        deadline = asyncio.get_running_loop().time() + 90
        while "Logged in as" not in (log_file.read_text() if log_file.exists() else ""):
            assert process.returncode is None, "the bot exited early"
            assert asyncio.get_running_loop().time() < deadline, "no log-in line"
            await asyncio.sleep(0.1)
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log
    assert "in 2 servers (1 shard)" in log
    assert "Invite link: https://discord.com/oauth2/authorize?client_id=" in log
    assert "voice will NOT be supported" not in log
    assert (home / "data" / "gh.sqlite3").is_file()
    assert "Logged in as" in log_file.read_text()
    assert list(elsewhere.iterdir()) == [], "something was created in the working directory"


async def test_wrong_token_is_one_line(double: DiscordDouble, tmp_path: Path) -> None:
    env = bot_env(
        tmp_path / "gh.sqlite3",
        DISCORD_TOKEN="MTIzNDU2Nzg5.wrong.token-value",
        DISCORD_API_BASE=double.api_base,
        DISCORD_GATEWAY_URL=double.gateway_url,
        LOG_LEVEL="WARNING",
    )
    with double.expect_violations(40001):
        outcome = await run_cli_async("run", env=env, cwd=tmp_path)
    line = outcome.one_line_error(77)
    assert "rejected DISCORD_TOKEN" in line and "Reset Token" in line
    assert "wrong.token-value" not in outcome.stderr


async def test_no_network_is_one_line(tmp_path: Path) -> None:
    env = bot_env(
        tmp_path / "gh.sqlite3",
        DISCORD_TOKEN="MTIzNDU2Nzg5.some.token-value",
        DISCORD_API_BASE="http://127.0.0.1:9/api/v10",  # nothing listens on the discard port
        DISCORD_GATEWAY_URL="ws://127.0.0.1:9/gateway",
        LOG_LEVEL="WARNING",
    )
    outcome = await run_cli_async("run", env=env, cwd=tmp_path)
    line = outcome.one_line_error(69)
    assert "cannot reach Discord at http://127.0.0.1:9/api/v10" in line
    assert "network" in line


async def test_missing_token_is_one_line(tmp_path: Path) -> None:
    env = bot_env(tmp_path / "gh.sqlite3", LOG_LEVEL="WARNING")
    outcome = await run_cli_async("run", env=env, cwd=tmp_path)
    assert "DISCORD_TOKEN is not set" in outcome.one_line_error(78)


async def test_second_bot_on_the_same_database_is_refused(
    double: DiscordDouble, tmp_path: Path
) -> None:
    double.add_guild("fans")
    database = tmp_path / "gh.sqlite3"
    env = bot_env(
        database,
        DISCORD_TOKEN=double.token,
        DISCORD_API_BASE=double.api_base,
        DISCORD_GATEWAY_URL=double.gateway_url,
    )
    first = await start(Path(sys.executable), env, tmp_path)
    try:
        while not (tmp_path / "heartbeat").exists():
            assert first.returncode is None
            await asyncio.sleep(0.1)
        outcome = await run_cli_async("run", env=env | {"LOG_LEVEL": "WARNING"}, cwd=tmp_path)
        line = outcome.one_line_error(75)
        assert f"pid {first.pid}" in line and str(database) in line
        health = await run_cli_async("health", env=env, cwd=tmp_path)
        assert health.code == 0 and "healthy" in health.stdout, health.stderr
    finally:
        first.terminate()
        await first.communicate()
    assert first.returncode == 0
    stopped = await run_cli_async("health", env=env, cwd=tmp_path)
    assert "stopped" in stopped.one_line_error(1)


def test_env_example_documents_every_setting() -> None:
    from bot.settings import Settings

    documented = (REPO / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in documented, f"{name.upper()} missing from .env.example"
    assert "GOLDENHOUR_HOME=" in documented


def test_an_old_python_is_refused_in_one_line(tmp_path: Path) -> None:
    old = tmp_path / "python3.10"
    old.write_text(
        '#!/bin/sh\nif [ "$1" = "-V" ]; then echo "Python 3.10.13"; exit 0; fi\nexit 1\n'
    )
    old.chmod(0o755)
    venv = tmp_path / "venv"
    done = subprocess.run(
        ["make", "-s", "-C", str(REPO), "install", f"VENV={venv}", f"PYTHON={old}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "needs Python 3.11 or newer" in errors[0], done.stderr
    assert "is Python 3.10.13" in errors[0]
    assert "Traceback" not in done.stderr and not venv.exists()


def test_a_broken_venv_is_rebuilt(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "python-that-was-removed")
    done = subprocess.run(
        ["make", "-C", str(REPO), "install", f"VENV={venv}", f"PYTHON={sys.executable}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Rebuilding the broken virtual environment" in done.stdout
    version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import bot.cli, discord; print('ok')"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert version.stdout.strip() == "ok", version.stderr


def test_invite_prints_the_link_with_the_needed_permissions(tmp_path: Path) -> None:
    from tests.e2e.operator_helpers import run_cli

    env = bot_env(tmp_path / "gh.sqlite3", DISCORD_TOKEN="MTIzNDU2Nzg5.abc.def")
    outcome = run_cli("invite", env=env, cwd=tmp_path)
    assert outcome.code == 0, outcome.stderr
    link = outcome.stdout.splitlines()[0]
    assert link.startswith("https://discord.com/oauth2/authorize?client_id=123456789")
    assert "permissions=268520448" in link and "applications.commands" in link
    assert not (tmp_path / "gh.sqlite3").exists()  # works before the first start
    explicit = run_cli("invite", "--client-id", "42", env=bot_env(tmp_path / "x"), cwd=tmp_path)
    assert "client_id=42" in explicit.stdout
    missing = run_cli("invite", env=bot_env(tmp_path / "x"), cwd=tmp_path)
    assert "--client-id" in missing.one_line_error(78)
