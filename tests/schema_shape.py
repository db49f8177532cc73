"""An engine-independent picture of a schema, from SQLAlchemy's inspector, to compare the
SQLite and PostgreSQL migrations (tests/unit/test_postgres_schema.py).

Each dialect spells the same schema differently: PostgreSQL names its constraints and adds
casts to defaults and predicates, SQLite keeps constraints unnamed and its CHECKs as written,
and the two translate SQLite-only functions differently. A :class:`TableShape` keeps only what
must agree: columns in order with their type class, nullability and default; primary, foreign
and unique keys; indexes with their columns and predicate; and, for each CHECK, the columns and
literals it mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy import types as sqltypes


@dataclass(frozen=True, slots=True)
class ColumnShape:
    name: str
    kind: str  # integer, float, text, …
    nullable: bool
    default: str | None
    generated: bool  # AUTOINCREMENT on SQLite, an identity on PostgreSQL


@dataclass(frozen=True, slots=True)
class TableShape:
    columns: tuple[ColumnShape, ...]
    primary_key: tuple[str, ...]
    foreign_keys: frozenset[tuple[tuple[str, ...], str, tuple[str, ...], str]]
    uniques: frozenset[tuple[str, ...]]
    indexes: frozenset[tuple[str, tuple[str, ...], bool, tuple[str, ...]]]
    checks: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


# What the two dialects write differently around the same predicate: PostgreSQL's casts and
# its `= ANY (ARRAY[…])` for IN, SQLite's date()/json_type() for the patterns and ::json.
_CAST = re.compile(r"::[a-z_]+(?: precision)?(?:\[\])?")
# A function name keeps its "(" so that date(date) mentions the column `date` once.
_TOKEN = re.compile(r"'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_]*(?:\s*\()?|\d+(?:\.\d+)?")
_NOISE = frozenset({"in", "in(", "any(", "array"})


def kind_of(column_type: Any) -> str:
    if isinstance(column_type, sqltypes.Integer):
        return "integer"
    if isinstance(column_type, sqltypes.Float):
        return "float"
    if isinstance(column_type, sqltypes.String):
        return "text"
    if isinstance(column_type, sqltypes.Boolean):
        return "bool"
    return type(column_type).__name__.lower()


def predicate_tokens(sql: str | None) -> tuple[str, ...]:
    """Identifiers, literals and numbers of a predicate, without the dialects' spelling."""
    if not sql:
        return ()
    words = [
        word if word.startswith("'") else re.sub(r"\s+", "", word.lower())
        for word in _TOKEN.findall(_CAST.sub("", sql))
    ]
    return tuple(word for word in words if word not in _NOISE)


def check_key(sql: str, columns: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns a CHECK mentions, and its literals other than regular expressions (SQLite's
    date() is a pattern on PostgreSQL) and JSON type names."""
    tokens = predicate_tokens(sql)
    names = set(columns)
    mentioned = tuple(sorted({token for token in tokens if token in names}))
    literals = tuple(
        sorted(token for token in tokens if token.startswith("'") and not token.startswith("'^"))
    )
    return mentioned, literals


def _default(value: str | None) -> str | None:
    if value is None:
        return None
    return _CAST.sub("", value).strip().strip("()")


def shapes(conn: Connection, generated: Mapping[str, set[str]]) -> dict[str, TableShape]:
    """Every table's shape; ``generated`` names each table's engine-generated key columns."""
    inspector = inspect(conn)
    columns = inspector.get_multi_columns()
    pks = inspector.get_multi_pk_constraint()
    fks = inspector.get_multi_foreign_keys()
    uniques = inspector.get_multi_unique_constraints()
    indexes = inspector.get_multi_indexes()
    checks = inspector.get_multi_check_constraints()
    result: dict[str, TableShape] = {}
    for key, table_columns in columns.items():
        table = key[1]
        names = [column["name"] for column in table_columns]
        primary_key = tuple(pks[key]["constrained_columns"])
        result[table] = TableShape(
            columns=tuple(
                ColumnShape(
                    name=column["name"],
                    kind=kind_of(column["type"]),
                    # A key column is never NULL on either engine (SQLite's INTEGER PRIMARY
                    # KEY reports nullable but fills a NULL in itself).
                    nullable=column["nullable"] and column["name"] not in primary_key,
                    default=_default(column.get("default")),
                    generated=column["name"] in generated.get(table, set()),
                )
                for column in table_columns
            ),
            primary_key=primary_key,
            foreign_keys=frozenset(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    (fk["options"].get("ondelete") or "NO ACTION").upper(),
                )
                for fk in fks[key]
            ),
            uniques=frozenset(tuple(unique["column_names"]) for unique in uniques[key]),
            indexes=frozenset(
                (
                    str(index["name"]),
                    tuple(str(name) for name in index["column_names"]),
                    bool(index["unique"]),
                    predicate_tokens(_where(index)),
                )
                for index in indexes[key]
                # PostgreSQL also lists the index behind each UNIQUE/PRIMARY KEY constraint.
                if "duplicates_constraint" not in index
            ),
            checks=tuple(sorted(check_key(check["sqltext"], names) for check in checks[key])),
        )
    return result


def _where(index: Mapping[str, Any]) -> str | None:
    options = index.get("dialect_options", {})
    where = options.get("sqlite_where", options.get("postgresql_where"))
    return None if where is None else str(getattr(where, "text", where))


def sqlite_autoincrement(conn: Connection) -> dict[str, set[str]]:
    """Columns declared INTEGER PRIMARY KEY AUTOINCREMENT, by table (the inspector omits it)."""
    found: dict[str, set[str]] = {}
    rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    for table, sql in rows:
        for column in re.findall(
            r"(\w+)\s+INTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT", sql or "", re.IGNORECASE
        ):
            found.setdefault(table, set()).add(column)
    return found


def postgres_identity(conn: Connection) -> dict[str, set[str]]:
    """Identity columns, by table."""
    found: dict[str, set[str]] = {}
    rows = conn.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND is_identity = 'YES'"
        )
    )
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return found
