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

from sqlalchemy import TextClause, text

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


def bind(sql: str, params: Params = ()) -> tuple[TextClause, dict[str, Any]]:
    """The ``text()`` clause for ``sql`` and its values keyed by parameter name."""
    clause, names = _clause(sql)
    if isinstance(params, Mapping):
        if names:
            raise PlaceholderError("use either ? placeholders with a sequence or :names")
        return clause, dict(params)
    if len(params) != len(names):
        raise PlaceholderError(
            f"the statement has {len(names)} placeholder(s) but {len(params)} value(s) "
            f"were given: {sql.strip().splitlines()[0] if sql.strip() else sql!r}"
        )
    return clause, dict(zip(names, params, strict=True))


def bind_many(sql: str, rows: Sequence[Params]) -> tuple[TextClause, list[dict[str, Any]]]:
    """Like :func:`bind` for an executemany: one dict of values per row."""
    clause, _ = _clause(sql)
    return clause, [bind(sql, row)[1] for row in rows]
