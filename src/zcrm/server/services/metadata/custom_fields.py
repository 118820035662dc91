"""Creating, changing and deleting custom fields (``/settings/fields``).

Rules follow reference §6.4: up to 5 fields a call; lengths per type; api names from
the label (spaces to ``_``, other characters dropped, case kept) with a ``__c`` suffix
unless the org turned it off (``orgs.settings["custom_field_suffix"] = false``, like
live Zoho); a clash gets a number; at most 2 unique fields per module; the plan's cap
on custom fields per module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from zcrm.server.catalogue.spec import FieldSpec, PicklistOption
from zcrm.server.errors import (
    DuplicateData,
    InvalidData,
    LimitExceeded,
    MandatoryNotFound,
    NotAllowed,
    ReservedKeywordNotAllowed,
    ZohoError,
)
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import API_NAME, Module
from zcrm.server.services.metadata.seed import field_row
from zcrm.server.services.plans import resolve_plan
from zcrm.server.storage.schema import fields, modules, orgs
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage

MAX_PER_CALL = 5
MAX_UNIQUE = 2
# data type -> (min length, max length, default length); None: no length
LENGTHS: dict[str, tuple[int, int, int] | None] = {
    "text": (1, 255, 255),
    "email": (1, 100, 100),
    "phone": (1, 30, 30),
    "website": (1, 450, 255),
    "integer": (1, 9, 9),
    "bigint": (1, 18, 18),
    "double": (1, 18, 16),
    "currency": (1, 16, 16),
    "percent": (1, 5, 5),
    "autonumber": (1, 255, 255),
    "textarea": None,
    "boolean": None,
    "date": None,
    "datetime": None,
    "picklist": None,
    "multiselectpicklist": None,
    "lookup": None,
}
TEXTAREA_LENGTHS = {"small": 2000, "large": 32000, "rich_text": 50000}
RESERVED = frozenset(
    name.lower()
    for name in (
        "id",
        "select",
        "from",
        "where",
        "and",
        "or",
        "not",
        "in",
        "like",
        "between",
        "is",
        "null",
        "order",
        "by",
        "group",
        "limit",
        "offset",
        "asc",
        "desc",
        "true",
        "false",
        "Owner",
        "Created_By",
        "Modified_By",
        "Created_Time",
        "Modified_Time",
        "Tag",
        "Layout",
        "data",
        "info",
    )
)


@dataclass
class FieldRequest:
    index: int
    spec: FieldSpec


def api_name_from_label(label: str) -> str:
    words = re.sub(r"[^A-Za-z0-9_ ]", "", label).strip()
    name = re.sub(r"\s+", "_", words)
    if name and not name[0].isalpha():
        name = "F_" + name
    return name


def _path(index: int, key: str) -> str:
    return f"$.fields[{index}].{key}"


def parse_request(index: int, raw: Any, module: Module, suffix: bool, taken: set[str]) -> FieldSpec:
    if not isinstance(raw, dict):
        raise InvalidData(expected_data_type="jsonobject", json_path=f"$.fields[{index}]")
    label = raw.get("field_label") or raw.get("display_label")
    if not isinstance(label, str) or not label.strip():
        raise MandatoryNotFound(api_name="field_label", json_path=_path(index, "field_label"))
    label = label.strip()
    if len(label) > 100:
        raise InvalidData(
            api_name="field_label", json_path=_path(index, "field_label"), maximum_length=100
        )
    data_type = raw.get("data_type")
    if data_type is None:
        raise MandatoryNotFound(api_name="data_type", json_path=_path(index, "data_type"))
    if data_type not in LENGTHS:
        raise InvalidData(
            api_name="data_type",
            json_path=_path(index, "data_type"),
            supported_values=sorted(LENGTHS),
        )
    api_name = _api_name(index, raw, label, suffix, taken)
    length, textarea_type = _length(index, raw, data_type)
    picklist = _picklist(index, raw, data_type)
    lookup_module = None
    if data_type == "lookup":
        lookup_module = _lookup_target(index, raw)
    decimal_place = None
    if data_type in ("double", "currency", "percent"):
        decimal_place = raw.get("decimal_place", 2)
        if (
            not isinstance(decimal_place, int)
            or isinstance(decimal_place, bool)
            or not (0 <= decimal_place <= 9)
        ):
            raise InvalidData(api_name="decimal_place", json_path=_path(index, "decimal_place"))
    unique = raw.get("unique")
    is_unique = bool(unique) if not isinstance(unique, dict) else True
    if is_unique and data_type not in (
        "text",
        "email",
        "phone",
        "website",
        "integer",
        "bigint",
        "double",
        "currency",
        "percent",
    ):
        raise InvalidData(
            "this data type cannot be unique", api_name="unique", json_path=_path(index, "unique")
        )
    return FieldSpec(
        api_name=api_name,
        label=label,
        data_type=data_type,
        length=length,
        mandatory=False,
        unique=is_unique,
        picklist=picklist,
        lookup_module=lookup_module,
        decimal_place=decimal_place,
        read_only=data_type == "autonumber",
        textarea_type=textarea_type,
    )


def _api_name(index: int, raw: dict[str, Any], label: str, suffix: bool, taken: set[str]) -> str:
    given = raw.get("api_name")
    if given is not None:
        if not isinstance(given, str) or not API_NAME.match(given) or len(given) > 100:
            raise InvalidData(api_name="api_name", json_path=_path(index, "api_name"))
        if given.lower() in RESERVED:
            raise ReservedKeywordNotAllowed(api_name="api_name", json_path=_path(index, "api_name"))
        if given.lower() in {t.lower() for t in taken}:
            raise DuplicateData(api_name="api_name", json_path=_path(index, "api_name"))
        return given
    base = api_name_from_label(label)
    if not base:
        raise InvalidData(
            "the field label gives no usable api name",
            api_name="field_label",
            json_path=_path(index, "field_label"),
        )
    if base.lower() in RESERVED:
        raise ReservedKeywordNotAllowed(
            api_name="field_label", json_path=_path(index, "field_label")
        )
    lowered = {t.lower() for t in taken}
    candidate = base + ("__c" if suffix else "")
    number = 1
    while candidate.lower() in lowered:
        candidate = f"{base}{number}" + ("__c" if suffix else "")
        number += 1
    return candidate[:100]


def _length(index: int, raw: dict[str, Any], data_type: str) -> tuple[int | None, str | None]:
    if data_type == "textarea":
        kind = (
            (raw.get("textarea") or {}).get("type", "large")
            if isinstance(raw.get("textarea"), dict)
            else "large"
        )
        if kind not in TEXTAREA_LENGTHS:
            raise InvalidData(
                api_name="textarea",
                json_path=_path(index, "textarea.type"),
                supported_values=sorted(TEXTAREA_LENGTHS),
            )
        return TEXTAREA_LENGTHS[kind], kind
    bounds = LENGTHS[data_type]
    if bounds is None:
        return None, None
    low, high, default = bounds
    length = raw.get("length", default)
    if not isinstance(length, int) or isinstance(length, bool) or not low <= length <= high:
        raise InvalidData(
            api_name="length",
            json_path=_path(index, "length"),
            minimum_length=low,
            maximum_length=high,
        )
    return length, None


def _picklist(index: int, raw: dict[str, Any], data_type: str) -> tuple[PicklistOption, ...]:
    if data_type not in ("picklist", "multiselectpicklist"):
        return ()
    values = raw.get("pick_list_values")
    if not isinstance(values, list) or not values:
        raise MandatoryNotFound(
            api_name="pick_list_values", json_path=_path(index, "pick_list_values")
        )
    out: list[PicklistOption] = []
    seen: set[str] = set()
    for position, value in enumerate(values):
        text = value.get("display_value") if isinstance(value, dict) else value
        actual = value.get("actual_value", text) if isinstance(value, dict) else text
        if not isinstance(text, str) or not text.strip() or not isinstance(actual, str):
            raise InvalidData(
                api_name="pick_list_values", json_path=_path(index, f"pick_list_values[{position}]")
            )
        if text in seen:
            raise DuplicateData(
                api_name="pick_list_values", json_path=_path(index, f"pick_list_values[{position}]")
            )
        seen.add(text)
        out.append(PicklistOption(text, actual))
    if data_type == "picklist" and "-None-" not in seen:
        out.insert(0, PicklistOption("-None-", "-None-"))
    return tuple(out)


def _lookup_target(index: int, raw: dict[str, Any]) -> str:
    lookup = raw.get("lookup")
    target = None
    if isinstance(lookup, dict):
        module = lookup.get("module")
        target = module.get("api_name") if isinstance(module, dict) else module
    if not isinstance(target, str) or not target:
        raise MandatoryNotFound(api_name="lookup", json_path=_path(index, "lookup.module"))
    return target


def create_fields(
    runtime: Runtime, caller: Caller, module: Module, items: list[Any]
) -> list[dict[str, Any]]:
    if len(items) > MAX_PER_CALL:
        raise LimitExceeded(api_name="fields", limit=MAX_PER_CALL)
    org_id = caller.org.id
    with runtime.db.read() as conn:
        settings = conn.execute(select(orgs.c.settings).where(orgs.c.id == org_id)).scalar()
    settings = settings or {}
    suffix = bool(settings.get("custom_field_suffix", True))
    plan = resolve_plan(caller.org.plan, settings.get("limits"))
    meta = runtime.metadata.get(org_id, caller.org.metadata_version)
    taken = {f.api_name for f in module.fields}
    results: list[dict[str, Any] | None] = [None] * len(items)
    accepted: list[tuple[int, FieldSpec]] = []
    unique_count = len(module.unique_fields)
    custom_count = sum(1 for f in module.fields if f.custom)
    for index, raw in enumerate(items):
        try:
            spec = parse_request(index, raw, module, suffix, taken)
            if spec.lookup_module is not None:
                target = meta.module(spec.lookup_module)
                if target is None or not target.api_supported:
                    raise InvalidData(
                        "the lookup module given seems to be invalid",
                        api_name="lookup",
                        json_path=_path(index, "lookup.module"),
                    )
                spec = _with_target(spec, target.api_name)
            if spec.unique and unique_count >= MAX_UNIQUE:
                raise LimitExceeded(
                    "maximum unique fields reached",
                    api_name="unique",
                    json_path=_path(index, "unique"),
                    limit=MAX_UNIQUE,
                )
            if custom_count >= plan.custom_fields_per_module:
                raise LimitExceeded(
                    "maximum custom fields reached for the edition",
                    limit=plan.custom_fields_per_module,
                )
        except ZohoError as error:
            results[index] = error.to_json()
            continue
        taken.add(spec.api_name)
        unique_count += spec.unique
        custom_count += 1
        accepted.append((index, spec))
    if accepted:
        needed = sum(2 + len(spec.picklist) for _, spec in accepted)
        pool = runtime.ids.allocate(org_id, caller.org.id_prefix, needed)
        now = to_storage(runtime.clock.now())

        def new_ids(count: int) -> list[int]:
            taken_ids = pool[:count]
            del pool[:count]
            return taken_ids

        with runtime.db.write_org(org_id) as scope:
            sequence = len(module.fields)
            for index, spec in accepted:
                sequence += 1
                row = field_row(spec, module.id, sequence, new_ids, now, custom=True)
                scope.insert(fields, row)
                if spec.lookup_module:
                    _add_related_list(
                        scope, meta.module(spec.lookup_module), module, spec, new_ids(1)[0], now
                    )
                _ensure_index(scope, spec)
                results[index] = {
                    "code": "SUCCESS",
                    "details": {"id": str(row["id"])},
                    "message": "field created",
                    "status": "success",
                }
            touch_metadata(scope, module.id, now)
        runtime.metadata.invalidate(org_id)
    return [r for r in results if r is not None]


def _with_target(spec: FieldSpec, target: str) -> FieldSpec:
    from dataclasses import replace

    return replace(spec, lookup_module=target)


def _add_related_list(
    scope: OrgScope, parent: Module | None, child: Module, spec: FieldSpec, rel_id: int, now: str
) -> None:
    if parent is None:
        return
    existing = list(
        scope.scalar(
            select(modules.c.related_lists).where(
                modules.c.org_id == scope.org_id, modules.c.id == parent.id
            )
        )
        or []
    )
    names = {r["api_name"] for r in existing}
    name = child.api_name if child.api_name not in names else f"{child.api_name}_{spec.api_name}"
    existing.append(
        {
            "api_name": name,
            "module": child.api_name,
            "field": spec.api_name,
            "label": f"{child.plural_label} ({spec.label})",
            "id": str(rel_id),
            "sequence": len(existing) + 1,
        }
    )
    scope.execute(
        scope.update(modules)
        .where(modules.c.id == parent.id)
        .values(related_lists=existing, modified_time=now)
    )


def _drop_related_list(scope: OrgScope, child: Module, field_name: str, now: str) -> None:
    for row in scope.rows(scope.select(modules, modules.c.id, modules.c.related_lists)):
        lists = list(row.related_lists or [])
        kept = [
            r for r in lists if not (r["module"] == child.api_name and r["field"] == field_name)
        ]
        if len(kept) != len(lists):
            scope.execute(
                scope.update(modules)
                .where(modules.c.id == row.id)
                .values(related_lists=kept, modified_time=now)
            )


def _ensure_index(scope: OrgScope, spec: FieldSpec) -> None:
    try:
        from zcrm.server.storage import indexes
    except ImportError:  # the query layer adds expression indexes when it is present
        return
    ensure = getattr(indexes, "ensure_field_index", None)
    if ensure is not None and (spec.unique or spec.lookup_module):
        ensure(scope.conn, spec)


def touch_metadata(scope: OrgScope, module_id: int, now: str) -> None:
    scope.execute(scope.update(modules).where(modules.c.id == module_id).values(modified_time=now))
    scope.execute(
        orgs.update()
        .where(orgs.c.id == scope.org_id)
        .values(metadata_version=orgs.c.metadata_version + 1)
    )


def update_field(
    runtime: Runtime, caller: Caller, module: Module, field_id: int, raw: Any
) -> dict[str, Any]:
    target = next((f for f in module.fields if f.id == field_id), None)
    if target is None:
        raise InvalidData("the field id given seems to be invalid", id=str(field_id))
    if not isinstance(raw, dict):
        raise InvalidData(expected_data_type="jsonobject", json_path="$.fields[0]")
    changes: dict[str, Any] = {}
    if "field_label" in raw:
        label = raw["field_label"]
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            raise InvalidData(api_name="field_label", json_path="$.fields[0].field_label")
        changes["field_label"] = label.strip()
    if "length" in raw:
        if not target.custom or LENGTHS.get(target.data_type) is None:
            raise NotAllowed("the length of this field cannot be changed", api_name="length")
        length, _ = _length(0, raw, target.data_type)
        changes["length"] = length
    if "pick_list_values" in raw:
        if target.data_type not in ("picklist", "multiselectpicklist"):
            raise InvalidData(api_name="pick_list_values")
        options = _picklist(0, raw, target.data_type)
        pool = runtime.ids.allocate(caller.org.id, caller.org.id_prefix, len(options))
        changes["pick_list_values"] = [
            {
                "display_value": o.display_value,
                "actual_value": o.value,
                "sequence_number": n,
                "id": str(pool[n - 1]),
                "extra": {},
            }
            for n, o in enumerate(options, start=1)
        ]
    if not changes:
        raise MandatoryNotFound("nothing to update", api_name="fields")
    now = to_storage(runtime.clock.now())
    with runtime.db.write_org(caller.org.id) as scope:
        scope.execute(
            scope.update(fields).where(fields.c.id == field_id).values(modified_time=now, **changes)
        )
        touch_metadata(scope, module.id, now)
    runtime.metadata.invalidate(caller.org.id)
    return {
        "code": "SUCCESS",
        "details": {"id": str(field_id)},
        "message": "field updated",
        "status": "success",
    }


def delete_field(runtime: Runtime, caller: Caller, module: Module, field_id: int) -> dict[str, Any]:
    target = next((f for f in module.fields if f.id == field_id), None)
    if target is None:
        raise InvalidData("the field id given seems to be invalid", id=str(field_id))
    if not target.custom:
        raise NotAllowed("standard fields cannot be deleted", api_name=target.api_name)
    now = to_storage(runtime.clock.now())
    with runtime.db.write_org(caller.org.id) as scope:
        scope.execute(scope.delete(fields).where(fields.c.id == field_id))
        if target.lookup_module and not target.is_user_lookup:
            _drop_related_list(scope, module, target.api_name, now)
        touch_metadata(scope, module.id, now)
    runtime.metadata.invalidate(caller.org.id)
    return {
        "code": "SUCCESS",
        "details": {"id": str(field_id)},
        "message": "field deleted",
        "status": "success",
    }
