"""Reset and seed an org (emulator controls); no HTTP here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from zcrm.server.catalogue.standard import STANDARD_MODULES
from zcrm.server.errors import InvalidData
from zcrm.server.runtime import Runtime
from zcrm.server.services.metadata.seed import ids_needed, seed_modules
from zcrm.server.services.oauth import forget_callers
from zcrm.server.services.orgs import default_org, org_by_id
from zcrm.server.services.system_caller import admin_caller
from zcrm.server.storage.schema import fields, layouts, metadata, modules, orgs
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage

# Tables that define an org rather than hold its data: kept by every reset.
KEPT = frozenset(
    {
        "orgs",
        "users",
        "oauth_clients",
        "oauth_codes",
        "oauth_tokens",
        "id_blocks",
        "server_settings",
        "emulator_faults",
        "emulator_fault_log",
    }
)
METADATA_TABLES = frozenset({"modules", "fields", "layouts"})


def resolve_org(runtime: Runtime, org_id: Any) -> int:
    if org_id in (None, ""):
        row = default_org(runtime)
        if row is None:
            raise InvalidData("no default org: name one with org_id", param_name="org_id")
        return int(row.id)
    if not str(org_id).isdigit() or org_by_id(runtime, int(org_id)) is None:
        raise InvalidData("no such org", param_name="org_id")
    return int(org_id)


def data_tables(keep_metadata: bool) -> list[Table]:
    skip = KEPT | (METADATA_TABLES if keep_metadata else frozenset())
    return [t for t in metadata.sorted_tables if "org_id" in t.c and t.name not in skip]


def reset_org(runtime: Runtime, org_id: int, *, keep_metadata: bool = True) -> dict[str, int]:
    """Wipe an org's records (and, unless kept, its custom metadata); users stay."""
    forget_callers()
    pool: list[int] = []
    prefix = None
    if not keep_metadata:
        row = org_by_id(runtime, org_id)
        assert row is not None
        prefix = int(row.id_prefix)
        pool = runtime.ids.allocate(org_id, prefix, ids_needed(STANDARD_MODULES))
    removed: dict[str, int] = {}
    with runtime.db.write_org(org_id) as scope:
        for table in data_tables(keep_metadata):
            count = scope.execute(scope.delete(table)).rowcount
            if count:
                removed[str(table.name)] = int(count)
        if not keep_metadata:
            _reseed_metadata(scope, pool, to_storage(runtime.clock.now()))
    runtime.limiter.backend.forget(org_id)
    runtime.metadata.invalidate(org_id)
    return removed


def _reseed_metadata(scope: OrgScope, pool: list[int], now: str) -> None:
    def new_ids(count: int) -> list[int]:
        taken = pool[:count]
        del pool[:count]
        return taken

    for table in (fields, layouts, modules):
        scope.execute(scope.delete(table))
    seed_modules(scope, STANDARD_MODULES, new_ids, now)
    scope.execute(
        orgs.update()
        .where(orgs.c.id == scope.org_id)
        .values(metadata_version=orgs.c.metadata_version + 1)
    )


def seed_generated(runtime: Runtime, org_id: int, module_name: str, count: int) -> list[Any]:
    """``count`` generated records of a module, written through the record writer."""
    from zcrm.server.services.generate import generate_records
    from zcrm.server.services.plans import resolve_plan
    from zcrm.server.services.records.writer import insert_records

    caller = admin_caller(runtime, org_id)
    meta = runtime.metadata.get(org_id, caller.org.metadata_version)
    module = meta.module(module_name)
    if module is None or not module.api_supported:
        raise InvalidData("the module name given seems to be invalid", param_name="module")
    rng = runtime.random.fork(f"seed:{org_id}:{module.api_name}:{count}")
    batch = resolve_plan(caller.org.plan).max_records_per_write
    results: list[Any] = []
    records = generate_records(module, count, rng)
    for start in range(0, len(records), batch):
        results += insert_records(runtime, caller, module, records[start : start + batch])
    return results


def outbox(runtime: Runtime, org_id: int, limit: int = 100) -> list[dict[str, Any]]:
    from zcrm.server.storage.schema import events

    with runtime.db.read_org(org_id) as scope:
        rows = scope.rows(scope.select(events).order_by(events.c.id.desc()).limit(limit))
    return [
        {
            "id": str(r.id),
            "module": r.module,
            "record_id": str(r.record_id),
            "operation": r.operation,
            "changed_fields": r.changed_fields,
            "dispatched": r.dispatched,
            "occurred_at": r.occurred_at,
        }
        for r in rows
    ]
