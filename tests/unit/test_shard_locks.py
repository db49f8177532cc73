"""The run lock with several processes on one database: processes with their own shards run
side by side; a second process on a taken shard, a whole-bot process beside them, and a
restore are refused with one line. (flock locks belong to an open file, so two opens in one
test conflict exactly as two processes do.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store.backup import AlreadyRunning, run_lock


def refused(database: Path, purpose: str, shards: tuple[int, ...] | None = None) -> str:
    with pytest.raises(AlreadyRunning) as caught, run_lock(database, purpose, shards=shards):
        pass
    return str(caught.value)


def test_processes_with_their_own_shards_share_the_database(tmp_path: Path) -> None:
    database = tmp_path / "gh.sqlite3"
    with run_lock(database, "start", shards=(0, 1)), run_lock(database, "start", shards=(2,)):
        taken = refused(database, "start", shards=(2, 3))
        assert taken.startswith(f"shard 2 on database {database} is already run by pid")
        assert "give every process its own SHARD_IDS" in taken
        whole = refused(database, "start a second bot on it")  # every shard: refused
        assert whole.endswith("before you start a second bot on it")
        assert refused(database, "restore a backup").endswith("before you restore a backup")
    with run_lock(database, "restore a backup"):  # all stopped: free again
        pass


def test_a_whole_bot_process_keeps_sharded_ones_out(tmp_path: Path) -> None:
    database = tmp_path / "gh.sqlite3"
    with run_lock(database, "start"):
        message = refused(database, "start", shards=(0,))
        assert message.startswith(f"database {database} is in use by pid")
