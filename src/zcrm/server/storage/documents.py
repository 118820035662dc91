"""SQL expressions for the fields kept inside a record's JSON document.

``doc_value(field, dialect)`` gives the same expression text every time for the
same field, so the expression indexes created for a field are the ones the
planner uses. Field API names are inlined (they come from metadata rows, whose
names are checked against :data:`API_NAME` here and on creation); values are
always bound parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Numeric, case, cast, func, literal_column

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
    value: ColumnElement[object]
    if dialect == "postgresql":
        value = table.c.data.op("->>")(literal_column(f"'{key}'"))
    else:
        value = func.json_extract(table.c.data, literal_column(f"'$.\"{key}\"'"))
    return value


def doc_value(table: Any, key: str, data_type: str, dialect: str) -> ColumnElement[object]:
    """The document value typed for comparison and sorting.

    On PostgreSQL the text from ``->>`` is cast only when the JSON value has the right
    type (``jsonb_typeof``): the same field name can hold text in one module and a
    number in another (``Account_Name``), and the planner may evaluate a condition on
    rows of any module, so a bare cast could fail on someone else's row.
    """
    value = raw_value(table, key, dialect)
    if dialect != "postgresql":
        return value  # json_extract already returns INTEGER / REAL / TEXT
    if data_type in INTEGER_TYPES or data_type in NUMERIC_TYPES:
        return _typed(table, key, "number", Numeric())
    if data_type == "boolean":
        return _typed(table, key, "boolean", Boolean())
    return value


def _typed(table: Any, key: str, json_type: str, sql_type: Any) -> ColumnElement[object]:
    key = _checked(key)
    element = table.c.data.op("->")(literal_column(f"'{key}'"))
    text = table.c.data.op("->>")(literal_column(f"'{key}'"))
    return case(
        (func.jsonb_typeof(element) == literal_column(f"'{json_type}'"), cast(text, sql_type)),
    )


def doc_array(table: Any, key: str, dialect: str) -> ColumnElement[object]:
    """The JSON array stored under ``key`` (multi-select picklists)."""
    key = _checked(key)
    array: ColumnElement[object]
    if dialect == "postgresql":
        array = table.c.data.op("->")(literal_column(f"'{key}'"))
    else:
        array = func.json_extract(table.c.data, literal_column(f"'$.\"{key}\"'"))
    return array
