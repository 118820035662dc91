"""The declarative vocabulary of the standard-module catalogue.

A :class:`ModuleSpec` lists a module's fields as :class:`FieldSpec` values. The
catalogue is data: :mod:`zcrm.server.services.org_setup` turns it into module and
field rows for each new org, and from then on everything (validation,
serialisation, metadata endpoints, queries) reads the rows, never this module.

The helpers at the bottom (``text``, ``picklist``, ``lookup``, …) keep the
catalogue files short and readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Zoho's data_type -> json_type (what the metadata endpoint reports).
JSON_TYPES: dict[str, str] = {
    "text": "string",
    "textarea": "string",
    "email": "string",
    "phone": "string",
    "website": "string",
    "picklist": "string",
    "multiselectpicklist": "jsonarray",
    "integer": "integer",
    "bigint": "string",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "boolean": "boolean",
    "date": "string",
    "datetime": "string",
    "lookup": "jsonobject",
    "ownerlookup": "jsonobject",
    "userlookup": "jsonobject",
    "autonumber": "string",
    "profileimage": "string",
    "layout": "jsonobject",
    "multiselectlookup": "jsonarray",
    "multiuserlookup": "jsonarray",
    "subform": "jsonarray",
    "fileupload": "jsonarray",
    "imageupload": "jsonarray",
    "formula": "string",
    "territories": "jsonarray",
    "multireminder": "jsonarray",
    "RRULE": "jsonobject",  # Recurring_Activity: {"RRULE": "FREQ=DAILY;…"}
    "ALARM": "jsonobject",  # Tasks' Remind_At: {"ALARM": "ACTION=EMAIL;TRIGGER=-P1D"}
    "event_reminder": "string",
    "jsonobject": "jsonobject",
    "jsonarray": "jsonarray",
}

# Default lengths (the largest Zoho accepts for the type) when a field gives none.
DEFAULT_LENGTHS: dict[str, int] = {
    "text": 255,
    "textarea": 32000,
    "email": 100,
    "phone": 30,
    "website": 255,
    "picklist": 120,
    "integer": 9,
    "bigint": 18,
    "double": 16,
    "currency": 16,
    "percent": 5,
    "autonumber": 255,
}


@dataclass(frozen=True)
class PicklistOption:
    display_value: str
    actual_value: str | None = None
    # Extra keys shown on the option (Deals.Stage: probability, forecast_type, forecast_category).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> str:
        return self.actual_value if self.actual_value is not None else self.display_value


@dataclass(frozen=True)
class FieldSpec:
    api_name: str
    label: str
    data_type: str
    length: int | None = None
    mandatory: bool = False  # system_mandatory: enforced on insert through the API
    read_only: bool = False  # the server computes or owns the value
    unique: bool = False
    picklist: tuple[PicklistOption, ...] = ()
    lookup_module: str | None = None  # target module of a lookup field
    multi_module: tuple[str, ...] = ()  # What_Id / Parent_Id: the modules allowed
    decimal_place: int | None = None
    system: bool = False  # Owner, Created_Time, ...: kept in real columns, not the document
    default: Any = None  # value written on insert when the field is absent
    searchable: bool = True
    textarea_type: str | None = None  # small | large | rich_text

    @property
    def json_type(self) -> str:
        return JSON_TYPES.get(self.data_type, "string")

    @property
    def effective_length(self) -> int | None:
        if self.length is not None:
            return self.length
        return DEFAULT_LENGTHS.get(self.data_type)


@dataclass(frozen=True)
class RelatedListSpec:
    """A related list shown on a module's records, e.g. Accounts -> Contacts.

    ``module`` is the child module, ``field`` its lookup field that points back.
    """

    api_name: str
    module: str
    field: str
    label: str | None = None


@dataclass(frozen=True)
class ModuleSpec:
    api_name: str
    module_name: str
    singular_label: str
    plural_label: str
    display_field: str  # the field whose value is a lookup's "name"
    fields: tuple[FieldSpec, ...]
    duplicate_check_field: str | None = None  # the system duplicate-check field for upsert
    related_lists: tuple[RelatedListSpec, ...] = ()
    api_supported: bool = True
    creatable: bool = True
    searchable: bool = True
    upsert_supported: bool = True
    scope_name: str | None = (
        None  # scope segment, e.g. "leads", "pricebooks"; default lower-case api name
    )


# --- helpers that keep catalogue files short ---------------------------------------------------


def text(api_name: str, label: str, length: int = 255, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "text", length=length, **kw)


def textarea(api_name: str, label: str, length: int = 32000, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "textarea", length=length, textarea_type="large", **kw)


def email(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "email", length=100, **kw)


def phone(api_name: str, label: str, length: int = 30, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "phone", length=length, **kw)


def website(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "website", length=255, **kw)


def integer(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "integer", length=9, **kw)


def bigint(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "bigint", length=18, **kw)


def double(api_name: str, label: str, decimal_place: int = 2, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "double", length=16, decimal_place=decimal_place, **kw)


def currency(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "currency", length=16, decimal_place=2, **kw)


def percent(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "percent", length=5, decimal_place=2, **kw)


def boolean(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "boolean", **kw)


def date(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "date", **kw)


def datetime_(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "datetime", **kw)


def picklist(
    api_name: str, label: str, values: Sequence[str | PicklistOption], **kw: Any
) -> FieldSpec:
    options = tuple(v if isinstance(v, PicklistOption) else PicklistOption(v) for v in values)
    return FieldSpec(api_name, label, "picklist", picklist=options, **kw)


def multiselect(
    api_name: str, label: str, values: Sequence[str | PicklistOption], **kw: Any
) -> FieldSpec:
    options = tuple(v if isinstance(v, PicklistOption) else PicklistOption(v) for v in values)
    return FieldSpec(api_name, label, "multiselectpicklist", picklist=options, **kw)


def lookup(api_name: str, label: str, module: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "lookup", lookup_module=module, **kw)


def multi_lookup(api_name: str, label: str, modules: list[str], **kw: Any) -> FieldSpec:
    """A multi-module lookup (``What_Id``, ``Parent_Id``): ``{"id"}`` plus ``$se_module``."""
    return FieldSpec(api_name, label, "lookup", multi_module=tuple(modules), **kw)


def userlookup(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "userlookup", lookup_module="users", **kw)


def autonumber(api_name: str, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(api_name, label, "autonumber", read_only=True, **kw)


def audit_fields() -> tuple[FieldSpec, ...]:
    """The system fields every record module has, kept in real columns."""
    return (
        FieldSpec("Owner", "Owner", "ownerlookup", lookup_module="users", system=True),
        FieldSpec(
            "Created_By",
            "Created By",
            "ownerlookup",
            lookup_module="users",
            system=True,
            read_only=True,
        ),
        FieldSpec(
            "Modified_By",
            "Modified By",
            "ownerlookup",
            lookup_module="users",
            system=True,
            read_only=True,
        ),
        FieldSpec("Created_Time", "Created Time", "datetime", system=True, read_only=True),
        FieldSpec("Modified_Time", "Modified Time", "datetime", system=True, read_only=True),
        FieldSpec("Tag", "Tag", "text", system=True, read_only=True, searchable=False),
    )
