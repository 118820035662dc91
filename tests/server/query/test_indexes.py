"""Typical queries use an index, not a table scan (storage/indexes.py), on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from zcrm.server.query.compile import Compiler
from zcrm.server.query.criteria import parse_criteria
from zcrm.server.query.validate import CRITERIA, bind
from zcrm.server.storage.schema import records


def plan(runtime: Any, statement: Any) -> str:
    with runtime.db.read() as conn:
        compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN " if conn.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")  # small tables: ask for the index
        else:
            conn.exec_driver_sql("ANALYZE")  # let the planner see what the indexes select
        rows = conn.exec_driver_sql(prefix + str(compiled)).all()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def filtered(dataset: Any, runtime: Any, criteria: str) -> Any:
    meta = runtime.metadata.get(dataset.api.org.org_id)
    leads = meta.module("Leads")
    with runtime.db.read() as conn:
        compiler = Compiler(dataset.api.org.org_id, conn.dialect.name, meta, leads)
    condition = compiler.compile(bind(parse_criteria(criteria), meta, leads, CRITERIA))
    return select(records.c.id).where(
        records.c.org_id == dataset.api.org.org_id, records.c.module_id == leads.id, condition
    )


def test_email_equality_uses_its_index(dataset: Any, runtime: Any) -> None:
    text = plan(runtime, filtered(dataset, runtime, "(Email:equals:ann@abc.com)"))
    assert "ix_records_f_email" in text, text


def test_picklist_equality_uses_its_index(dataset: Any, runtime: Any) -> None:
    text = plan(runtime, filtered(dataset, runtime, "(Lead_Source:equals:Cold Call)"))
    assert "ix_records_f_lead_source" in text, text


def test_lookup_equality_uses_its_index(dataset: Any, runtime: Any) -> None:
    meta = runtime.metadata.get(dataset.api.org.org_id)
    contacts = meta.module("Contacts")
    with runtime.db.read() as conn:
        compiler = Compiler(dataset.api.org.org_id, conn.dialect.name, meta, contacts)
    criteria = f"(Account_Name:equals:{dataset.accounts['Northwind']})"
    condition = compiler.compile(bind(parse_criteria(criteria), meta, contacts, CRITERIA))
    statement = select(records.c.id).where(
        records.c.org_id == dataset.api.org.org_id, records.c.module_id == contacts.id, condition
    )
    assert "ix_records_f_account_name" in plan(runtime, statement)


def test_recent_first_with_limit_uses_the_modified_index(dataset: Any, runtime: Any) -> None:
    leads = runtime.metadata.get(dataset.api.org.org_id).module("Leads")
    statement = (
        select(records.c.id)
        .where(records.c.org_id == dataset.api.org.org_id, records.c.module_id == leads.id)
        .order_by(records.c.modified_time.desc(), records.c.id.desc())
        .limit(200)
    )
    text = plan(runtime, statement)
    if runtime.db.dialect == "postgresql":  # the planner weighs the data there is
        assert "Seq Scan" not in text, text
    else:
        assert "ix_records_module_modified" in text and "TEMP B-TREE" not in text, text


def test_count_by_module_uses_an_index(dataset: Any, runtime: Any) -> None:
    leads = runtime.metadata.get(dataset.api.org.org_id).module("Leads")
    statement = (
        select(func.count())
        .select_from(records)
        .where(records.c.org_id == dataset.api.org.org_id, records.c.module_id == leads.id)
    )
    text = plan(runtime, statement)
    assert "ix_records_module" in text, text
