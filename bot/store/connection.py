"""What a transaction or snapshot hands to the store's code: one connection, qmark SQL.

The surface is the one the store was written against (aiosqlite's): ``await
conn.execute(sql, params)`` or ``async with conn.execute(…) as cursor``, ``await
cursor.fetchone()``, ``cursor.rowcount``, ``conn.execute_fetchall`` and ``conn.executemany``,
rows read as ``row["col"]`` or ``row[0]``. Underneath, each statement goes through
SQLAlchemy ``text()`` (see :mod:`bot.store.sqltext`), so it runs on either engine.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from types import TracebackType
from typing import Any, overload

from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sqltext import Params, bind, bind_many


class Row(Sequence[Any]):
    """One result row: ``row["column"]``, ``row[0]``, ``tuple(row)``, ``row.keys()``."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    @overload
    def __getitem__(self, key: int | str) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> Sequence[Any]: ...
    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return tuple(self._values) == tuple(other._values)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=False))!r})"


def _rows(result: CursorResult[Any]) -> list[Row]:
    if not result.returns_rows:
        return []
    index = {key: position for position, key in enumerate(result.keys())}
    return [Row(values, index) for values in result.fetchall()]


class Result:
    """A statement's outcome, already fetched (both drivers buffer the rows)."""

    __slots__ = ("_position", "_rows", "rowcount")

    def __init__(self, result: CursorResult[Any]) -> None:
        self.rowcount: int = result.rowcount
        self._rows = _rows(result)
        self._position = 0

    async def fetchone(self) -> Row | None:
        if self._position >= len(self._rows):
            return None
        self._position += 1
        return self._rows[self._position - 1]

    async def fetchall(self) -> list[Row]:
        rest = self._rows[self._position :]
        self._position = len(self._rows)
        return rest

    async def __aenter__(self) -> Result:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class _Pending:
    """``conn.execute(…)``: awaited, or used as ``async with … as cursor``."""

    __slots__ = ("_conn", "_params", "_sql")

    def __init__(self, conn: AsyncConnection, sql: str, params: Params) -> None:
        self._conn = conn
        self._sql = sql
        self._params = params

    async def _run(self) -> Result:
        conn = self._conn
        clause, values = bind(self._sql, self._params, typed=conn.dialect.name != "sqlite")
        return Result(await self._conn.execute(clause, values))

    def __await__(self) -> Generator[Any, None, Result]:
        return self._run().__await__()

    async def __aenter__(self) -> Result:
        return await self._run()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class Connection:
    """The store's view of one SQLAlchemy ``AsyncConnection`` (see the module docstring)."""

    __slots__ = ("sa",)

    def __init__(self, sa: AsyncConnection) -> None:
        self.sa = sa

    @property
    def typed(self) -> bool:
        """Whether binds carry SQL types (PostgreSQL; see :mod:`bot.store.sqltext`)."""
        return self.sa.dialect.name != "sqlite"

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``, for the rare statement that must differ."""
        return self.sa.dialect.name

    @staticmethod
    def rows(result: CursorResult[Any]) -> list[Row]:
        """Every row of a SQLAlchemy result as :class:`Row`."""
        return _rows(result)

    def execute(self, sql: str, params: Params = ()) -> _Pending:
        return _Pending(self.sa, sql, params)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        clause, values = bind(sql, params, typed=self.typed)
        return _rows(await self.sa.execute(clause, values))

    async def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        """One statement for each set of values; returns the rows changed in all."""
        rows = list(rows)
        if not rows:
            return 0
        clause, values = bind_many(sql, rows, typed=self.typed)
        return (await self.sa.execute(clause, values)).rowcount
