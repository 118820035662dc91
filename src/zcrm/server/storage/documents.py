"""SQL expressions for the fields kept inside a record's JSON document.

``doc_value(field, dialect)`` gives the same expression text every time for the
same field, so the expression indexes created for a field are the ones the
planner uses. Field API names are inlined (they come from metadata rows, whose
names are checked against :data:`API_NAME` here and on creation); values are
always bound parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, ColumnElement, Float, cast, func, literal_column

from zcrm.server.services.metadata.model import API_NAME

NUMERIC_TYPES = frozenset({"double", "currency", "percent"})
INTEGER_TYPES = frozenset({"integer", "bigint", "lookup", "ownerlookup", "userlookup"})


def _checked(key: str) -> str:
    base = key.split("$", 1)[0]
    if not API_NAME.match(base) or not all(c.isalnum() or c in "_$" for c in key):
        raise ValueError(f"not a field API name: {key!r}")
    return key


def raw_value(table: Any, key: str, dialect: str) -> ColumnElement[object]:
    """The document value as the engine sees it (JSON-typed on SQLite, text on PostgreSQL)."""
    key = _checked(key)
    if dialect == "postgresql":
        return table.c.data.op("->>")(literal_column(f"'{key}'"))
    return func.json_extract(table.c.data, literal_column(f"'$.\"{key}\"'"))


def doc_value(table: Any, key: str, data_type: str, dialect: str) -> ColumnElement[object]:
    """The document value typed for comparison and sorting."""
    value = raw_value(table, key, dialect)
    if dialect != "postgresql":
        return value  # json_extract already returns INTEGER / REAL / TEXT
    if data_type in INTEGER_TYPES:
        return cast(value, BigInteger)
    if data_type in NUMERIC_TYPES:
        return cast(value, Float)
    if data_type == "boolean":
        return cast(value, Boolean)
    return value


def doc_array(table: Any, key: str, dialect: str) -> ColumnElement[object]:
    """The JSON array stored under ``key`` (multi-select picklists)."""
    key = _checked(key)
    if dialect == "postgresql":
        return table.c.data.op("->")(literal_column(f"'{key}'"))
    return func.json_extract(table.c.data, literal_column(f"'$.\"{key}\"'"))
