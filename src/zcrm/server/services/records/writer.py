"""Insert, update, upsert and delete: per-record outcomes, in request order.

A batch is one transaction. Each record is validated on its own; the good ones are
written, the bad ones come back as errors, and every written change gets its
outbox event in the same transaction. A record is written whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam

from zcrm.server.errors import (
    DuplicateData,
    InvalidData,
    InvalidId,
    MandatoryNotFound,
    ZohoError,
)
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import Field, Module
from zcrm.server.services.records.checks import find_matches, verify_references, verify_unique
from zcrm.server.services.records.computed import apply_computed
from zcrm.server.services.records.context import RecordContext
from zcrm.server.services.records.outbox import record_event, write_events
from zcrm.server.services.records.prepare import Change, prepare
from zcrm.server.services.records.values import coerce, lookup_id
from zcrm.server.storage.schema import records, recycle_bin
from zcrm.server.timefmt import to_wire

Result = dict[str, Any]


@dataclass
class Written:
    """What a successful write reports back."""

    id: int
    created_time: str
    created_by: int
    modified_time: str
    modified_by: int


def open_context(runtime: Runtime, caller: Caller, module: Module, scope: Any) -> RecordContext:
    meta = runtime.metadata.get(caller.org.id, caller.org.metadata_version)
    return RecordContext(runtime, scope, caller, meta, module, runtime.clock.now())


def success(ctx: RecordContext, written: Written, message: str) -> Result:
    user = ctx.caller.user
    created_by = (
        user.minified()
        if written.created_by == user.id
        else {"name": "", "id": str(written.created_by)}
    )
    modified = (
        ctx.now_wire if written.modified_time == ctx.now else to_wire(written.modified_time, ctx.tz)
    )
    created = (
        ctx.now_wire if written.created_time == ctx.now else to_wire(written.created_time, ctx.tz)
    )
    return {
        "code": "SUCCESS",
        "details": {
            "Modified_Time": modified,
            "Modified_By": user.minified(),
            "Created_Time": created,
            "id": str(written.id),
            "Created_By": created_by,
            "$approval_state": "approved",
        },
        "message": message,
        "status": "success",
    }


# --- insert -------------------------------------------------------------------------------------


def insert_records(
    runtime: Runtime, caller: Caller, module: Module, data: list[Any], *, workflow: bool = True
) -> list[Result]:
    new_ids = runtime.ids.allocate(caller.org.id, caller.org.id_prefix, len(data))
    numbers = _autonumbers(runtime, module, len(data))
    with runtime.db.write_org(caller.org.id) as scope:
        ctx = open_context(runtime, caller, module, scope)
        results: list[Result | None] = [None] * len(data)
        changes: list[Change] = []
        for index, record in enumerate(data):
            try:
                changes.append(prepare(module, index, record, inserting=True))
            except ZohoError as error:
                results[index] = error.to_json()
        for index, written in insert_changes(ctx, changes, new_ids, numbers, workflow).items():
            results[index] = (
                written.to_json()
                if isinstance(written, ZohoError)
                else success(ctx, written, "record added")
            )
    return [r for r in results if r is not None]


def _autonumbers(runtime: Runtime, module: Module, count: int) -> dict[str, list[int]]:
    return {
        f.api_name: runtime.ids.counter(f.id, count)
        for f in module.fields
        if f.data_type == "autonumber"
    }


def verify_batch(
    ctx: RecordContext, changes: list[Change], docs: dict[int, dict[str, Any]]
) -> dict[int, ZohoError]:
    """Lookup targets, then unique values; fills inferred multi-module targets into ``docs``."""
    errors = verify_references(ctx, changes)
    for c in changes:
        docs[c.index].update({k: v for k, v in c.values.items() if k.endswith("$module") and v})
    errors.update(verify_unique(ctx, [c for c in changes if c.index not in errors], docs))
    return errors


def _initial_document(module: Module, change: Change) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for f in module.document_fields:
        if f.default is not None:
            doc[f.api_name] = f.default
    for key, value in change.values.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    apply_computed(module, doc, set(change.values) | {"Stage"} & set(doc))
    return doc


def insert_changes(
    ctx: RecordContext,
    changes: list[Change],
    new_ids: list[int],
    numbers: dict[str, list[int]],
    workflow: bool,
) -> dict[int, Written | ZohoError]:
    outcome: dict[int, Written | ZohoError] = {}
    docs = {c.index: _initial_document(ctx.module, c) for c in changes}
    errors = verify_batch(ctx, changes, docs)
    rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    user_id = ctx.caller.user.id
    for change in changes:
        if change.index in errors:
            outcome[change.index] = errors[change.index]
            continue
        record_id = new_ids.pop(0)
        doc = docs[change.index]
        for name, pool in numbers.items():
            if pool:
                doc[name] = str(pool.pop(0))
        owner = change.owner_id if change.owner_id is not None else user_id
        rows.append(
            {
                "id": record_id,
                "module_id": ctx.module.id,
                "owner_id": owner,
                "created_by": user_id,
                "modified_by": user_id,
                "created_time": ctx.now,
                "modified_time": ctx.now,
                "data": doc,
            }
        )
        event_rows.append(record_event(ctx, record_id, "insert", workflow=workflow))
        outcome[change.index] = Written(record_id, ctx.now, user_id, ctx.now, user_id)
    ctx.scope.insert(records, rows)
    write_events(ctx, event_rows)
    return outcome


# --- update -------------------------------------------------------------------------------------


def update_records(
    runtime: Runtime,
    caller: Caller,
    module: Module,
    data: list[Any],
    *,
    path_id: int | None = None,
    workflow: bool = True,
) -> list[Result]:
    with runtime.db.write_org(caller.org.id) as scope:
        ctx = open_context(runtime, caller, module, scope)
        results: list[Result | None] = [None] * len(data)
        changes: list[Change] = []
        for index, record in enumerate(data):
            try:
                record_id = path_id if path_id is not None else _record_id(index, record)
                change = prepare(module, index, record, inserting=False)
                change.record_id = record_id
                changes.append(change)
            except ZohoError as error:
                results[index] = error.to_json()
        for index, written in update_changes(ctx, changes, workflow).items():
            results[index] = (
                written.to_json()
                if isinstance(written, ZohoError)
                else success(ctx, written, "record updated")
            )
    return [r for r in results if r is not None]


def _record_id(index: int, record: Any) -> int:
    if not isinstance(record, dict):
        raise InvalidData(expected_data_type="jsonobject", json_path=f"$.data[{index}]")
    raw = record.get("id")
    if raw is None or raw == "":
        raise MandatoryNotFound(api_name="id", json_path=f"$.data[{index}].id")
    value = lookup_id(raw)
    if value is None:
        raise InvalidId(api_name="id", json_path=f"$.data[{index}].id", id=str(raw))
    return value


def load_rows(ctx: RecordContext, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    rows = ctx.scope.rows(
        ctx.scope.select(records).where(records.c.module_id == ctx.module.id, records.c.id.in_(ids))
    )
    return {r.id: r for r in rows}


def update_changes(
    ctx: RecordContext, changes: list[Change], workflow: bool
) -> dict[int, Written | ZohoError]:
    outcome: dict[int, Written | ZohoError] = {}
    existing = load_rows(ctx, {c.record_id for c in changes if c.record_id is not None})
    live: list[Change] = []
    docs: dict[int, dict[str, Any]] = {}
    current: dict[int, dict[str, Any]] = {rid: dict(row.data) for rid, row in existing.items()}
    before: dict[int, dict[str, Any]] = {}
    for change in changes:
        assert change.record_id is not None
        if change.record_id not in existing:
            outcome[change.index] = InvalidId(id=str(change.record_id))
            continue
        doc = current[change.record_id]
        before[change.index] = dict(doc)
        for key, value in change.values.items():
            target = ctx.module.by_name.get(key)
            if value is None:
                doc.pop(key, None)
            elif key in change.append and target is not None and isinstance(value, list):
                merged = list(doc.get(key) or [])
                merged.extend(v for v in value if v not in merged)
                doc[key] = merged
            else:
                doc[key] = value
        apply_computed(ctx.module, doc, set(change.values))
        docs[change.index] = dict(doc)
        live.append(change)
    errors = verify_batch(ctx, live, docs)
    params: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    user_id = ctx.caller.user.id
    for change in live:
        if change.index in errors:
            outcome[change.index] = errors[change.index]
            continue
        assert change.record_id is not None
        row = existing[change.record_id]
        owner = change.owner_id if change.owner_id is not None else row.owner_id
        doc = docs[change.index]
        old = before[change.index]
        changed = [
            k
            for k in change.changed_fields
            if (owner != row.owner_id if k == "Owner" else old.get(k) != doc.get(k))
        ]
        params.append(
            {
                "b_id": change.record_id,
                "b_data": doc,
                "b_owner": owner,
                "b_modified_by": user_id,
                "b_modified_time": ctx.now,
            }
        )
        event_rows.append(
            record_event(
                ctx,
                change.record_id,
                "update",
                changed,
                {k: (owner if k == "Owner" else doc.get(k)) for k in changed},
                workflow=workflow,
            )
        )
        outcome[change.index] = Written(
            change.record_id, row.created_time, row.created_by, ctx.now, user_id
        )
    if params:
        ctx.scope.execute(
            records.update()
            .where(
                records.c.org_id == ctx.scope.org_id,
                records.c.id == bindparam("b_id"),
            )
            .values(
                data=bindparam("b_data"),
                owner_id=bindparam("b_owner"),
                modified_by=bindparam("b_modified_by"),
                modified_time=bindparam("b_modified_time"),
            ),
            params,
        )
    write_events(ctx, event_rows)
    return outcome


# --- upsert -------------------------------------------------------------------------------------


def duplicate_check_fields(module: Module, requested: Any) -> list[Field]:
    """The fields an upsert matches on, in order (Zoho's rules, reference §3.6)."""
    allowed = {f.api_name: f for f in module.unique_fields}
    system = module.by_name.get(module.duplicate_check_field or "")
    if system is not None:
        allowed.setdefault(system.api_name, system)
    if requested is None:
        ordered = ([system] if system is not None else []) + [
            f for f in module.unique_fields if f is not system
        ]
        return ordered
    if isinstance(requested, str):
        requested = [p.strip() for p in requested.split(",") if p.strip()]
    if not isinstance(requested, list):
        raise InvalidData(api_name="duplicate_check_fields", expected_data_type="jsonarray")
    out: list[Field] = []
    for name in requested:
        if not isinstance(name, str) or name not in allowed:
            raise InvalidData(
                "invalid data",
                api_name="duplicate_check_fields",
                json_path="$.duplicate_check_fields",
                supported_values=sorted(allowed),
            )
        out.append(allowed[name])
    return out


def upsert_records(
    runtime: Runtime,
    caller: Caller,
    module: Module,
    data: list[Any],
    requested_fields: Any,
    *,
    workflow: bool = True,
) -> list[Result]:
    check_fields = duplicate_check_fields(module, requested_fields)
    new_ids = runtime.ids.allocate(caller.org.id, caller.org.id_prefix, len(data))
    numbers = _autonumbers(runtime, module, len(data))
    results: list[Result] = []
    with runtime.db.write_org(caller.org.id) as scope:
        ctx = open_context(runtime, caller, module, scope)
        for index, record in enumerate(data):
            results.append(
                _upsert_one(ctx, index, record, check_fields, new_ids, numbers, workflow)
            )
    return results


def _upsert_one(
    ctx: RecordContext,
    index: int,
    record: Any,
    check_fields: list[Field],
    new_ids: list[int],
    numbers: dict[str, list[int]],
    workflow: bool,
) -> Result:
    try:
        if not isinstance(record, dict):
            raise InvalidData(expected_data_type="jsonobject", json_path=f"$.data[{index}]")
        match_id, match_field = _find_upsert_match(ctx, index, record, check_fields)
        if match_id is None:
            change = prepare(ctx.module, index, record, inserting=True)
            outcome = insert_changes(ctx, [change], new_ids, numbers, workflow)[index]
            action, message = "insert", "record added"
        else:
            change = prepare(ctx.module, index, record, inserting=False)
            change.record_id = match_id
            outcome = update_changes(ctx, [change], workflow)[index]
            action, message = "update", "record updated"
    except ZohoError as error:
        return error.to_json()
    if isinstance(outcome, ZohoError):
        return outcome.to_json()
    body = success(ctx, outcome, message)
    return {
        "code": body["code"],
        "duplicate_field": match_field,
        "action": action,
        "details": body["details"],
        "message": message,
        "status": "success",
    }


def _find_upsert_match(
    ctx: RecordContext, index: int, record: dict[str, Any], check_fields: list[Field]
) -> tuple[int | None, str | None]:
    for target in check_fields:
        raw = record.get(target.api_name)
        if raw is None or raw == "":
            continue
        try:
            value = coerce(target, raw)
        except ZohoError as error:
            raise error.with_details(
                api_name=target.api_name, json_path=f"$.data[{index}].{target.api_name}"
            ) from None
        if value is None:
            continue
        matches = find_matches(ctx, target, [value])
        rows = next(iter(matches.values()), [])
        if len(rows) > 1:
            raise DuplicateData(
                api_name=target.api_name,
                json_path=f"$.data[{index}].{target.api_name}",
                more_records=True,
            )
        if rows:
            return rows[0].id, target.api_name
    return None, None


# --- delete -------------------------------------------------------------------------------------


def delete_records(
    runtime: Runtime, caller: Caller, module: Module, ids: list[int], *, workflow: bool = True
) -> list[Result]:
    with runtime.db.write_org(caller.org.id) as scope:
        ctx = open_context(runtime, caller, module, scope)
        existing = load_rows(ctx, set(ids))
        results: list[Result] = []
        done: set[int] = set()
        for record_id in ids:
            if record_id not in existing or record_id in done:
                results.append(
                    {
                        "code": "INVALID_DATA",
                        "details": {"id": str(record_id)},
                        "message": "record not deleted",
                        "status": "error",
                    }
                )
                continue
            done.add(record_id)
            results.append(
                {
                    "code": "SUCCESS",
                    "details": {"id": str(record_id)},
                    "message": "record deleted",
                    "status": "success",
                }
            )
        remove_rows(ctx, [existing[i] for i in ids if i in done], workflow=workflow)
    return results


def remove_rows(ctx: RecordContext, rows: list[Any], *, workflow: bool = True) -> None:
    """Move rows to the recycle bin, with their notes, and record delete events."""
    if not rows:
        return
    bin_rows = []
    event_rows = []
    for row in rows:
        bin_rows.append(
            {
                "id": row.id,
                "module_id": ctx.module.id,
                "display_name": _display_name(ctx.module, row.data),
                "type": "recycle",
                "created_by": row.created_by,
                "deleted_by": ctx.caller.user.id,
                "deleted_time": ctx.now,
                "record": {
                    "owner_id": row.owner_id,
                    "created_by": row.created_by,
                    "modified_by": row.modified_by,
                    "created_time": row.created_time,
                    "modified_time": row.modified_time,
                    "data": row.data,
                },
            }
        )
        event_rows.append(record_event(ctx, row.id, "delete", workflow=workflow))
    ids = [row.id for row in rows]
    ctx.scope.insert(recycle_bin, bin_rows)
    ctx.scope.execute(ctx.scope.delete(records).where(records.c.id.in_(ids)))
    write_events(ctx, event_rows)
    _delete_notes_of(ctx, ids)


def _delete_notes_of(ctx: RecordContext, parent_ids: list[int]) -> None:
    notes = ctx.meta.module("Notes")
    if notes is None or ctx.module.id == notes.id:
        return
    parent = notes.by_name.get("Parent_Id")
    if parent is None or ctx.module.api_name not in parent.multi_module:
        return
    from zcrm.server.storage.documents import doc_value

    expr = doc_value(records, "Parent_Id", "lookup", ctx.dialect)
    children = ctx.scope.rows(
        ctx.scope.select(records).where(records.c.module_id == notes.id, expr.in_(parent_ids))
    )
    remove_rows(ctx.for_module(notes), children)


def _display_name(module: Module, data: dict[str, Any]) -> str | None:
    value = data.get(module.display_field)
    return str(value)[:255] if value is not None else None
