"""Fixtures every suite may use: a throwaway PostgreSQL cluster (tests/postgres_cluster.py).

- `postgres_cluster` (session): started on first use only, so runs that never ask for it pay
  nothing; `.url` is the superuser's `postgres` database, `.create_database()` a fresh one.
- `postgres_url` (function): the URL of a fresh empty database, dropped after the test.

Without usable PostgreSQL binaries the tests that need them are skipped with the reason, or
fail when CI is set or GH_REQUIRE_POSTGRES=1 (.ci/run sets it): there it is a broken install.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.postgres_cluster import PostgresCluster, PostgresUnavailable


def postgres_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("GH_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster.start()
    except PostgresUnavailable as exc:
        problem = str(exc)
    else:
        problem = ""
    # Outside the except block, so the report is that one line and no chained traceback.
    if problem and postgres_required():
        pytest.fail(f"PostgreSQL is required here: {problem}", pytrace=False)
    if problem:
        pytest.skip(f"no PostgreSQL: {problem}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)
