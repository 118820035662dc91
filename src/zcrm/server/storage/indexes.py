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

from sqlalchemy import Connection, func

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


def field_expression(api_name: str, data_type: str, dialect: str) -> Any:
    if data_type in TEXTUAL:
        return func.lower(raw_value(records, api_name, dialect))
    if data_type in LOOKUPS or data_type in (
        "integer",
        "bigint",
        "double",
        "currency",
        "percent",
        "boolean",
    ):
        return doc_value(records, api_name, data_type, dialect)
    return raw_value(records, api_name, dialect)


def index_name(api_name: str, data_type: str) -> str:
    digest = hashlib.sha1(f"{api_name}:{data_type}".encode()).hexdigest()[:8]
    return f"ix_records_f_{api_name.lower()[:30]}_{digest}"


def create_field_index(conn: Connection, api_name: str, data_type: str) -> None:
    """``CREATE INDEX`` for one field, written out so both engines accept the expression.

    The text is made of the field's API name (checked against a strict pattern by
    :mod:`zcrm.server.storage.documents`) and fixed SQL: nothing from a request.
    """
    expression = field_expression(api_name, data_type, conn.dialect.name)
    sql = str(expression.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    sql = sql.replace("records.data", "data")  # index expressions name bare columns
    name = index_name(api_name, data_type)
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {name} ON records (org_id, module_id, ({sql}))"
        f" WHERE ({sql}) IS NOT NULL"
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
        if index_name(api_name, data_type) not in present:
            create_field_index(conn, api_name, data_type)


def ensure_field_index(conn: Connection, spec: Any) -> None:
    """An index for a custom field that is unique or a lookup (called on creation)."""
    if index_name(spec.api_name, spec.data_type) not in existing_indexes(conn):
        create_field_index(conn, spec.api_name, spec.data_type)
