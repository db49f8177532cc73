"""SQL written once, with qmark ``?`` placeholders, turned into a SQLAlchemy ``text()``.

Why qmark at the call sites: it is the one syntax the store's ~150 statements were written
in, and it stays readable next to a tuple of values. SQLAlchemy's ``text()`` takes named
parameters (``:name``) and renders each dialect's own paramstyle (``?`` for sqlite3, ``$1``
for asyncpg), so one statement runs on both engines. :func:`to_named` does the only
translation needed: each ``?`` outside string literals, quoted names and comments becomes
``:p0``, ``:p1`` … in order. A colon inside a literal or comment is escaped (``\\:``) so
``text()`` does not mistake ``'12:30'`` for a parameter. Statements that already use
``:name`` with a dict of values pass through unchanged apart from that escaping.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, Float, LargeBinary, Text, TextClause, bindparam, text
from sqlalchemy.types import TypeEngine

Params = Sequence[Any] | Mapping[str, Any]


class PlaceholderError(ValueError):
    """The values passed do not match the statement's placeholders."""


@functools.lru_cache(maxsize=2048)
def to_named(sql: str) -> tuple[str, int]:
    """``sql`` with each ``?`` placeholder numbered (``:p0`` …), and how many there were."""
    out: list[str] = []
    count = 0
    i = 0
    n = len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"`":
            end = _end_of_quoted(sql, i, char)
            out.append(sql[i:end].replace(":", "\\:"))
            i = end
        elif char == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace(":", "\\:"))
            i = end
        elif char == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end].replace(":", "\\:"))
            i = end
        elif char == "?":
            out.append(f":p{count}")
            count += 1
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out), count


def _end_of_quoted(sql: str, start: int, quote: str) -> int:
    """Index just past the literal opened at ``start``; a doubled quote stays inside."""
    i = start + 1
    while True:
        end = sql.find(quote, i)
        if end < 0:
            return len(sql)
        if sql.startswith(quote * 2, end):
            i = end + 2
            continue
        return end + 1


@functools.lru_cache(maxsize=2048)
def _clause(sql: str) -> tuple[TextClause, tuple[str, ...]]:
    named, count = to_named(sql)
    return text(named), tuple(f"p{index}" for index in range(count))


# PostgreSQL infers a parameter's type from where it stands, and some places say nothing
# (``CASE WHEN ? IS NULL THEN ? END``, ``SELECT ?``): it then guesses text and the statement
# fails. Typing each bind by its Python value makes SQLAlchemy's asyncpg dialect render
# ``$1::FLOAT`` and the like, so the one SQL text works on both engines. SQLite needs none.
_BIND_TYPES: dict[type, TypeEngine[Any]] = {
    bool: BigInteger(),  # SQLite stores booleans as 0/1; so does our PostgreSQL schema
    int: BigInteger(),
    float: Float(),
    str: Text(),
    bytes: LargeBinary(),
}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: int(value) if isinstance(value, bool) else value for name, value in values.items()
    }


@functools.lru_cache(maxsize=4096)
def _typed_clause(sql: str, kinds: tuple[tuple[str, type], ...]) -> TextClause:
    clause, _ = _clause(sql)
    present = clause._bindparams  # values for names the statement lacks are ignored
    return clause.bindparams(
        *(
            bindparam(name, type_=_BIND_TYPES[kind])
            for name, kind in kinds
            if kind in _BIND_TYPES and name in present
        )
    )


def _values(sql: str, names: tuple[str, ...], params: Params) -> dict[str, Any]:
    if isinstance(params, Mapping):
        if names:
            raise PlaceholderError("use either ? placeholders with a sequence or :names")
        return dict(params)
    if len(params) != len(names):
        raise PlaceholderError(
            f"the statement has {len(names)} placeholder(s) but {len(params)} value(s) "
            f"were given: {sql.strip().splitlines()[0] if sql.strip() else sql!r}"
        )
    return dict(zip(names, params, strict=True))


def bind(
    sql: str, params: Params = (), *, typed: bool = False
) -> tuple[TextClause, dict[str, Any]]:
    """The ``text()`` clause for ``sql`` and its values keyed by parameter name.

    ``typed=True`` (PostgreSQL) gives each parameter the SQL type of its Python value.
    """
    clause, names = _clause(sql)
    values = _values(sql, names, params)
    if not typed or not values:
        return clause, values
    kinds = tuple((name, type(value)) for name, value in values.items())
    return _typed_clause(sql, kinds), _typed(values)


def bind_many(
    sql: str, rows: Sequence[Params], *, typed: bool = False
) -> tuple[TextClause, list[dict[str, Any]]]:
    """Like :func:`bind` for an executemany: one dict of values per row (typed by the
    first row's values where they are not None)."""
    clause, names = _clause(sql)
    all_values = [_values(sql, names, row) for row in rows]
    if not typed or not all_values:
        return clause, all_values
    kinds: dict[str, type] = {}
    for values in all_values:
        for name, value in values.items():
            if value is not None:
                kinds.setdefault(name, type(value))
    typed_clause = _typed_clause(sql, tuple(sorted(kinds.items())))
    return typed_clause, [_typed(values) for values in all_values]
