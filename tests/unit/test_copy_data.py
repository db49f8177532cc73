"""`python -m bot copy-data`: a real SQLite installation (facts, settings, a delivered update, a
schedule, topic roles) moved into a fresh PostgreSQL database, then used by the bot's own
code there; the refusals leave the target as it was and say why in one line."""

from __future__ import annotations

import re
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.datapack.loader import load_pack
from bot.production import (
    repo_claims,
    repo_follows,
    repo_results,
    repo_schedule,
    repo_topics,
)
from bot.production.repo_follows import Follow
from bot.production.repo_rows import DeliveryKey
from bot.store.backup import AlreadyRunning, run_lock
from bot.store.copydata import NOT_COPIED, CopyRefused, copy_data
from bot.store.database import Database
from bot.store.facts import save_pack
from bot.store.migrate import current_version, latest_version, migrate
from bot.store.url import StoreUrl
from tests.unit.test_cli import run_cli
from tests.unit.test_production_worker import DRAFT, FakeClock, publish, subscribe

SEEDS = Path(__file__).parents[2] / "seeds"
PASSWORD = "hunter2-not-real"
# Rows compared byte for byte after the copy (ordered by their keys).
COMPARED = {
    "guild_settings": "guild_id",
    "production_updates": "update_id",
    "production_deliveries": "update_id, guild_id",
    "production_schedules": "schedule_id",
    "topics": "id",
    "guild_topic_roles": "guild_id, topic",
    "people": "id",
    "meta": "key",
}


async def seed_installation(path: Path, *, version: int | None = None) -> None:
    """What a bot that has run for a while holds."""
    clock = FakeClock()
    db = await Database.open(path)
    try:
        await migrate(db, target=version)
        if version is not None:
            return
        await save_pack(db, load_pack(SEEDS))
        await subscribe(db, 5, clock)
        await repo_topics.set_topic_roles(db, 100_000, {"season-news": 555}, clock())
        first = await publish(db, clock, token="preview-first")
        for n, row in enumerate(
            await repo_claims.claim_due(db, worker_id="w", now=clock(), lease=60.0, limit=3)
        ):
            await repo_results.record_sent(
                db,
                DeliveryKey.of(row),
                worker_id="w",
                message_id=7_000 + n,
                revision=1,
                ping_issue=None,
                now=clock(),
            )
        await publish(db, clock, token="preview-second")
        await repo_schedule.create_draft(
            db,
            token="schedule-1",
            kind="post",
            author_id=1,
            draft=DRAFT,
            due_at=clock() + 3600,
            timezone="Asia/Seoul",
            now=clock(),
        )
        await repo_schedule.confirm(db, "schedule-1", clock())
        await repo_follows.add(
            db,
            Follow(
                message_id=1,
                update_id=first.update.update_id,
                application_id=2,
                interaction_token="live-secret-token",
                lang="en",
                lead="Published",
                expires_at=clock() + 600,
            ),
        )
    finally:
        await db.close()


@pytest.fixture
async def installation(tmp_path: Path) -> Path:
    path = tmp_path / "goldenhour.sqlite3"
    await seed_installation(path)
    return path


def sqlite_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(row) for row in conn.execute(sql)]
    finally:
        conn.close()


@pytest.fixture
async def target(postgres_url: str) -> AsyncIterator[StoreUrl]:
    yield StoreUrl.parse(postgres_url)


async def test_copy_moves_everything_and_the_bot_carries_on_on_postgresql(
    installation: Path, target: StoreUrl
) -> None:
    lines: list[str] = []
    report = await copy_data(installation, target, batch=7, progress=lines.append)
    assert report.migrated and report.version == latest_version()
    copied = {t.table: t.rows for t in report.tables}
    assert copied["production_deliveries"] == 10 and copied["guild_settings"] == 5
    assert copied["production_schedules"] == 1 and copied["people"] > 10
    every_table = sqlite_rows(
        installation,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    assert set(copied) == {name for (name,) in every_table} - NOT_COPIED
    assert "progress_follows" in NOT_COPIED
    assert len(lines) == len(report.tables)
    order = [t.table for t in report.tables]
    assert order.index("production_updates") < order.index("production_deliveries")
    assert order.index("people") < order.index("characters")
    assert report.sequences == {
        "production_schedules.schedule_id": 2,
        "production_updates.update_id": 3,
    }

    async with await Database.open(target) as pg:
        assert await current_version(pg) == latest_version()
        for table, rows in copied.items():
            assert await pg.fetch_value(f"SELECT COUNT(*) FROM {table}") == rows, table
            assert sqlite_rows(installation, f"SELECT COUNT(*) FROM {table}") == [(rows,)]
        for table, key in COMPARED.items():
            sql = f"SELECT * FROM {table} ORDER BY {key}"
            assert [tuple(r) for r in await pg.fetch_all(sql)] == sqlite_rows(installation, sql)
        assert await pg.fetch_value("SELECT COUNT(*) FROM progress_follows") == 0
        # The bot's own code on the copy: the next update and schedule get the next ids.
        clock = FakeClock()
        clock.advance(60)
        third = await publish(pg, clock, token="preview-third")
        assert third.update.update_id == 3 and third.deliveries == 5
        await repo_schedule.create_draft(
            pg,
            token="schedule-2",
            kind="post",
            author_id=1,
            draft=DRAFT,
            due_at=clock() + 60,
            timezone="UTC",
            now=clock(),
        )
        assert await pg.fetch_value("SELECT MAX(schedule_id) FROM production_schedules") == 2


async def test_update_ids_never_reused_past_sqlites_autoincrement_counter(
    installation: Path, target: StoreUrl
) -> None:
    """Updates 3 … 41 existed once (and their nonces with them): PostgreSQL continues at 42."""
    conn = sqlite3.connect(installation)
    with conn:
        conn.execute("UPDATE sqlite_sequence SET seq = 41 WHERE name = 'production_updates'")
    conn.close()
    report = await copy_data(installation, target)
    assert report.sequences["production_updates.update_id"] == 42
    async with await Database.open(target) as pg:
        third = await publish(pg, FakeClock(), token="preview-third")
    assert third.update.update_id == 42


async def test_a_target_holding_data_is_refused_and_left_alone(
    installation: Path, target: StoreUrl
) -> None:
    await copy_data(installation, target)
    with pytest.raises(CopyRefused, match="already holds data") as refused:
        await copy_data(installation, target)
    assert re.search(r"already holds data \(\w+ \(\d+ rows\)", str(refused.value))
    assert "\n" not in str(refused.value)
    async with await Database.open(target) as pg:
        assert await pg.fetch_value("SELECT COUNT(*) FROM production_deliveries") == 10


async def test_a_migrated_but_empty_target_is_filled(installation: Path, target: StoreUrl) -> None:
    """The operator ran `migrate` (or the bot started once) on PostgreSQL first. Rows a
    migration inserts itself (0006's default topics, on a database that had facts) are not
    the operator's data: they make way for the source's."""
    async with await Database.open(target) as pg:
        await migrate(pg)
        async with pg.transaction() as conn:
            await conn.execute(
                "INSERT INTO topics (id, position, name_en, name_ko, description_en, "
                "description_ko) VALUES ('season-news', 0, 'Old', '옛', 'old', '옛')"
            )
    report = await copy_data(installation, target)
    assert not report.migrated and {t.table for t in report.tables} >= {"topics", "meta"}
    sql = "SELECT * FROM topics ORDER BY id"
    async with await Database.open(target) as pg:
        assert [tuple(r) for r in await pg.fetch_all(sql)] == sqlite_rows(installation, sql)


async def test_a_schema_version_mismatch_is_refused(tmp_path: Path, target: StoreUrl) -> None:
    older = tmp_path / "older.sqlite3"
    await seed_installation(older, version=latest_version() - 1)
    async with await Database.open(target) as pg:
        await migrate(pg)
    with pytest.raises(CopyRefused) as refused:
        await copy_data(older, target)
    message = str(refused.value)
    assert f"schema version {latest_version()}" in message
    assert f"at {latest_version() - 1}" in message and "python -m bot migrate" in message


async def test_the_bot_running_on_the_file_is_refused(installation: Path, target: StoreUrl) -> None:
    with run_lock(installation, "run the bot"), pytest.raises(AlreadyRunning, match="stop the bot"):
        await copy_data(installation, target)
    async with await Database.open(target) as pg:
        assert await current_version(pg) == 0  # not even migrated


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("target_url", "code", "words"),
    [
        (f"postgresql://gh:{PASSWORD}@127.0.0.1:{{port}}/golden", 74, "connection refused"),
        (f"mysql://gh:{PASSWORD}@127.0.0.1/golden", 78, "unknown scheme"),
        ("data/other.sqlite3", 78, "is not PostgreSQL"),
    ],
)
def test_a_bad_target_is_one_line_without_the_password(
    installation: Path, target_url: str, code: int, words: str
) -> None:
    url = target_url.format(port=closed_port())
    result = run_cli("copy-data", "--from", str(installation), "--to", url, cwd=installation.parent)
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_source_is_one_line(tmp_path: Path, postgres_url: str) -> None:
    result = run_cli("copy-data", "--from", "sqlite:///nowhere.sqlite3", "--to", postgres_url,
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no SQLite database at nowhere.sqlite3" in lines[0]


def test_copy_data_from_the_command_line(installation: Path, postgres_url: str) -> None:
    """As an operator runs it: DATABASE_URL (with a password) in the environment, --from the
    file; every count printed, the password nowhere."""
    with_password = postgres_url.replace("postgres@", f"postgres:{PASSWORD}@")
    result = run_cli(
        "copy-data",
        "--from",
        f"sqlite:///{installation.name}",
        cwd=installation.parent,
        env={"DATABASE_URL": with_password},
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert PASSWORD not in out + result.stderr and "***" in out
    counts = {
        line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith("  ")
    }
    assert counts["production_deliveries"] == "10" and counts["guild_settings"] == "5"
    assert "production_updates.update_id next 3" in out
    again = run_cli("copy-data", "--from", str(installation), cwd=installation.parent,
                    env={"DATABASE_URL": with_password})  # fmt: skip
    assert again.returncode == 1 and "already holds data" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and PASSWORD not in again.stderr
