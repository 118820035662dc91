"""Invariants of the standard-module catalogue."""

from __future__ import annotations

from collections import Counter

import pytest

from zcrm.server.catalogue import spec
from zcrm.server.catalogue.spec import FieldSpec, ModuleSpec
from zcrm.server.catalogue.standard import STANDARD_MODULES

MODULES = {m.api_name: m for m in STANDARD_MODULES}
AUDIT = tuple(f.api_name for f in spec.audit_fields())

REQUIRED_MODULES = {
    "Leads",
    "Contacts",
    "Accounts",
    "Deals",
    "Tasks",
    "Calls",
    "Events",
    "Products",
    "Campaigns",
    "Cases",
    "Notes",
    "Vendors",
    "Solutions",
    "Price_Books",
}

MANDATORY = {
    "Leads": {"Last_Name"},
    "Contacts": {"Last_Name"},
    "Accounts": {"Account_Name"},
    "Deals": {"Deal_Name", "Stage"},
    "Tasks": {"Subject"},
    "Calls": {"Subject", "Call_Type", "Call_Start_Time"},
    "Events": {"Event_Title", "Start_DateTime", "End_DateTime"},
    "Products": {"Product_Name"},
    "Campaigns": {"Campaign_Name"},
    "Cases": {"Subject", "Status", "Case_Origin"},
    "Notes": {"Note_Content", "Parent_Id"},
    "Vendors": {"Vendor_Name"},
    "Solutions": {"Solution_Title"},
    "Price_Books": {"Price_Book_Name"},
}

DISPLAY_FIELDS = {
    "Leads": "Full_Name",
    "Contacts": "Full_Name",
    "Accounts": "Account_Name",
    "Deals": "Deal_Name",
    "Tasks": "Subject",
    "Calls": "Subject",
    "Events": "Event_Title",
    "Products": "Product_Name",
    "Campaigns": "Campaign_Name",
    "Cases": "Subject",
    "Notes": "Note_Title",
    "Vendors": "Vendor_Name",
    "Solutions": "Solution_Title",
    "Price_Books": "Price_Book_Name",
}

DUPLICATE_CHECK = {
    "Leads": "Email",
    "Contacts": "Email",
    "Accounts": "Account_Name",
    "Deals": "Deal_Name",
    "Campaigns": "Campaign_Name",
    "Cases": "Subject",
    "Solutions": "Solution_Title",
    "Products": "Product_Name",
    "Vendors": "Vendor_Name",
    "Price_Books": "Price_Book_Name",
}

NO_UPSERT = {"Tasks", "Calls", "Events", "Notes"}

per_module = pytest.mark.parametrize("module", STANDARD_MODULES, ids=lambda m: m.api_name)


def fields_of(module: ModuleSpec) -> dict[str, FieldSpec]:
    return {f.api_name: f for f in module.fields}


def lookup_targets(f: FieldSpec) -> tuple[str, ...]:
    if f.multi_module:
        return f.multi_module
    return (f.lookup_module,) if f.lookup_module else ()


# --- catalogue-wide -----------------------------------------------------------------------------


def test_module_api_names_are_unique() -> None:
    counts = Counter(m.api_name for m in STANDARD_MODULES)
    assert [name for name, n in counts.items() if n > 1] == []


def test_module_names_are_unique() -> None:
    counts = Counter(m.module_name for m in STANDARD_MODULES)
    assert [name for name, n in counts.items() if n > 1] == []


def test_required_modules_present() -> None:
    assert set(MODULES) >= REQUIRED_MODULES


def test_events_are_meetings() -> None:
    events = MODULES["Events"]
    assert (events.module_name, events.singular_label, events.plural_label) == (
        "Meetings",
        "Meeting",
        "Meetings",
    )
    assert MODULES["Deals"].module_name == "Deals"
    assert MODULES["Price_Books"].scope_name == "pricebooks"


def test_deal_stages() -> None:
    stage = fields_of(MODULES["Deals"])["Stage"]
    by_display = {o.display_value: o for o in stage.picklist}
    decision = by_display["Identify Decision Makers"]
    assert decision.value == "Id. Decision Makers"
    assert decision.extra == {
        "probability": 60,
        "forecast_type": "Open",
        "forecast_category": {"name": "Pipeline"},
    }
    assert by_display["Closed Won"].extra["probability"] == 100
    assert by_display["Closed Won"].extra["forecast_type"] == "Closed Won"
    assert by_display["Closed Lost"].extra["forecast_category"] == {"name": "Omitted"}
    for option in stage.picklist:
        assert set(option.extra) == {"probability", "forecast_type", "forecast_category"}
        assert 0 <= option.extra["probability"] <= 100


def test_computed_fields() -> None:
    for name in ("Leads", "Contacts"):
        full_name = fields_of(MODULES[name])["Full_Name"]
        assert (full_name.data_type, full_name.read_only) == ("text", True)
    deals = fields_of(MODULES["Deals"])
    assert (deals["Expected_Revenue"].data_type, deals["Expected_Revenue"].read_only) == (
        "currency",
        True,
    )
    assert (deals["Probability"].data_type, deals["Probability"].read_only) == ("integer", False)
    converted = fields_of(MODULES["Leads"])["Converted__s"]
    assert (converted.data_type, converted.read_only, converted.default) == (
        "boolean",
        True,
        False,
    )
    case_number = fields_of(MODULES["Cases"])["Case_Number"]
    assert (case_number.data_type, case_number.read_only) == ("autonumber", True)
    assert fields_of(MODULES["Calls"])["Call_Duration"].mandatory is False


def test_notes_parent_modules_have_notes_related_list() -> None:
    parent = fields_of(MODULES["Notes"])["Parent_Id"]
    assert parent.multi_module
    for name in parent.multi_module:
        related = {(r.api_name, r.module, r.field) for r in MODULES[name].related_lists}
        assert ("Notes", "Notes", "Parent_Id") in related, name


@pytest.mark.parametrize("activity", ["Tasks", "Calls", "Events"])
def test_activity_targets_have_activity_related_lists(activity: str) -> None:
    fields = fields_of(MODULES[activity])
    for field_name in ("What_Id", "Who_Id"):
        for target in lookup_targets(fields[field_name]):
            related = {(r.module, r.field) for r in MODULES[target].related_lists}
            assert (activity, field_name) in related, (target, field_name)


def test_every_writable_lookup_has_a_related_list() -> None:
    """X.F -> Y (single module, writable, not a self-reference) shows up as a list on Y."""
    for child in STANDARD_MODULES:
        for f in child.fields:
            if f.data_type != "lookup" or f.multi_module or f.read_only:
                continue
            if f.lookup_module == child.api_name:
                continue
            parent = MODULES[f.lookup_module or ""]
            related = {(r.module, r.field) for r in parent.related_lists}
            assert (child.api_name, f.api_name) in related, (child.api_name, f.api_name)


# --- per module ---------------------------------------------------------------------------------


@per_module
def test_starts_with_audit_fields(module: ModuleSpec) -> None:
    assert tuple(f.api_name for f in module.fields[: len(AUDIT)]) == AUDIT
    assert all(f.system for f in module.fields[: len(AUDIT)])
    assert not any(f.system for f in module.fields[len(AUDIT) :])


@per_module
def test_field_api_names_unique(module: ModuleSpec) -> None:
    counts = Counter(f.api_name for f in module.fields)
    assert [name for name, n in counts.items() if n > 1] == []


@per_module
def test_data_types_known(module: ModuleSpec) -> None:
    unknown = [
        (f.api_name, f.data_type) for f in module.fields if f.data_type not in spec.JSON_TYPES
    ]
    assert unknown == []


@per_module
def test_field_shapes(module: ModuleSpec) -> None:
    for f in module.fields:
        assert f.api_name and f.label, f
        assert not f.unique, f.api_name
        assert f.api_name != "id"
        assert not (f.mandatory and f.read_only), f.api_name
        if f.length is not None:
            assert f.length > 0, f.api_name
        if f.data_type in ("picklist", "multiselectpicklist"):
            assert f.picklist, f.api_name
        else:
            assert not f.picklist, f.api_name


@per_module
def test_display_field(module: ModuleSpec) -> None:
    assert module.display_field == DISPLAY_FIELDS[module.api_name]
    assert module.display_field in fields_of(module)


@per_module
def test_duplicate_check_field(module: ModuleSpec) -> None:
    assert module.duplicate_check_field == DUPLICATE_CHECK.get(module.api_name)
    if module.duplicate_check_field is not None:
        assert module.duplicate_check_field in fields_of(module)


@per_module
def test_upsert_flags(module: ModuleSpec) -> None:
    assert module.upsert_supported is (module.api_name not in NO_UPSERT)
    assert module.searchable and module.api_supported and module.creatable


@per_module
def test_mandatory_fields(module: ModuleSpec) -> None:
    mandatory = {f.api_name for f in module.fields if f.mandatory}
    assert mandatory == MANDATORY[module.api_name]


@per_module
def test_picklists(module: ModuleSpec) -> None:
    for f in module.fields:
        if not f.picklist:
            continue
        values = [o.value for o in f.picklist]
        displays = [o.display_value for o in f.picklist]
        assert len(values) == len(set(values)), f.api_name
        assert len(displays) == len(set(displays)), f.api_name
        if "-None-" in values:
            assert values[0] == "-None-", f.api_name
        if f.default is not None:
            assert f.default in values, f.api_name
        if f.effective_length is not None:
            assert all(len(v) <= f.effective_length for v in values), f.api_name


@per_module
def test_lookups_resolve(module: ModuleSpec) -> None:
    for f in module.fields:
        if f.data_type == "lookup":
            assert bool(f.lookup_module) != bool(f.multi_module), f.api_name
            for target in lookup_targets(f):
                assert target in MODULES, (f.api_name, target)
            assert len(f.multi_module) == len(set(f.multi_module)), f.api_name
        elif f.data_type in ("ownerlookup", "userlookup"):
            assert f.lookup_module == "users", f.api_name
        else:
            assert f.lookup_module is None and not f.multi_module, f.api_name


@per_module
def test_related_lists(module: ModuleSpec) -> None:
    counts = Counter(r.api_name for r in module.related_lists)
    assert [name for name, n in counts.items() if n > 1] == []
    for r in module.related_lists:
        assert r.module in MODULES, r
        child_field = fields_of(MODULES[r.module]).get(r.field)
        assert child_field is not None, r
        assert child_field.data_type == "lookup", r
        assert module.api_name in lookup_targets(child_field), r
