"""In-memory views of an org's module and field rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# Field types whose stored value is a record or user id.
LOOKUP_TYPES = frozenset({"lookup", "ownerlookup", "userlookup"})
NUMBER_TYPES = frozenset({"integer", "bigint", "double", "currency", "percent"})
TEXT_TYPES = frozenset(
    {"text", "textarea", "email", "phone", "website", "autonumber", "picklist", "profileimage"}
)


@dataclass(frozen=True, slots=True)
class PicklistValue:
    display_value: str
    actual_value: str
    sequence_number: int
    id: int
    extra: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "display_value": self.display_value,
            "sequence_number": self.sequence_number,
            "reference_value": self.display_value,
            "colour_code": None,
            "actual_value": self.actual_value,
            "id": str(self.id),
            "type": "used",
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class Field:
    id: int
    module_id: int
    api_name: str
    label: str
    data_type: str
    length: int | None
    decimal_place: int | None
    mandatory: bool
    read_only: bool
    unique: bool
    custom: bool
    system_column: bool
    searchable: bool
    lookup_module: str | None
    multi_module: tuple[str, ...]
    picklist: tuple[PicklistValue, ...]
    default: Any
    textarea_type: str | None
    sequence: int
    created_time: str
    modified_time: str

    @cached_property
    def picklist_by_value(self) -> dict[str, str]:
        """Every accepted spelling (display or actual value) -> the stored actual value."""
        out: dict[str, str] = {}
        for option in self.picklist:
            out[option.display_value] = option.actual_value
            out[option.actual_value] = option.actual_value
        return out

    @property
    def is_lookup(self) -> bool:
        return self.data_type in LOOKUP_TYPES

    @property
    def is_user_lookup(self) -> bool:
        return self.data_type in ("ownerlookup", "userlookup")

    @property
    def is_multi_module(self) -> bool:
        return bool(self.multi_module)


@dataclass(frozen=True)
class RelatedList:
    api_name: str
    module: str  # child module api name
    field: str  # the child's lookup field that points back
    label: str
    id: int
    sequence: int


@dataclass(frozen=True)
class Module:
    id: int
    api_name: str
    module_name: str
    singular_label: str
    plural_label: str
    generated_type: str
    api_supported: bool
    creatable: bool
    searchable: bool
    upsert_supported: bool
    display_field: str
    duplicate_check_field: str | None
    scope_name: str
    sequence: int
    related_lists: tuple[RelatedList, ...]
    created_time: str
    modified_time: str
    fields: tuple[Field, ...] = ()
    by_name: dict[str, Field] = field(default_factory=dict)

    def field(self, api_name: str) -> Field | None:
        return self.by_name.get(api_name)

    @cached_property
    def document_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.system_column)

    @cached_property
    def unique_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.unique)

    @cached_property
    def mandatory_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.mandatory)

    def related_list(self, api_name: str) -> RelatedList | None:
        for rel in self.related_lists:
            if rel.api_name == api_name:
                return rel
        lowered = api_name.lower()
        for rel in self.related_lists:
            if rel.api_name.lower() == lowered:
                return rel
        return None


@dataclass(frozen=True)
class OrgMetadata:
    """All modules of one org at one metadata version."""

    version: int
    modules: tuple[Module, ...]

    @cached_property
    def by_name(self) -> dict[str, Module]:
        return {m.api_name: m for m in self.modules}

    @cached_property
    def by_lower_name(self) -> dict[str, Module]:
        return {m.api_name.lower(): m for m in self.modules}

    @cached_property
    def by_id(self) -> dict[int, Module]:
        return {m.id: m for m in self.modules}

    def module(self, api_name: str) -> Module | None:
        found = self.by_name.get(api_name)
        if found is None:
            found = self.by_lower_name.get(api_name.lower())
        return found
