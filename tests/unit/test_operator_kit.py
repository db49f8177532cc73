"""Pure parts of the operator kit: JSON log lines, the invite link, backup retention,
the heartbeat verdict."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from bot.cli.invite import application_id_from_token, invite_url, needed_permissions
from bot.liveness import Beat, read_beat, write_beat
from bot.logs import JsonLines
from bot.production.worker import log_ids
from bot.store.backup import backup_name, prune_backups


def test_json_lines_carry_the_delivery_ids() -> None:
    record = logging.LogRecord(
        "bot.production.worker", logging.WARNING, "", 0, "x %s", ("y",), None
    )
    record.__dict__.update(log_ids(7, 42))
    entry = json.loads(JsonLines().format(record))
    assert entry["message"] == "x y"
    assert (entry["update_id"], entry["guild_id"]) == (7, 42)
    assert entry["level"] == "WARNING"


def test_invite_asks_exactly_for_what_the_bot_uses() -> None:
    perms = needed_permissions()
    # View Channel, Send Messages, Embed Links, Read Message History, Manage Roles (Discord's
    # documented bits); no Administrator, no Manage Messages (publishing our own posts needs
    # only Send Messages).
    assert perms.value == (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 28)
    url = invite_url(123)
    assert "client_id=123" in url and f"permissions={perms.value}" in url
    assert "applications.commands" in url


def test_application_id_from_a_token() -> None:
    assert application_id_from_token("MTIzNDU2Nzg5.abc.def") == 123456789
    assert application_id_from_token("not-base64!.x.y") is None


def test_retention_only_prunes_periodic_backups(tmp_path: Path) -> None:
    import datetime as dt

    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    for hour in range(5):
        (tmp_path / backup_name("auto", start + dt.timedelta(hours=hour))).touch()
    manual = tmp_path / backup_name("", start)
    manual.touch()
    removed = prune_backups(tmp_path, 2, reason="auto")
    assert len(removed) == 3
    assert manual.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if "auto" in p.name)[0].endswith(
        "T030000Z-auto.sqlite3"
    )


def test_heartbeat_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "hb"
    assert not read_beat(path)[0]
    write_beat(path, Beat(time.time(), True, "ok"))
    assert read_beat(path)[0]
    assert not read_beat(path, now=time.time() + 600)[0]  # hung: the file went stale
    write_beat(path, Beat(time.time(), False, "delivery worker stalled for 300 s"))
    healthy, line = read_beat(path)
    assert not healthy and "stalled" in line


def test_effective_permissions_follow_discords_order() -> None:
    from bot.cli.doctor import effective_permissions

    view, send = 1 << 10, 1 << 11
    guild = {
        "id": "1",
        "owner_id": "99",
        "roles": [{"id": "1", "permissions": str(view | send)}, {"id": "5", "permissions": "0"}],
    }
    member = {"user": {"id": "7"}, "roles": ["5"]}
    deny_everyone = {"id": "1", "type": 0, "allow": "0", "deny": str(send)}
    allow_role = {"id": "5", "type": 0, "allow": str(send), "deny": "0"}
    deny_member = {"id": "7", "type": 1, "allow": "0", "deny": str(view)}
    assert effective_permissions(guild, member, {"permission_overwrites": []}).send_messages
    channel = {"permission_overwrites": [deny_everyone]}
    assert not effective_permissions(guild, member, channel).send_messages
    channel = {"permission_overwrites": [deny_everyone, allow_role]}
    assert effective_permissions(guild, member, channel).send_messages
    channel = {"permission_overwrites": [deny_everyone, allow_role, deny_member]}
    assert not effective_permissions(guild, member, channel).view_channel
    owner = {"user": {"id": "99"}, "roles": []}
    assert effective_permissions(guild, owner, channel).administrator


def test_a_full_database_is_described_in_one_line(tmp_path: Path) -> None:
    """SQLITE_FULL raised for real (PRAGMA max_page_count), as the disk filling up mid-run."""
    import sqlite3

    import pytest

    from bot.store.preflight import describe_sqlite_error

    path = tmp_path / "full.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.execute("PRAGMA max_page_count = 8")
    with pytest.raises(sqlite3.OperationalError) as info:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (zeroblob(4096))")
    conn.close()
    line = describe_sqlite_error(path, info.value)
    assert "\n" not in line and str(path) in line
    assert "is full" in line and "free some space" in line
