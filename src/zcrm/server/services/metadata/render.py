"""Metadata rows in Zoho's wire shape: modules, fields, layouts, related lists."""

from __future__ import annotations

from typing import Any

from zcrm.server.catalogue.spec import JSON_TYPES
from zcrm.server.services.metadata.model import Field, Module, OrgMetadata, RelatedList
from zcrm.server.timefmt import to_wire

SE_MODULE = "se_module"  # what Zoho names the target of a multi-module lookup
UI_TYPES = {
    "text": 1,
    "textarea": 3,
    "email": 25,
    "phone": 33,
    "website": 21,
    "picklist": 2,
    "multiselectpicklist": 100,
    "integer": 32,
    "bigint": 36,
    "double": 38,
    "currency": 36,
    "percent": 35,
    "boolean": 301,
    "date": 24,
    "datetime": 333,
    "lookup": 133,
    "ownerlookup": 8,
    "userlookup": 133,
    "autonumber": 155,
}


def profiles(org_profiles: dict[str, str]) -> list[dict[str, Any]]:
    return [{"name": name, "id": pid} for name, pid in org_profiles.items()]


def module_json(
    module: Module, tz: str, admin: dict[str, str] | None, org_profiles: dict[str, str]
) -> dict[str, Any]:
    return {
        "has_more_profiles": False,
        "access_type": "org_based",
        "private_profile": None,
        "deletable": module.generated_type == "custom",
        "description": None,
        "creatable": module.creatable,
        "recycle_bin_on_delete": True,
        "modified_time": to_wire(module.modified_time, tz),
        "plural_label": module.plural_label,
        "presence_sub_menu": False,
        "actual_plural_label": module.plural_label,
        "id": str(module.id),
        "visibility": 1,
        "convertable": module.api_name == "Leads",
        "sub_menu_available": False,
        "editable": True,
        "actual_singular_label": module.singular_label,
        "profiles": profiles(org_profiles),
        "show_as_tab": module.api_name != "Notes",
        "web_link": None,
        "singular_label": module.singular_label,
        "viewable": True,
        "api_supported": module.api_supported,
        "api_name": module.api_name,
        "quick_create": module.creatable,
        "modified_by": admin,
        "generated_type": module.generated_type,
        "feeds_required": False,
        "arguments": [],
        "module_name": module.module_name,
        "profile_count": len(org_profiles),
        "business_card_field_limit": 5,
        "parent_module": {},
        "status": "visible",
        "sequence_number": module.sequence,
        "global_search_supported": module.searchable,
    }


def module_detail_json(
    meta: OrgMetadata,
    module: Module,
    tz: str,
    admin: dict[str, str] | None,
    org_profiles: dict[str, str],
    layout_ids: list[tuple[int, str]],
) -> dict[str, Any]:
    out = module_json(module, tz, admin, org_profiles)
    out.update(
        {
            "display_field": module.display_field,  # a string in the v6 SDK's model
            "fields": [field_json(meta, module, f, tz, org_profiles) for f in module.fields],
            "related_lists": [related_list_json(meta, module, r) for r in module.related_lists],
            "layouts": [{"id": str(lid), "name": name} for lid, name in layout_ids],
            "business_card_fields": [],
            "search_layout_fields": [module.display_field],
            "$properties": [],
            "territory": None,
            "duplicate_check_field": module.duplicate_check_field,
        }
    )
    return out


def field_json(
    meta: OrgMetadata, module: Module, f: Field, tz: str, org_profiles: dict[str, str]
) -> dict[str, Any]:
    options = [o.to_json() for o in f.picklist]
    read_only = f.read_only or f.api_name in (
        "Created_Time",
        "Modified_Time",
        "Created_By",
        "Modified_By",
    )
    unique: dict[str, Any] = {"case_sensitive": False} if f.unique else {}
    return {
        "associated_module": None,
        "webhook": True,
        "operation_type": {
            "web_update": not read_only,
            "api_create": not read_only,
            "web_create": not read_only,
            "api_update": not read_only,
        },
        "colour_code_enabled_by_system": False,
        "field_label": f.label,
        "tooltip": None,
        "type": "used",
        "field_read_only": read_only,
        "customizable_properties": [],
        "display_label": f.label,
        "read_only": read_only,
        "association_details": None,
        "businesscard_supported": True,
        "multi_module_lookup": _multi_module_lookup(meta, f),
        "id": str(f.id),
        "created_time": to_wire(f.created_time, tz),
        "filterable": f.searchable,
        "visible": True,
        "profiles": [
            {"permission_type": "read_only" if read_only else "read_write", "name": name, "id": pid}
            for name, pid in org_profiles.items()
        ],
        "view_type": {
            "view": True,
            "edit": not read_only,
            "quick_create": f.mandatory,
            "create": not read_only,
        },
        "separator": False,
        "searchable": f.searchable,
        "external": None,
        "api_name": f.api_name,
        "unique": unique,
        "enable_colour_code": False,
        "pick_list_values": options,
        "system_mandatory": f.mandatory,
        "virtual_field": False,
        "json_type": _json_type(f),
        "crypt": None,
        "created_source": "custom" if f.custom else "default",
        "display_type": -1,
        "ui_type": UI_TYPES.get(f.data_type, 1),
        "modified_time": to_wire(f.modified_time, tz),
        "email_parser": {"fields_update_supported": False, "record_operations_supported": False},
        "currency": {
            "rounding_option": "normal",
            "precision": 2 if f.decimal_place is None else f.decimal_place,
        }
        if f.data_type == "currency"
        else {},
        "custom_field": f.custom,
        "lookup": _lookup(meta, module, f),
        "rollup_summary": {},
        "length": f.length,
        "display_field": f.api_name == module.display_field,
        "pick_list_values_sorted_lexically": False,
        "sortable": f.searchable,
        "global_picklist": None,
        "history_tracking": None,
        "data_type": f.data_type,
        "formula": {},
        "decimal_place": f.decimal_place,
        "mass_update": not read_only and f.data_type not in ("lookup", "email"),
        "multiselectlookup": {},
        "multiuserlookup": {},
        "auto_number": {"prefix": "", "suffix": "", "start_number": 1}
        if f.data_type == "autonumber"
        else {},
        "private": None,
        "textarea": {"type": f.textarea_type or "large"} if f.data_type == "textarea" else None,
        "subform": None,
        "sharing_properties": None,
        "default_value": f.default,
    }


def _json_type(f: Field) -> str:
    return JSON_TYPES.get(f.data_type, "string")


def _lookup(meta: OrgMetadata, module: Module, f: Field) -> dict[str, Any]:
    """A lookup's target module and the related list it adds there (Zoho's shape).

    Multi-module lookups (``What_Id``, ``Parent_Id``) name the pseudo-module
    ``se_module``, as Zoho does; the official SDK knows not to fetch its fields.
    """
    if f.is_multi_module:
        return {
            "display_label": f.label,
            "revalidate_filter_during_edit": False,
            "api_name": None,
            "module": {"api_name": SE_MODULE, "id": None},
            "id": None,
            "query_details": {},
        }
    if not f.is_lookup or f.is_user_lookup or not f.lookup_module:
        return {}
    target = meta.module(f.lookup_module)
    reverse = _reverse_related_list(target, module, f)
    return {
        "display_label": reverse.label if reverse else module.plural_label,
        "revalidate_filter_during_edit": False,
        "api_name": reverse.api_name if reverse else module.api_name,
        "module": {"api_name": f.lookup_module, "id": str(target.id) if target else None},
        "id": str(reverse.id) if reverse else None,
        "query_details": {},
    }


def _reverse_related_list(target: Module | None, child: Module, f: Field) -> RelatedList | None:
    if target is None:
        return None
    return next(
        (r for r in target.related_lists if r.module == child.api_name and r.field == f.api_name),
        None,
    )


def _multi_module_lookup(meta: OrgMetadata, f: Field) -> dict[str, Any]:
    if not f.is_multi_module:
        return {}
    return {
        "display_label": f.label,
        "api_name": f.api_name,
        "modules": [
            {"api_name": m.api_name, "module_name": m.module_name, "id": str(m.id)}
            for name in f.multi_module
            if (m := meta.module(name)) is not None
        ],
    }


def related_list_json(meta: OrgMetadata, module: Module, rel: RelatedList) -> dict[str, Any]:
    child = meta.module(rel.module)
    return {
        "sequence_number": str(rel.sequence),
        "display_label": rel.label,
        "api_name": rel.api_name,
        "module": {"api_name": rel.module, "id": str(child.id) if child else None},
        "name": rel.api_name,
        "action": None,
        "id": str(rel.id),
        "href": f"{module.api_name}/{{ENTITYID}}/{rel.api_name}",
        "type": "default",
        "connectedmodule": None,
        "linkingmodule": None,
        "visible": True,
        "status": "visible",
        "customize_sort": False,
        "customize_fields": False,
        "customize_display_label": False,
        "sort_by": None,
        "sort_order": None,
        "fields": None,
    }


def layout_json(
    meta: OrgMetadata,
    module: Module,
    layout_id: int,
    name: str,
    tz: str,
    admin: dict[str, str] | None,
    org_profiles: dict[str, str],
    created: str,
    modified: str,
) -> dict[str, Any]:
    fields = []
    for f in module.fields:
        entry = field_json(meta, module, f, tz, org_profiles)
        entry["required"] = f.mandatory
        fields.append(entry)
    return {
        "has_more_profiles": False,
        "created_time": to_wire(created, tz),
        "convert_mapping": {},
        "modified_time": to_wire(modified, tz),
        "visible": True,
        "created_for": None,
        "name": name,
        "display_label": name,
        "api_name": name,
        "modified_by": admin,
        "profiles": [
            {
                "default": True,
                "name": n,
                "id": pid,
                "_default_view": None,
                "_default_assignment_view": None,
            }
            for n, pid in org_profiles.items()
        ],
        "id": str(layout_id),
        "created_by": admin,
        "source": "crm",
        "status": "active",
        "show_business_card": False,
        "display_type": -1,
        "generated_type": "default",
        "sections": [
            {
                "display_label": f"{module.singular_label} Information",
                "sequence_number": 1,
                "isSubformSection": False,
                "tab_traversal": "left_to_right",
                "api_name": f"{module.singular_label} Information",
                "column_count": 2,
                "name": f"{module.singular_label} Information",
                "generated_type": "default",
                "type": "used",
                "fields": fields,
            }
        ],
    }
