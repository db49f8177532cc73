"""One SQL text for both engines: qmark placeholders become SQLAlchemy bind parameters."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.sqltext import PlaceholderError, bind, bind_many, to_named


@pytest.mark.parametrize(
    ("sql", "named", "count"),
    [
        ("SELECT 1", "SELECT 1", 0),
        ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = :p0 AND b = :p1", 2),
        # A question mark inside a literal, a quoted name or a comment is no placeholder.
        ("SELECT '?', \"a?\" FROM t WHERE x = ?", "SELECT '?', \"a?\" FROM t WHERE x = :p0", 1),
        ("SELECT 'it''s ?' WHERE y = ?", "SELECT 'it''s ?' WHERE y = :p0", 1),
        ("SELECT ? -- why?\n, ?", "SELECT :p0 -- why?\n, :p1", 2),
        ("SELECT /* a ? b */ ?", "SELECT /* a ? b */ :p0", 1),
        # A colon in a literal is escaped, or text() would take '12:30' for a parameter.
        ("SELECT '12:30' WHERE z = ?", "SELECT '12\\:30' WHERE z = :p0", 1),
        # :name parameters pass through (used with a dict of values).
        ("SELECT * FROM t WHERE id = :id", "SELECT * FROM t WHERE id = :id", 0),
        # PostgreSQL casts are not parameters.
        ("SELECT x::text FROM t WHERE y = ?", "SELECT x::text FROM t WHERE y = :p0", 1),
    ],
)
def test_qmarks_become_numbered_names(sql: str, named: str, count: int) -> None:
    assert to_named(sql) == (named, count)


def test_each_dialect_gets_its_own_paramstyle_and_literals_survive() -> None:
    clause, values = bind("SELECT '12:30', ? WHERE note <> '?' AND id = ?", ("a", 7))
    assert values == {"p0": "a", "p1": 7}
    on_sqlite = str(clause.compile(dialect=sqlite.dialect()))
    assert on_sqlite == "SELECT '12:30', ? WHERE note <> '?' AND id = ?"
    on_postgresql = str(clause.compile(dialect=postgresql.asyncpg.dialect()))
    assert on_postgresql == "SELECT '12:30', $1 WHERE note <> '?' AND id = $2"


def test_typed_binds_tell_postgresql_what_each_value_is() -> None:
    """``CASE WHEN ? IS NULL THEN ? END`` gives PostgreSQL nothing to infer a type from."""
    clause, values = bind("SELECT ?, ?, ?, ?", (1.5, 2, "x", True), typed=True)
    compiled = str(clause.compile(dialect=postgresql.asyncpg.dialect()))
    assert compiled == "SELECT $1::FLOAT, $2::BIGINT, $3::VARCHAR, $4::BIGINT"
    assert values == {"p0": 1.5, "p1": 2, "p2": "x", "p3": 1}  # booleans are 0/1 as on SQLite


def test_a_wrong_number_of_values_is_named() -> None:
    with pytest.raises(PlaceholderError, match="2 placeholder"):
        bind("SELECT ? + ?", (1,))
    with pytest.raises(PlaceholderError, match="either"):
        bind("SELECT ?", {"a": 1})


def test_executemany_binds_every_row_and_types_by_the_first_value_seen() -> None:
    clause, rows = bind_many("INSERT INTO t VALUES (?, ?)", [(1, None), (2, "b")], typed=True)
    assert rows == [{"p0": 1, "p1": None}, {"p0": 2, "p1": "b"}]
    compiled = str(clause.compile(dialect=postgresql.asyncpg.dialect()))
    assert compiled == "INSERT INTO t VALUES ($1::BIGINT, $2::VARCHAR)"
