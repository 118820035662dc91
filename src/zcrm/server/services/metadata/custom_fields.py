"""Creating, changing and deleting custom fields (``/settings/fields``).

Rules follow reference §6.4: up to 5 fields a call; lengths per type; api names from
the label (spaces to ``_``, other characters dropped, case kept) with a ``__c`` suffix
unless the org turned it off (``orgs.settings["custom_field_suffix"] = false``, like
live Zoho); a clash gets a number; at most 2 unique fields and 1 auto-number per
module; the plan's cap on custom fields per module.

Every change bumps ``orgs.metadata_version`` and the module's ``modified_time`` in the
same transaction, so the next request of every process sees the new field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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
from zcrm.server.services.metadata.model import API_NAME, Field, Module, OrgMetadata
from zcrm.server.services.metadata.seed import field_row
from zcrm.server.services.oauth import forget_callers
from zcrm.server.services.plans import resolve_plan
from zcrm.server.storage.indexes import ensure_field_index
from zcrm.server.storage.schema import fields, modules, orgs
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage

JsonObject = dict[str, Any]

MAX_PER_CALL = 5
MAX_UNIQUE = 2
MAX_AUTONUMBER = 1
MAX_LABEL = 100
MAX_API_NAME = 100
SUFFIX = "__c"
FIELD_ID_SEGMENT = 2  # /settings/fields/{id}
# data type -> (min length, max length, default length); None: the type has no length
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
SUPPORTED_TYPES = sorted(LENGTHS)
TEXTAREA_LENGTHS = {"small": 2000, "large": 32000, "rich_text": 50000}
UNIQUE_TYPES = frozenset(
    {"text", "email", "phone", "website", "integer", "bigint", "double", "currency", "percent"}
)
DECIMAL_TYPES = frozenset({"double", "currency", "percent"})
PICKLIST_TYPES = frozenset({"picklist", "multiselectpicklist"})
RESERVED = frozenset(
    word.lower()
    for word in (
        # COQL / criteria keywords
        *("select", "from", "where", "and", "or", "not", "in", "like", "between", "is"),
        *("null", "order", "by", "group", "limit", "offset", "asc", "desc", "true", "false"),
        # names every record already has, or that the API uses for itself
        *("id", "Owner", "Created_By", "Modified_By", "Created_Time", "Modified_Time"),
        *("Tag", "Layout", "data", "info"),
    )
)


def _path(index: int, key: str) -> str:
    return f"$.fields[{index}].{key}"


def _success(field_id: int, message: str) -> JsonObject:
    return {
        "code": "SUCCESS",
        "details": {"id": str(field_id)},
        "message": message,
        "status": "success",
    }


# --- reading a request --------------------------------------------------------------------------


def api_name_from_label(label: str) -> str:
    """``"Renewal Date (EU)"`` -> ``"Renewal_Date_EU"``: spaces to ``_``, the rest dropped."""
    kept = re.sub(r"[^A-Za-z0-9_ ]", "", label).strip()
    name = re.sub(r"\s+", "_", kept)
    if name and not name[0].isalpha():
        name = "F_" + name  # an api name starts with a letter
    return name


def unique_api_name(base: str, suffix: str, taken: set[str]) -> str:
    """``base + suffix``, numbered (``Name1__c``, ``Name2__c``…) past the names ``taken``."""
    lowered = {t.lower() for t in taken}
    number = 0
    while True:
        tail = (str(number) if number else "") + suffix
        candidate = base[: MAX_API_NAME - len(tail)] + tail
        if candidate.lower() not in lowered:
            return candidate
        number += 1


def parse_request(index: int, raw: Any, suffix: bool, taken: set[str]) -> FieldSpec:
    """One element of ``fields[]`` as a field spec, or the Zoho error that rejects it."""
    if not isinstance(raw, dict):
        raise InvalidData(expected_data_type="jsonobject", json_path=f"$.fields[{index}]")
    label = _label(index, raw)
    data_type = raw.get("data_type")
    if data_type is None:
        raise MandatoryNotFound(api_name="data_type", json_path=_path(index, "data_type"))
    if data_type not in LENGTHS:
        raise InvalidData(
            api_name="data_type",
            json_path=_path(index, "data_type"),
            supported_values=SUPPORTED_TYPES,
        )
    api_name = _api_name(index, raw, label, suffix, taken)
    length, textarea_type = _length(index, raw, data_type)
    unique = bool(raw.get("unique"))
    if unique and data_type not in UNIQUE_TYPES:
        raise InvalidData(
            "this data type cannot be unique", api_name="unique", json_path=_path(index, "unique")
        )
    return FieldSpec(
        api_name=api_name,
        label=label,
        data_type=data_type,
        length=length,
        unique=unique,
        picklist=_picklist(index, raw, data_type) if data_type in PICKLIST_TYPES else (),
        lookup_module=_lookup_target(index, raw) if data_type == "lookup" else None,
        decimal_place=_decimal_place(index, raw) if data_type in DECIMAL_TYPES else None,
        read_only=data_type == "autonumber",
        textarea_type=textarea_type,
    )


def _label(index: int, raw: JsonObject) -> str:
    label = raw.get("field_label", raw.get("display_label"))
    if label is None or (isinstance(label, str) and not label.strip()):
        raise MandatoryNotFound(api_name="field_label", json_path=_path(index, "field_label"))
    if not isinstance(label, str):
        raise InvalidData(
            api_name="field_label",
            json_path=_path(index, "field_label"),
            expected_data_type="string",
        )
    if len(label.strip()) > MAX_LABEL:
        raise InvalidData(
            api_name="field_label", json_path=_path(index, "field_label"), maximum_length=MAX_LABEL
        )
    return label.strip()


def _api_name(index: int, raw: JsonObject, label: str, suffix: bool, taken: set[str]) -> str:
    given = raw.get("api_name")
    if given is not None:
        if not isinstance(given, str) or not API_NAME.match(given) or len(given) > MAX_API_NAME:
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
    return unique_api_name(base, SUFFIX if suffix else "", taken)


def _length(index: int, raw: JsonObject, data_type: str) -> tuple[int | None, str | None]:
    if data_type == "textarea":
        textarea = raw.get("textarea")
        kind = textarea.get("type", "large") if isinstance(textarea, dict) else "large"
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


def _decimal_place(index: int, raw: JsonObject) -> int:
    places = raw.get("decimal_place", 2)
    if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 9:
        raise InvalidData(api_name="decimal_place", json_path=_path(index, "decimal_place"))
    return places


def _picklist(index: int, raw: JsonObject, data_type: str) -> tuple[PicklistOption, ...]:
    values = raw.get("pick_list_values")
    if not isinstance(values, list) or not values:
        raise MandatoryNotFound(
            api_name="pick_list_values", json_path=_path(index, "pick_list_values")
        )
    out: list[PicklistOption] = []
    seen: set[str] = set()
    for position, value in enumerate(values):
        where = _path(index, f"pick_list_values[{position}]")
        text = value.get("display_value") if isinstance(value, dict) else value
        actual = value.get("actual_value", text) if isinstance(value, dict) else text
        if not isinstance(text, str) or not text.strip() or not isinstance(actual, str):
            raise InvalidData(api_name="pick_list_values", json_path=where)
        if len(text) > 120 or len(actual) > 120:
            raise InvalidData(api_name="pick_list_values", json_path=where, maximum_length=120)
        if text in seen:
            raise DuplicateData(api_name="pick_list_values", json_path=where)
        seen.add(text)
        out.append(PicklistOption(text, actual))
    if data_type == "picklist" and "-None-" not in seen:
        out.insert(0, PicklistOption("-None-", "-None-"))
    return tuple(out)


def _lookup_target(index: int, raw: JsonObject) -> str:
    lookup = raw.get("lookup")
    target = None
    if isinstance(lookup, dict):
        module = lookup.get("module")
        target = module.get("api_name") if isinstance(module, dict) else module
    if not isinstance(target, str) or not target:
        raise MandatoryNotFound(api_name="lookup", json_path=_path(index, "lookup.module"))
    return target


# --- creating -----------------------------------------------------------------------------------


def _org_settings(runtime: Runtime, org_id: int) -> JsonObject:
    with runtime.db.read() as conn:
        settings = conn.execute(select(orgs.c.settings).where(orgs.c.id == org_id)).scalar()
    return dict(settings or {})


class _Budget:
    """What a module may still take: unique fields, custom auto-numbers, custom fields."""

    def __init__(self, module: Module, custom_cap: int) -> None:
        self.unique = len(module.unique_fields)
        self.autonumber = sum(1 for f in module.fields if f.custom and f.data_type == "autonumber")
        self.custom = sum(1 for f in module.fields if f.custom)
        self.custom_cap = custom_cap

    def take(self, index: int, spec: FieldSpec) -> None:
        if self.custom >= self.custom_cap:
            raise LimitExceeded(
                "maximum custom fields reached for the edition",
                api_name="fields",
                json_path=f"$.fields[{index}]",
                limit=self.custom_cap,
            )
        if spec.unique and self.unique >= MAX_UNIQUE:
            raise LimitExceeded(
                "maximum unique fields reached",
                api_name="unique",
                json_path=_path(index, "unique"),
                limit=MAX_UNIQUE,
            )
        if spec.data_type == "autonumber" and self.autonumber >= MAX_AUTONUMBER:
            raise LimitExceeded(
                "maximum auto-number fields reached",
                api_name="data_type",
                json_path=_path(index, "data_type"),
                limit=MAX_AUTONUMBER,
            )
        self.custom += 1
        self.unique += spec.unique
        self.autonumber += spec.data_type == "autonumber"


def _resolve_target(meta: OrgMetadata, index: int, spec: FieldSpec) -> FieldSpec:
    if spec.lookup_module is None:
        return spec
    target = meta.module(spec.lookup_module)
    if target is None or not target.api_supported:
        raise InvalidData(
            "the lookup module given seems to be invalid",
            api_name="lookup",
            json_path=_path(index, "lookup.module"),
        )
    return replace(spec, lookup_module=target.api_name)


def create_fields(
    runtime: Runtime, caller: Caller, module: Module, items: list[Any]
) -> list[JsonObject]:
    """Per-item results in request order; the good items are created together."""
    if len(items) > MAX_PER_CALL:
        raise LimitExceeded(api_name="fields", json_path="$.fields", limit=MAX_PER_CALL)
    org_id = caller.org.id
    settings = _org_settings(runtime, org_id)
    suffix = bool(settings.get("custom_field_suffix", True))
    budget = _Budget(
        module, resolve_plan(caller.org.plan, settings.get("limits")).custom_fields_per_module
    )
    meta = runtime.metadata.get(org_id, caller.org.metadata_version)
    taken = {f.api_name for f in module.fields}
    results: list[JsonObject | None] = [None] * len(items)
    accepted: list[tuple[int, FieldSpec]] = []
    for index, raw in enumerate(items):
        try:
            spec = _resolve_target(meta, index, parse_request(index, raw, suffix, taken))
            budget.take(index, spec)
        except ZohoError as error:
            results[index] = error.to_json()
            continue
        taken.add(spec.api_name)
        accepted.append((index, spec))
    if accepted:
        try:
            created = _insert_fields(runtime, caller, meta, module, accepted)
        except IntegrityError:  # another request took one of these api names meanwhile
            created = {i: DuplicateData(api_name="api_name").to_json() for i, _ in accepted}
        for index, result in created.items():
            results[index] = result
    return [r for r in results if r is not None]


def _insert_fields(
    runtime: Runtime,
    caller: Caller,
    meta: OrgMetadata,
    module: Module,
    accepted: list[tuple[int, FieldSpec]],
) -> dict[int, JsonObject]:
    org_id = caller.org.id
    # Ids first: on SQLite a reservation inside the write transaction would wait on itself.
    pool = runtime.ids.allocate(
        org_id, caller.org.id_prefix, sum(2 + len(spec.picklist) for _, spec in accepted)
    )
    now = to_storage(runtime.clock.now())
    new_ids = _pool_source(pool)
    out: dict[int, JsonObject] = {}
    with runtime.db.write_org(org_id) as scope:
        sequence = max((f.sequence for f in module.fields), default=0)
        for index, spec in accepted:
            sequence += 1
            row = field_row(spec, module.id, sequence, new_ids, now, custom=True)
            scope.insert(fields, row)
            related_list_id = new_ids(1)[0]
            if spec.lookup_module:
                parent = meta.module(spec.lookup_module)
                if parent is not None:
                    _add_related_list(scope, parent, module, spec, related_list_id, now)
            if spec.unique or spec.lookup_module:  # the values queries and checks look up
                ensure_field_index(scope.conn, spec)
            out[index] = _success(row["id"], "field created")
        touch_metadata(scope, module.id, now)
    runtime.metadata.invalidate(org_id)
    return out


def _pool_source(pool: list[int]) -> Callable[[int], list[int]]:
    def take(count: int) -> list[int]:
        taken = pool[:count]
        del pool[:count]
        return taken

    return take


def _add_related_list(
    scope: OrgScope, parent: Module, child: Module, spec: FieldSpec, rel_id: int, now: str
) -> None:
    """The lookup's reverse side: ``parent`` records list the ``child`` records pointing at them."""
    existing = list(
        scope.scalar(
            scope.select(modules, modules.c.related_lists).where(modules.c.id == parent.id)
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
            "label": child.plural_label
            if name == child.api_name
            else f"{child.plural_label} ({spec.label})",
            "id": str(rel_id),
            "sequence": max((int(r.get("sequence", 0)) for r in existing), default=0) + 1,
        }
    )
    scope.execute(
        scope.update(modules)
        .where(modules.c.id == parent.id)
        .values(related_lists=existing, modified_time=now)
    )


def _drop_related_lists(scope: OrgScope, child: Module, field_name: str, now: str) -> None:
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


def touch_metadata(scope: OrgScope, module_id: int, now: str) -> None:
    """Mark the module changed and bump the org's metadata version (every process reloads)."""
    forget_callers()
    scope.execute(scope.update(modules).where(modules.c.id == module_id).values(modified_time=now))
    scope.execute(
        orgs.update()
        .where(orgs.c.id == scope.org_id)
        .values(metadata_version=orgs.c.metadata_version + 1)
    )


# --- changing and deleting ----------------------------------------------------------------------


def _field(module: Module, field_id: int) -> Field:
    found = next((f for f in module.fields if f.id == field_id), None)
    if found is None:
        raise InvalidData("the id given seems to be invalid", resource_path_index=FIELD_ID_SEGMENT)
    return found


def update_field(
    runtime: Runtime, caller: Caller, module: Module, field_id: int, raw: Any
) -> JsonObject:
    """Change the label, the length (custom fields) or the picklist options of a field."""
    target = _field(module, field_id)
    if not isinstance(raw, dict):
        raise InvalidData(expected_data_type="jsonobject", json_path="$.fields[0]")
    changes: JsonObject = {}
    if "field_label" in raw or "display_label" in raw:
        changes["field_label"] = _label(0, raw)
    if "length" in raw:
        if not target.custom or LENGTHS.get(target.data_type) is None:
            raise NotAllowed(
                "the length of this field cannot be changed",
                api_name="length",
                json_path=_path(0, "length"),
            )
        changes["length"] = _length(0, raw, target.data_type)[0]
    if "pick_list_values" in raw:
        if target.data_type not in PICKLIST_TYPES:
            raise InvalidData(api_name="pick_list_values", json_path=_path(0, "pick_list_values"))
        changes["pick_list_values"] = _merged_options(
            runtime, caller, target, _picklist(0, raw, target.data_type)
        )
    if not changes:
        raise MandatoryNotFound(api_name="field_label", json_path=_path(0, "field_label"))
    now = to_storage(runtime.clock.now())
    with runtime.db.write_org(caller.org.id) as scope:
        scope.execute(
            scope.update(fields).where(fields.c.id == field_id).values(modified_time=now, **changes)
        )
        touch_metadata(scope, module.id, now)
    runtime.metadata.invalidate(caller.org.id)
    return _success(field_id, "field updated")


def _merged_options(
    runtime: Runtime, caller: Caller, target: Field, options: tuple[PicklistOption, ...]
) -> list[JsonObject]:
    """The new option list; options kept from the old one keep their ids and extra keys."""
    old = {o.display_value: o for o in target.picklist}
    fresh = runtime.ids.allocate(
        caller.org.id, caller.org.id_prefix, sum(1 for o in options if o.display_value not in old)
    )
    out = []
    for number, option in enumerate(options, start=1):
        kept = old.get(option.display_value)
        out.append(
            {
                "display_value": option.display_value,
                "actual_value": option.value,
                "sequence_number": number,
                "id": str(kept.id) if kept else str(fresh.pop(0)),
                "extra": dict(kept.extra) if kept else {},
            }
        )
    return out


def delete_field(runtime: Runtime, caller: Caller, module: Module, field_id: int) -> JsonObject:
    """Remove a custom field, and the related list its lookup added."""
    target = _field(module, field_id)
    if not target.custom:
        raise NotAllowed(
            "standard fields cannot be deleted",
            id=str(field_id),
            resource_path_index=FIELD_ID_SEGMENT,
        )
    now = to_storage(runtime.clock.now())
    with runtime.db.write_org(caller.org.id) as scope:
        scope.execute(scope.delete(fields).where(fields.c.id == field_id))
        if target.lookup_module and not target.is_user_lookup:
            _drop_related_lists(scope, module, target.api_name, now)
        touch_metadata(scope, module.id, now)
    runtime.metadata.invalidate(caller.org.id)
    return _success(field_id, "field deleted")
