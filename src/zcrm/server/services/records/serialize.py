"""Stored records to Zoho's wire shape.

Lookups read back as ``{"name","id"}`` (names resolved in one query per target
module), users as ``{"name","id","email"}``, datetimes in the caller's time zone,
bigints as strings, ids as strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from zcrm.server.services.metadata.model import Field, Module, OrgMetadata
from zcrm.server.services.records.prepare import MODULE_SUFFIX, SE_MODULE
from zcrm.server.storage.documents import raw_value
from zcrm.server.storage.schema import records, users
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_wire

SYSTEM_COLUMNS = {
    "Owner": "owner_id",
    "Created_By": "created_by",
    "Modified_By": "modified_by",
    "Created_Time": "created_time",
    "Modified_Time": "modified_time",
}


class NameResolver:
    """Collects the ids a page of records refers to, then resolves them in bulk."""

    def __init__(self, scope: OrgScope, meta: OrgMetadata) -> None:
        self.scope = scope
        self.meta = meta
        self.user_ids: set[int] = set()
        self.record_ids: dict[str, set[int]] = {}  # module api name -> ids
        self.users: dict[int, dict[str, str]] = {}
        self.names: dict[tuple[str, int], str | None] = {}

    def want_user(self, user_id: int | None) -> None:
        if user_id is not None:
            self.user_ids.add(int(user_id))

    def want_record(self, module: str | None, record_id: Any) -> None:
        if module and record_id is not None:
            self.record_ids.setdefault(module, set()).add(int(record_id))

    def resolve(self) -> None:
        missing_users = self.user_ids - set(self.users)
        if missing_users:
            rows = self.scope.rows(
                self.scope.select(
                    users, users.c.id, users.c.first_name, users.c.last_name, users.c.email
                ).where(users.c.id.in_(missing_users))
            )
            for row in rows:
                self.users[row.id] = {
                    "name": " ".join(p for p in (row.first_name, row.last_name) if p),
                    "id": str(row.id),
                    "email": row.email,
                }
        for module_name, ids in self.record_ids.items():
            module = self.meta.module(module_name)
            todo = [i for i in ids if (module_name, i) not in self.names]
            if module is None or not todo:
                continue
            name_expr = raw_value(records, module.display_field, self.scope.dialect)
            rows = self.scope.rows(
                self.scope.select(records, records.c.id, name_expr.label("name")).where(
                    records.c.module_id == module.id, records.c.id.in_(todo)
                )
            )
            for row in rows:
                self.names[(module_name, row.id)] = row.name
        self.user_ids.clear()
        self.record_ids.clear()

    def user(self, user_id: int | None, with_email: bool = True) -> dict[str, str] | None:
        if user_id is None:
            return None
        found = self.users.get(int(user_id))
        if found is None:
            return {"name": "", "id": str(user_id), "email": ""} if with_email else None
        if with_email:
            return dict(found)
        return {"name": found["name"], "id": found["id"]}

    def record(self, module: str | None, record_id: Any) -> tuple[bool, str | None]:
        key = (module or "", int(record_id))
        if key not in self.names:
            return False, None
        return True, self.names[key]


def plan_fields(module: Module, requested: Sequence[str] | None) -> list[Field]:
    if requested is None:
        return list(module.fields)
    wanted = set(requested)
    return [f for f in module.fields if f.api_name in wanted]


def collect(resolver: NameResolver, row: Any, wanted: Iterable[Field]) -> None:
    data = row.data
    for f in wanted:
        if f.system_column:
            column = SYSTEM_COLUMNS.get(f.api_name)
            if column and f.is_user_lookup:
                resolver.want_user(getattr(row, column))
            continue
        value = data.get(f.api_name)
        if value is None or not f.is_lookup:
            continue
        if f.is_user_lookup:
            resolver.want_user(value)
        elif f.is_multi_module:
            resolver.want_record(data.get(f.api_name + MODULE_SUFFIX), value)
        else:
            resolver.want_record(f.lookup_module, value)


def render(
    resolver: NameResolver, module: Module, row: Any, wanted: Iterable[Field], tz: str
) -> dict[str, Any]:
    data = row.data
    out: dict[str, Any] = {}
    for f in wanted:
        name = f.api_name
        if f.system_column:
            column = SYSTEM_COLUMNS.get(name)
            if column is None:
                out[name] = [] if name == "Tag" else None
            elif f.is_user_lookup:
                out[name] = resolver.user(getattr(row, column))
            else:
                out[name] = to_wire(getattr(row, column), tz)
            continue
        out[name] = wire_value(resolver, f, data, tz, out)
    out["id"] = str(row.id)
    return out


def wire_value(
    resolver: NameResolver, f: Field, data: dict[str, Any], tz: str, out: dict[str, Any]
) -> Any:
    value = data.get(f.api_name)
    kind = f.data_type
    if value is None:
        if kind == "multiselectpicklist":
            return []
        if kind == "boolean":
            return False
        return None
    if f.is_user_lookup:
        return resolver.user(value)
    if f.is_lookup:
        module = data.get(f.api_name + MODULE_SUFFIX) if f.is_multi_module else f.lookup_module
        exists, name = resolver.record(module, value)
        if not exists:
            return None
        if f.is_multi_module:
            out[SE_MODULE] = module
            if f.api_name == "Parent_Id":
                target = resolver.meta.module(module or "")
                return {
                    "module": {"api_name": module, "id": str(target.id) if target else None},
                    "name": name,
                    "id": str(value),
                }
        return {"name": name, "id": str(value)}
    if kind == "datetime":
        return to_wire(value, tz)
    if kind == "bigint":
        return str(value)
    if kind in ("double", "currency", "percent"):
        return float(value)
    return value


def render_rows(
    scope: OrgScope,
    meta: OrgMetadata,
    module: Module,
    rows: Sequence[Any],
    requested: Sequence[str] | None,
    tz: str,
) -> list[dict[str, Any]]:
    wanted = plan_fields(module, requested)
    resolver = NameResolver(scope, meta)
    for row in rows:
        collect(resolver, row, wanted)
    resolver.resolve()
    return [render(resolver, module, row, wanted, tz) for row in rows]
