"""Expression indexes on record documents, so typical queries do not scan the table.

``records`` holds every module's records, so one index per field *name* serves every
module that has the field: ``(org_id, module_id, <the field's expression>)``, partial
on the expression being not null (rows without the field cost nothing). Text indexes
are on ``lower(...)``, the form the query compiler compares. The expressions come from
:mod:`zcrm.server.storage.documents`, the same code the compiler uses, so they match
what queries say to the letter — which SQLite's planner requires.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, Index, func

from zcrm.server.storage.documents import doc_value, raw_value
from zcrm.server.storage.schema import records

TEXTUAL = frozenset({"text", "email", "phone", "website", "picklist", "autonumber"})
LOOKUPS = frozenset({"lookup", "userlookup"})

# Fields filtered often enough to index in every org (by name; any module that has them).
STANDARD_INDEXED: tuple[tuple[str, str], ...] = (
    ("Email", "email"),
    ("Lead_Status", "picklist"),
    ("Lead_Source", "picklist"),
    ("Industry", "picklist"),
    ("Stage", "picklist"),
    ("Account_Type", "picklist"),
    ("Status", "picklist"),
    ("Priority", "picklist"),
    ("Account_Name", "lookup"),
    ("Contact_Name", "lookup"),
    ("Who_Id", "lookup"),
    ("What_Id", "lookup"),
    ("Parent_Id", "lookup"),
    ("Vendor_Name", "lookup"),
    ("Product_Name", "lookup"),
    ("Campaign_Source", "lookup"),
    ("Deal_Name", "lookup"),
    ("Closing_Date", "date"),
    ("Due_Date", "date"),
)


def field_index(api_name: str, data_type: str, dialect: str) -> Index:
    if data_type in TEXTUAL:
        expr: Any = func.lower(raw_value(records, api_name, dialect))
    elif data_type in LOOKUPS or data_type in (
        "integer",
        "bigint",
        "double",
        "currency",
        "percent",
    ):
        expr = doc_value(records, api_name, data_type, dialect)
    else:
        expr = raw_value(records, api_name, dialect)
    digest = hashlib.sha1(f"{api_name}:{data_type}".encode()).hexdigest()[:8]
    name = f"ix_records_f_{api_name.lower()[:30]}_{digest}"
    where = expr.is_not(None)
    return Index(
        name,
        records.c.org_id,
        records.c.module_id,
        expr,
        sqlite_where=where,
        postgresql_where=where,
    )


def existing_indexes(conn: Connection) -> set[str]:
    """Index names on ``records`` (without SQLAlchemy's reflection, which cannot read
    expression indexes and warns about them)."""
    if conn.dialect.name == "postgresql":
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'records'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'"
    return {row[0] for row in conn.exec_driver_sql(query)}


def ensure_indexes(conn: Connection) -> None:
    present = existing_indexes(conn)
    for api_name, data_type in STANDARD_INDEXED:
        index = field_index(api_name, data_type, conn.dialect.name)
        if index.name not in present:
            index.create(conn)


def ensure_field_index(conn: Connection, spec: Any) -> None:
    """An index for a custom field that is unique or a lookup (called on creation)."""
    index = field_index(spec.api_name, spec.data_type, conn.dialect.name)
    if index.name not in existing_indexes(conn):
        index.create(conn)
