"""A throwaway PostgreSQL server for the benchmarks that measure the PostgreSQL engine.

It is the test suite's cluster (``tests/postgres_cluster.py``: initdb in a temporary
directory, a free port on 127.0.0.1, removed afterwards); benchmarks run from the repository
root, so ``tests`` is importable. A benchmark never fails: when PostgreSQL cannot start, its
figures are reported as not measured, with the reason.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.record import Figure

if TYPE_CHECKING:
    from tests.postgres_cluster import PostgresCluster


@dataclass(slots=True)
class Postgres:
    """``create_database()`` hands out fresh empty databases (URLs); ``reason`` says why
    there is no server when ``available`` is False."""

    cluster: PostgresCluster | None
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.cluster is not None

    def create_database(self) -> str:
        if self.cluster is None:
            raise RuntimeError(f"no PostgreSQL: {self.reason}")
        return self.cluster.create_database()

    @property
    def version(self) -> str:
        return self.cluster.binaries.version if self.cluster is not None else ""


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    """Start a cluster (from the main thread: it dies with its starter), stop it afterwards."""
    try:
        from tests.postgres_cluster import PostgresCluster, PostgresUnavailable
    except ImportError as exc:  # asyncpg missing, or not run from the repository root
        yield Postgres(None, f"cannot import tests.postgres_cluster ({exc})")
        return
    try:
        cluster = PostgresCluster.start()
    except PostgresUnavailable as exc:
        yield Postgres(None, str(exc))
        return
    try:
        yield Postgres(cluster)
    finally:
        cluster.stop()


def not_measured(name: str, unit: str, target: str, reason: str) -> Figure:
    """A PostgreSQL figure that could not be measured (never a failure; the reason says why)."""
    return Figure(name, float("nan"), unit, target, None, f"not measured: {reason}")
