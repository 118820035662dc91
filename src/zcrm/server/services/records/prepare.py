"""Turns one record of a write request into a validated change, or a per-record error.

Checks that need no database: the element is an object, its values fit their
fields' types, mandatory fields are present. Lookups are collected for the batch
check in :mod:`zcrm.server.services.records.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zcrm.server.errors import InvalidData, MandatoryNotFound, ZohoError
from zcrm.server.services.metadata.model import Field, Module
from zcrm.server.services.records.values import coerce, lookup_id

SE_MODULE = "$se_module"
MODULE_SUFFIX = "$module"  # document key holding a multi-module lookup's module


@dataclass
class LookupRef:
    field: Field
    target_id: int
    module: str | None  # target module api name; None = infer from the field's modules
    json_path: str


@dataclass
class Change:
    """A validated record write: the document keys to set, and what to verify."""

    index: int
    values: dict[str, Any]  # document keys -> stored values (None clears)
    owner_id: int | None = None
    lookups: list[LookupRef] = field(default_factory=list)
    users: list[LookupRef] = field(default_factory=list)
    append: set[str] = field(default_factory=set)  # multi-selects to extend, not replace
    record_id: int | None = None  # updates: the record being changed

    @property
    def changed_fields(self) -> list[str]:
        names = [k for k in self.values if not k.endswith(MODULE_SUFFIX)]
        if self.owner_id is not None:
            names.append("Owner")
        return names


def json_path(index: int, api_name: str) -> str:
    return f"$.data[{index}].{api_name}"


def prepare(module: Module, index: int, record: Any, *, inserting: bool) -> Change:
    """Validate one element of ``data``; raises a :class:`ZohoError` for the first problem."""
    if not isinstance(record, dict):
        raise InvalidData(expected_data_type="jsonobject", json_path=f"$.data[{index}]")
    if inserting:
        _check_mandatory_present(module, index, record)
    change = Change(index=index, values={})
    append_values = record.get("$append_values")
    if isinstance(append_values, dict):
        change.append = {k for k, v in append_values.items() if v is True}
    for key, raw in record.items():
        if key == "Owner":
            change.owner_id = _owner(module, index, raw, change)
            continue
        target = module.by_name.get(key)
        if target is None or target.read_only or target.system_column:
            continue  # unknown, read-only and server-owned keys are ignored, as Zoho does
        try:
            stored = coerce(target, raw)
        except ZohoError as error:
            raise error.with_details(api_name=key, json_path=json_path(index, key)) from None
        if stored is None and target.mandatory:
            raise MandatoryNotFound(api_name=key, json_path=json_path(index, key))
        change.values[key] = stored
        if target.is_lookup and stored is not None:
            ref = LookupRef(target, stored, None, json_path(index, key))
            if target.is_user_lookup:
                change.users.append(ref)
            else:
                ref.module = _lookup_module(target, raw, record)
                change.lookups.append(ref)
                if target.is_multi_module:
                    change.values[key + MODULE_SUFFIX] = ref.module
        elif target.is_multi_module and stored is None:
            change.values[key + MODULE_SUFFIX] = None
    return change


def _owner(module: Module, index: int, raw: Any, change: Change) -> int | None:
    path = json_path(index, "Owner")
    if raw is None:
        raise MandatoryNotFound(api_name="Owner", json_path=path)
    owner = lookup_id(raw)
    if owner is None:
        raise InvalidData(expected_data_type="jsonobject", api_name="Owner", json_path=path)
    owner_field = module.by_name.get("Owner")
    if owner_field is not None:
        change.users.append(LookupRef(owner_field, owner, "users", path))
    return owner


def _lookup_module(target: Field, raw: Any, record: dict[str, Any]) -> str | None:
    if not target.is_multi_module:
        return target.lookup_module
    named: Any = None
    if isinstance(raw, dict):
        module_ref = raw.get("module")
        named = module_ref.get("api_name") if isinstance(module_ref, dict) else module_ref
    if not named:
        named = record.get(SE_MODULE) or record.get("se_module")
    return named if isinstance(named, str) and named else None


def _check_mandatory_present(module: Module, index: int, record: dict[str, Any]) -> None:
    for required in module.mandatory_fields:
        value = record.get(required.api_name)
        if (
            value is None
            or value == ""
            or value == []
            or (isinstance(value, dict) and not value.get("id") and required.is_lookup)
        ):
            raise MandatoryNotFound(
                api_name=required.api_name, json_path=json_path(index, required.api_name)
            )
