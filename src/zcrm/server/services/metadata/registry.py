"""Loads an org's modules and fields from storage, cached per metadata version.

Writes to metadata bump ``orgs.metadata_version``; every request learns the current
version together with its caller, so each server process reloads an org's metadata
exactly when it changed, wherever it was changed.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from zcrm.server.services.metadata.model import (
    Field,
    Module,
    OrgMetadata,
    PicklistValue,
    RelatedList,
)
from zcrm.server.storage.database import Database
from zcrm.server.storage.schema import fields, modules, orgs
from zcrm.server.storage.scoped import OrgScope


class MetadataRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[int, OrgMetadata] = {}
        self._lock = threading.Lock()

    def get(self, org_id: int, version: int | None = None) -> OrgMetadata:
        cached = self._cache.get(org_id)
        # A caller may carry a version a moment old (see oauth.CallerCache): newer is fine.
        if cached is not None and (version is None or cached.version >= version):
            return cached
        with self._db.read_org(org_id) as scope:
            loaded = load_metadata(scope)
        with self._lock:
            current = self._cache.get(org_id)
            if current is None or current.version <= loaded.version:
                self._cache[org_id] = loaded
        return loaded

    def for_scope(self, scope: OrgScope) -> OrgMetadata:
        """Metadata seen from inside an open transaction (always the stored version)."""
        version = scope.scalar(select(orgs.c.metadata_version).where(orgs.c.id == scope.org_id))
        cached = self._cache.get(scope.org_id)
        if cached is not None and cached.version == version:
            return cached
        loaded = load_metadata(scope)
        with self._lock:
            self._cache[scope.org_id] = loaded
        return loaded

    def invalidate(self, org_id: int) -> None:
        with self._lock:
            self._cache.pop(org_id, None)


def load_metadata(scope: OrgScope) -> OrgMetadata:
    version = scope.scalar(select(orgs.c.metadata_version).where(orgs.c.id == scope.org_id))
    field_rows = scope.rows(scope.select(fields).order_by(fields.c.module_id, fields.c.sequence))
    by_module: dict[int, list[Field]] = {}
    for row in field_rows:
        by_module.setdefault(row.module_id, []).append(field_from_row(row))
    module_rows = scope.rows(scope.select(modules).order_by(modules.c.sequence))
    loaded = []
    for row in module_rows:
        module_fields = tuple(by_module.get(row.id, ()))
        loaded.append(
            Module(
                id=row.id,
                api_name=row.api_name,
                module_name=row.module_name,
                singular_label=row.singular_label,
                plural_label=row.plural_label,
                generated_type=row.generated_type,
                api_supported=row.api_supported,
                creatable=row.creatable,
                searchable=row.searchable,
                upsert_supported=row.upsert_supported,
                display_field=row.display_field,
                duplicate_check_field=row.duplicate_check_field,
                scope_name=row.scope_name,
                sequence=row.sequence,
                related_lists=tuple(related_from_json(r) for r in row.related_lists or ()),
                created_time=row.created_time,
                modified_time=row.modified_time,
                fields=module_fields,
                by_name={f.api_name: f for f in module_fields},
            )
        )
    return OrgMetadata(version=int(version or 0), modules=tuple(loaded))


def field_from_row(row: Any) -> Field:
    return Field(
        id=row.id,
        module_id=row.module_id,
        api_name=row.api_name,
        label=row.field_label,
        data_type=row.data_type,
        length=row.length,
        decimal_place=row.decimal_place,
        mandatory=row.system_mandatory,
        read_only=row.read_only,
        unique=row.unique_field,
        custom=row.custom_field,
        system_column=row.system_column,
        searchable=row.searchable,
        lookup_module=row.lookup_module,
        multi_module=tuple(row.multi_module or ()),
        picklist=tuple(
            PicklistValue(
                display_value=p["display_value"],
                actual_value=p["actual_value"],
                sequence_number=p["sequence_number"],
                id=int(p["id"]),
                extra=p.get("extra", {}),
            )
            for p in row.pick_list_values or ()
        ),
        default=row.default_value,
        textarea_type=row.textarea_type,
        sequence=row.sequence,
        created_time=row.created_time,
        modified_time=row.modified_time,
    )


def related_from_json(data: dict[str, Any]) -> RelatedList:
    return RelatedList(
        api_name=data["api_name"],
        module=data["module"],
        field=data["field"],
        label=data.get("label") or data["api_name"],
        id=int(data["id"]),
        sequence=int(data.get("sequence", 0)),
    )
