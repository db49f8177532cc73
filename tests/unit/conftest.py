"""The store suites run on both engines: ``store_target`` is a SQLite file or a fresh
PostgreSQL database (``postgres_url`` from tests/conftest.py: skipped without PostgreSQL,
failed in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a store test's database lives: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "golden.db"
    return str(request.getfixturevalue("postgres_url"))
