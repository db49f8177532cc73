"""Backups, restore and the doctor, run as `python -m bot …` subprocesses.

- a backup taken while another connection keeps writing restores into a fresh directory with
  the same data (integrity check and row counts);
- a migration leaves a backup behind; a restore is refused while the bot holds the database;
- `doctor` finds an unwritable database, an invalid data pack and a missing channel
  permission, each with what to do.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import time
from pathlib import Path

from discord_double import DiscordDouble
from discord_double.permissions import DEFAULT_BOT_PERMISSIONS, Permission

from bot.production import repo_settings
from bot.store.backup import run_lock
from bot.store.database import Database
from bot.store.migrate import latest_version, migrate
from tests.e2e.operator_helpers import (
    SEEDS,
    bot_env,
    integrity,
    read_only,
    row_counts,
    run_cli,
    run_cli_async,
)


async def subscribe_forever(
    db: Database, stop: asyncio.Event, written: list[int], warm: asyncio.Event
) -> None:
    guild = 1_000_000
    while not stop.is_set():
        guild += 1
        await repo_settings.save_guild_settings(
            db,
            guild_id=guild,
            channel_id=guild * 10,
            channel_kind="text",
            role_id=None,
            language="en",
            now=time.time(),
        )
        written.append(guild)
        if len(written) >= 50:
            warm.set()


async def test_backup_while_writing_then_restore_elsewhere(tmp_path: Path) -> None:
    database = tmp_path / "live" / "gh.sqlite3"
    env = bot_env(database)
    assert run_cli("seed", env=env, cwd=tmp_path).code == 0

    db = await Database.open(database)
    stop, warm, written = asyncio.Event(), asyncio.Event(), []
    writer = asyncio.create_task(subscribe_forever(db, stop, written, warm))
    try:
        await asyncio.wait_for(warm.wait(), 60)
        before = len(written)
        backup = tmp_path / "copy.sqlite3"
        outcome = await run_cli_async("backup", str(backup), env=env, cwd=tmp_path)
        after = len(written)
    finally:
        stop.set()
        await writer
        await db.close()
    assert outcome.code == 0, outcome.stderr
    assert "backed up to" in outcome.stdout
    assert integrity(backup) == "ok"
    copied = row_counts(backup)["guild_settings"]
    assert before <= copied <= after  # one consistent point while the writer ran

    fresh = tmp_path / "fresh" / "gh.sqlite3"
    restored = run_cli("restore", str(backup), env=bot_env(fresh), cwd=tmp_path)
    assert restored.code == 0, restored.stderr
    assert integrity(fresh) == "ok"
    assert row_counts(fresh) == row_counts(backup)
    # the restored database serves: the facts are there, the schema is current
    assert row_counts(fresh)["people"] > 0
    migrate_again = run_cli("migrate", env=bot_env(fresh), cwd=tmp_path)
    assert f"schema version {latest_version()}" in migrate_again.stdout


async def test_restore_is_refused_while_the_bot_runs(tmp_path: Path) -> None:
    database = tmp_path / "gh.sqlite3"
    env = bot_env(database)
    assert run_cli("seed", env=env, cwd=tmp_path).code == 0
    backup = tmp_path / "b.sqlite3"
    assert run_cli("backup", str(backup), env=env, cwd=tmp_path).code == 0
    before = database.read_bytes()
    with run_lock(database, "run"):  # what `python -m bot run` holds while it runs
        outcome = run_cli("restore", str(backup), env=env, cwd=tmp_path)
    line = outcome.one_line_error(75)
    assert "stop the bot" in line and str(database) in line
    assert database.read_bytes() == before


def test_restore_refuses_a_damaged_backup(tmp_path: Path) -> None:
    database = tmp_path / "gh.sqlite3"
    env = bot_env(database)
    assert run_cli("seed", env=env, cwd=tmp_path).code == 0
    bad = tmp_path / "bad.sqlite3"
    shutil.copyfile(database, bad)
    with bad.open("r+b") as handle:
        handle.truncate(bad.stat().st_size // 2)
    before = database.read_bytes()
    line = run_cli("restore", str(bad), env=env, cwd=tmp_path).one_line_error(74)
    assert "damaged" in line and str(bad) in line
    assert database.read_bytes() == before


async def test_a_migration_leaves_a_backup_behind(tmp_path: Path) -> None:
    database = tmp_path / "gh.sqlite3"
    db = await Database.open(database)
    try:
        await migrate(db, target=1)
    finally:
        await db.close()
    outcome = run_cli("migrate", env=bot_env(database), cwd=tmp_path)
    assert outcome.code == 0, outcome.stderr
    backups = list((tmp_path / "backups").glob(f"goldenhour-*-before-v{latest_version()}.sqlite3"))
    assert len(backups) == 1
    assert integrity(backups[0]) == "ok"
    conn = sqlite3.connect(backups[0])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


async def test_doctor_finds_each_seeded_fault(double: DiscordDouble, tmp_path: Path) -> None:
    guild = double.add_guild("Golden Hour Fans")
    channel = double.add_channel(
        guild, "updates", bot_permissions=DEFAULT_BOT_PERMISSIONS & ~Permission.SEND_MESSAGES
    )
    database = tmp_path / "db" / "gh.sqlite3"
    env = bot_env(
        database,
        DISCORD_TOKEN=double.token,
        DISCORD_API_BASE=double.api_base,
        DISCORD_GATEWAY_URL=double.gateway_url,
    )
    assert run_cli("seed", env=env, cwd=tmp_path).code == 0
    db = await Database.open(database)
    try:
        await repo_settings.save_guild_settings(
            db,
            guild_id=guild.id,
            channel_id=channel.id,
            channel_kind="text",
            role_id=None,
            language="en",
            now=time.time(),
        )
    finally:
        await db.close()

    healthy = await run_cli_async("doctor", env=env, cwd=tmp_path)
    assert healthy.code == 1
    assert "missing Send Messages" in healthy.stdout and "#updates" in healthy.stdout
    assert "1 problem(s) found" in healthy.stdout

    pack = tmp_path / "pack"
    shutil.copytree(SEEDS, pack)
    people = next(p for p in pack.glob("*.yaml") if "people:" in p.read_text())
    people.write_text(people.read_text().replace("people:", "persons:", 1))
    with read_only(database.parent):
        outcome = await run_cli_async("doctor", env=env | {"SEEDS_DIR": str(pack)}, cwd=tmp_path)
    assert outcome.code == 1, outcome.stderr
    report = outcome.stdout
    assert "Traceback" not in outcome.stderr
    problems = [line for line in report.splitlines() if "  problem  " in line]
    assert len(problems) == 3, report
    assert any("writable" in p and "cannot write in" in p for p in problems), report
    assert any("data pack" in p and str(pack) in p for p in problems), report
    assert any("missing Send Messages" in p for p in problems), report
    assert "3 problem(s) found" in report


def test_restore_replaces_a_damaged_database_and_keeps_its_bytes(tmp_path: Path) -> None:
    database = tmp_path / "gh.sqlite3"
    env = bot_env(database)
    assert run_cli("seed", env=env, cwd=tmp_path).code == 0
    backup = tmp_path / "good.sqlite3"
    assert run_cli("backup", str(backup), env=env, cwd=tmp_path).code == 0
    damaged = b"SQLite format 3\x00" + b"\xff" * 8000
    database.write_bytes(damaged)
    assert run_cli("migrate", env=env, cwd=tmp_path).code == 74  # the fault an operator meets

    outcome = run_cli("restore", str(backup), env=env, cwd=tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert integrity(database) == "ok"
    assert row_counts(database) == row_counts(backup)
    kept = list((tmp_path / "backups").glob("goldenhour-*-damaged.sqlite3"))
    assert [k.read_bytes() for k in kept] == [damaged]


def test_a_backup_holds_no_live_interaction_token(tmp_path: Path) -> None:
    """The sender keeps maintainers' progress messages up to date with their 15-minute
    interaction tokens; a backup (a file that travels) must not carry one."""
    database = tmp_path / "gh.sqlite3"
    env = bot_env(database)
    assert run_cli("seed", env=env, cwd=tmp_path).code == 0
    token = "aW50ZXJhY3Rpb246c2VjcmV0LXRva2Vu-never-in-a-backup"
    live = sqlite3.connect(database, isolation_level=None)  # foreign keys off: no update needed
    try:
        live.execute(
            "INSERT INTO progress_follows VALUES (1, 1, 2, ?, 'en', 'Published.', 9e9)", (token,)
        )
    finally:
        live.close()
    backup = tmp_path / "b.sqlite3"
    outcome = run_cli("backup", str(backup), env=env, cwd=tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert token.encode() not in backup.read_bytes()
    assert row_counts(backup)["progress_follows"] == 0
    assert row_counts(database)["progress_follows"] == 1  # the running bot keeps following
