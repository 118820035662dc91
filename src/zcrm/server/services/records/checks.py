"""Batch checks that need the database: lookup targets exist, unique values are unique.

Each runs one query per target module (or per unique field) for the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from zcrm.server.errors import DuplicateData, InvalidData, ZohoError
from zcrm.server.services.metadata.model import Field
from zcrm.server.services.records.context import RecordContext
from zcrm.server.services.records.prepare import MODULE_SUFFIX, Change, LookupRef
from zcrm.server.storage.documents import raw_value
from zcrm.server.storage.schema import records, users


def verify_references(ctx: RecordContext, changes: Iterable[Change]) -> dict[int, ZohoError]:
    """Errors by change index for lookups to missing records or inactive users."""
    errors: dict[int, ZohoError] = {}
    pending = list(changes)
    user_ids = {ref.target_id for c in pending for ref in c.users}
    active_users = _active_users(ctx, user_ids)
    wanted: dict[int, set[int]] = {}  # module id -> record ids
    for change in pending:
        for ref in change.lookups:
            for module_id in _candidate_modules(ctx, ref):
                wanted.setdefault(module_id, set()).add(ref.target_id)
    found = _existing(ctx, wanted)
    for change in pending:
        for ref in change.users:
            if ref.target_id not in active_users:
                errors.setdefault(change.index, _bad_ref(ref))
        for ref in change.lookups:
            modules = _candidate_modules(ctx, ref)
            hit = next((m for m in modules if ref.target_id in found.get(m, set())), None)
            if hit is None:
                errors.setdefault(change.index, _bad_ref(ref))
            elif ref.field.is_multi_module:
                change.values[ref.field.api_name + MODULE_SUFFIX] = ctx.meta.by_id[hit].api_name
    return errors


def _bad_ref(ref: LookupRef) -> InvalidData:
    return InvalidData(api_name=ref.field.api_name, json_path=ref.json_path)


def _candidate_modules(ctx: RecordContext, ref: LookupRef) -> list[int]:
    names = [ref.module] if ref.module else list(ref.field.multi_module)
    if ref.field.is_multi_module and ref.module and ref.module not in ref.field.multi_module:
        return []
    out = []
    for name in names:
        module = ctx.meta.module(name) if name else None
        if module is not None:
            out.append(module.id)
    return out


def _active_users(ctx: RecordContext, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    rows = ctx.scope.rows(
        ctx.scope.select(users, users.c.id).where(users.c.id.in_(ids), users.c.status == "active")
    )
    return {r.id for r in rows}


def _existing(ctx: RecordContext, wanted: dict[int, set[int]]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for module_id, ids in wanted.items():
        rows = ctx.scope.rows(
            ctx.scope.select(records, records.c.id).where(
                records.c.module_id == module_id, records.c.id.in_(ids)
            )
        )
        found[module_id] = {r.id for r in rows}
    return found


def unique_key(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def find_matches(ctx: RecordContext, target: Field, values: Iterable[Any]) -> dict[Any, list[Any]]:
    """Existing records whose ``target`` equals one of ``values`` (text compared case-blind)."""
    keys = {unique_key(v) for v in values if v is not None}
    if not keys:
        return {}
    expr: Any = raw_value(records, target.api_name, ctx.dialect)
    text = isinstance(next(iter(keys)), str)
    compare = func.lower(expr) if text else expr
    query = select(records.c.id, records.c.owner_id, expr.label("value")).where(
        ctx.scope.owns(records),
        records.c.module_id == ctx.module.id,
        compare.in_([str(k) if not text and ctx.dialect == "postgresql" else k for k in keys]),
    )
    out: dict[Any, list[Any]] = {}
    for row in ctx.scope.rows(query):
        value = row.value
        if ctx.dialect == "postgresql" and not text and value is not None:
            value = type(next(iter(keys)))(value)
        out.setdefault(unique_key(value), []).append(row)
    return out


def verify_unique(
    ctx: RecordContext, changes: list[Change], merged: dict[int, dict[str, Any]]
) -> dict[int, ZohoError]:
    """Errors by change index for values that clash with another record or the batch."""
    errors: dict[int, ZohoError] = {}
    for target in ctx.module.unique_fields:
        relevant = [c for c in changes if target.api_name in c.values]
        if not relevant:
            continue
        values = [merged[c.index].get(target.api_name) for c in relevant]
        existing = find_matches(ctx, target, values)
        seen: dict[Any, int] = {}
        for change in relevant:
            value = merged[change.index].get(target.api_name)
            if value is None:
                continue
            key = unique_key(value)
            clash = [r for r in existing.get(key, []) if r.id != change.record_id]
            if clash:
                errors.setdefault(
                    change.index, duplicate_error(ctx, target, change.index, clash[0])
                )
            elif key in seen:
                errors.setdefault(
                    change.index,
                    DuplicateData(
                        api_name=target.api_name,
                        json_path=f"$.data[{change.index}].{target.api_name}",
                    ),
                )
            else:
                seen[key] = change.index
    return errors


def duplicate_error(ctx: RecordContext, target: Field, index: int, row: Any) -> DuplicateData:
    owner = ctx.scope.execute(
        ctx.scope.select(users, users.c.first_name, users.c.last_name, users.c.zuid).where(
            users.c.id == row.owner_id
        )
    ).first()
    owner_json: dict[str, Any] = {"id": str(row.owner_id)}
    if owner is not None:
        owner_json = {
            "name": " ".join(p for p in (owner.first_name, owner.last_name) if p),
            "id": str(row.owner_id),
            "zuid": owner.zuid,
        }
    return DuplicateData(
        api_name=target.api_name,
        json_path=f"$.data[{index}].{target.api_name}",
        duplicate_record={
            "Owner": owner_json,
            "module": {"api_name": ctx.module.api_name, "id": str(ctx.module.id)},
            "id": str(row.id),
        },
    )
