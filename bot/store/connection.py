"""What a transaction or snapshot hands to the store's code: one connection, qmark SQL.

The surface is the one the store was written against (aiosqlite's): ``await
conn.execute(sql, params)`` or ``async with conn.execute(…) as cursor``, ``await
cursor.fetchone()``, ``cursor.rowcount``, ``conn.execute_fetchall`` and ``conn.executemany``,
rows read as ``row["col"]`` or ``row[0]``. On PostgreSQL each statement goes through
SQLAlchemy ``text()`` (see :mod:`bot.store.sqltext`); on SQLite the same text runs on the
aiosqlite connection SQLAlchemy manages (see :class:`Connection` for why).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterator, Sequence
from types import TracebackType
from typing import Any, Protocol, overload

import aiosqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sqltext import Params, bind, bind_many


class Row(Protocol):
    """One result row: ``row["column"]``, ``row[0]``, ``tuple(row)``, ``row.keys()``.

    On SQLite it is sqlite3's own ``Row``; on PostgreSQL a :class:`MappedRow`."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    def keys(self) -> list[str]: ...


class MappedRow(Sequence[Any]):
    """A SQLAlchemy row read like sqlite3's: by column name or by position."""

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
        if isinstance(other, MappedRow):
            return tuple(self._values) == tuple(other._values)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=False))!r})"


def rows_of(result: CursorResult[Any]) -> list[Row]:
    """Every row of a SQLAlchemy result, readable by name and position."""
    if not result.returns_rows:
        return []
    index = {key: position for position, key in enumerate(result.keys())}
    return [MappedRow(values, index) for values in result.fetchall()]


class Result:
    """A statement's outcome, already fetched."""

    __slots__ = ("_position", "_rows", "rowcount")

    def __init__(self, rows: list[Row], rowcount: int) -> None:
        self.rowcount = rowcount
        self._rows = rows
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

    def __init__(self, conn: Connection, sql: str, params: Params) -> None:
        self._conn = conn
        self._sql = sql
        self._params = params

    async def _run(self) -> Result:
        driver = self._conn.driver
        if driver is not None:
            try:
                cursor = await driver.execute(self._sql, self._params)
                # No rows to read (an UPDATE …): one trip to the driver's thread, as before.
                rows: list[Row] = []
                if cursor.description is not None:
                    rows.extend(await cursor.fetchall())
            except sqlite3.Error as exc:
                raise wrapped(exc, self._sql, self._params) from exc
            return Result(rows, cursor.rowcount)
        conn = self._conn.sa
        clause, values = bind(self._sql, self._params, typed=True)
        result = await conn.execute(clause, values)
        return Result(rows_of(result), result.rowcount)

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


def wrapped(exc: sqlite3.Error, sql: str, params: Any) -> DBAPIError:
    """sqlite3's error as SQLAlchemy's (IntegrityError, OperationalError …), the same type
    the statement raises on PostgreSQL; ``.orig`` is sqlite3's own."""
    error = DBAPIError.instance(sql, params, exc, sqlite3.Error)
    assert isinstance(error, DBAPIError)  # a sqlite3.Error always maps to one
    return error


class Connection:
    """The store's view of one SQLAlchemy ``AsyncConnection`` (see the module docstring).

    On SQLite, ``driver`` is the aiosqlite connection under it and statements run there
    directly: the ``?`` text is already sqlite3's own syntax, and SQLAlchemy's aiosqlite
    adapter makes four trips to the driver's thread per statement (cursor, execute, fetch,
    close) where aiosqlite needs one or two (see :mod:`bot.store.engine_sqlite`). Errors are
    raised as SQLAlchemy's on both engines (``IntegrityError``, ``OperationalError`` …).
    """

    __slots__ = ("driver", "sa")

    def __init__(self, sa: AsyncConnection, driver: aiosqlite.Connection | None = None) -> None:
        self.sa = sa
        self.driver = driver

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``, for the rare statement that must differ."""
        return self.sa.dialect.name

    def execute(self, sql: str, params: Params = ()) -> _Pending:
        return _Pending(self, sql, params)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        if self.driver is not None:
            try:
                return list(await self.driver.execute_fetchall(sql, params))
            except sqlite3.Error as exc:
                raise wrapped(exc, sql, params) from exc
        clause, values = bind(sql, params, typed=True)
        return rows_of(await self.sa.execute(clause, values))

    async def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        """One statement for each set of values; returns the rows changed in all."""
        if self.driver is not None:
            try:
                cursor = await self.driver.executemany(sql, rows)
            except sqlite3.Error as exc:
                raise wrapped(exc, sql, rows) from exc
            return cursor.rowcount
        if not rows:
            return 0
        clause, values = bind_many(sql, rows, typed=True)
        return (await self.sa.execute(clause, values)).rowcount
