"""``/crm/{version}/settings/…``: modules, fields, layouts, related lists, custom fields."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import if_modified_since
from zcrm.server.api.responses import batch_status, json_response, no_content
from zcrm.server.errors import InvalidData, InvalidModule, MandatoryNotFound, RequiredParamMissing
from zcrm.server.services.metadata import custom_fields, render
from zcrm.server.services.metadata.model import Module
from zcrm.server.services.profiles import profile_ids
from zcrm.server.services.scopes import settings_scope
from zcrm.server.storage.schema import layouts
from zcrm.server.timefmt import to_storage

CUSTOMIZE_PERMISSION = "Crm_Implied_Customize_Zoho_CRM"
FIELD_TYPES = ("all", "used", "unused")
ID_SEGMENT = 2  # /settings/{resource}/{id}: the id is the third path segment after the version


def _profiles(call: ApiCall) -> dict[str, str]:
    return profile_ids(call.caller.org.id_prefix)


def _modifier(call: ApiCall) -> dict[str, str]:
    return call.caller.user.minified()


def _module_param(call: ApiCall) -> Module:
    name = call.param("module")
    if not name:
        raise RequiredParamMissing(param_name="module")
    return call.module(name, path_index=None)


def _id_segment(call: ApiCall, name: str) -> int:
    raw = call.path[name]
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise InvalidData("the id given seems to be invalid", resource_path_index=ID_SEGMENT)
    return int(raw)


def _fields_body(call: ApiCall) -> list[Any]:
    items = call.json_body().get("fields")
    if items is None:
        raise MandatoryNotFound(api_name="fields", json_path="$.fields")
    if not isinstance(items, list) or not items:
        raise InvalidData(api_name="fields", json_path="$.fields", expected_data_type="jsonarray")
    return items


# --- modules ------------------------------------------------------------------------------------


def list_modules(call: ApiCall) -> Response:
    """All modules; with If-Modified-Since only those changed since (304 when none)."""
    call.caller.require(settings_scope("modules", "READ"))
    modules = list(call.metadata().modules)
    since = if_modified_since(call)
    if since is not None:
        stamp = to_storage(since)
        modules = [
            m
            for m in modules
            if m.modified_time > stamp or any(f.modified_time > stamp for f in m.fields)
        ]
        if not modules:
            return no_content(304)
    tz = call.caller.user.time_zone
    return json_response(
        {"modules": [render.module_json(m, tz, _modifier(call), _profiles(call)) for m in modules]}
    )


def get_module(call: ApiCall) -> Response:
    """One module (by API name or id) with its fields, related lists and layouts."""
    call.caller.require(settings_scope("modules", "READ"))
    meta = call.metadata()
    raw = call.path["api_name"]
    module = meta.module(raw)
    if module is None and raw.isdigit():
        module = meta.by_id.get(int(raw))
    if module is None:
        raise InvalidModule(resource_path_index=ID_SEGMENT)
    layout_ids = [(r.id, r.name) for r in _layout_rows(call, module, None)]
    detail = render.module_detail_json(
        meta,
        module,
        call.caller.user.time_zone,
        _modifier(call),
        _profiles(call),
        layout_ids,
    )
    return json_response({"modules": [detail]})


# --- fields -------------------------------------------------------------------------------------


def list_fields(call: ApiCall) -> Response:
    """The module's fields (``?module=`` is required; ``type=unused`` has none)."""
    call.caller.require(settings_scope("fields", "READ"))
    module = _module_param(call)
    kind = call.param("type")
    if kind and kind not in FIELD_TYPES:
        raise InvalidData(param_name="type", supported_values=list(FIELD_TYPES))
    if kind == "unused":
        return no_content()
    meta = call.metadata()
    tz = call.caller.user.time_zone
    profiles = _profiles(call)
    return json_response(
        {"fields": [render.field_json(meta, module, f, tz, profiles) for f in module.fields]}
    )


def get_field(call: ApiCall) -> Response:
    """One field by id."""
    call.caller.require(settings_scope("fields", "READ"))
    module = _module_param(call)
    field_id = _id_segment(call, "field_id")
    found = next((f for f in module.fields if f.id == field_id), None)
    if found is None:
        raise InvalidData("the id given seems to be invalid", resource_path_index=ID_SEGMENT)
    rendered = render.field_json(
        call.metadata(), module, found, call.caller.user.time_zone, _profiles(call)
    )
    return json_response({"fields": [rendered]})


def create_fields(call: ApiCall) -> Response:
    """Create custom fields (up to 5 per call): 201, or 207/400 when some fail."""
    call.caller.require(settings_scope("fields", "CREATE"))
    call.caller.require_admin(CUSTOMIZE_PERMISSION)
    module = _module_param(call)
    results = custom_fields.create_fields(call.runtime, call.caller, module, _fields_body(call))
    return json_response({"fields": results}, batch_status(results, 201))


def update_field(call: ApiCall) -> Response:
    """Change a field's label, length or picklist values."""
    call.caller.require(settings_scope("fields", "UPDATE"))
    call.caller.require_admin(CUSTOMIZE_PERMISSION)
    module = _module_param(call)
    field_id = _id_segment(call, "field_id")
    items = _fields_body(call)
    if len(items) != 1:
        raise InvalidData(api_name="fields", json_path="$.fields", maximum_length=1)
    result = custom_fields.update_field(call.runtime, call.caller, module, field_id, items[0])
    return json_response({"fields": [result]})


def delete_field(call: ApiCall) -> Response:
    """Delete a custom field (standard fields cannot be deleted)."""
    call.caller.require(settings_scope("fields", "DELETE"))
    call.caller.require_admin(CUSTOMIZE_PERMISSION)
    module = _module_param(call)
    field_id = _id_segment(call, "field_id")
    result = custom_fields.delete_field(call.runtime, call.caller, module, field_id)
    return json_response({"fields": [result]})


# --- layouts and related lists ------------------------------------------------------------------


def _layout_rows(call: ApiCall, module: Module, layout_id: int | None) -> list[Any]:
    with call.runtime.db.read_org(call.caller.org.id) as scope:
        query = scope.select(layouts).where(layouts.c.module_id == module.id)
        if layout_id is not None:
            query = query.where(layouts.c.id == layout_id)
        return scope.rows(query.order_by(layouts.c.id))


def _layouts(call: ApiCall, module: Module, layout_id: int | None) -> list[dict[str, Any]]:
    meta = call.metadata()
    return [
        render.layout_json(
            meta,
            module,
            row.id,
            row.name,
            call.caller.user.time_zone,
            _modifier(call),
            _profiles(call),
            row.created_time,
            row.modified_time,
        )
        for row in _layout_rows(call, module, layout_id)
    ]


def list_layouts(call: ApiCall) -> Response:
    """The module's layouts with their sections and fields."""
    call.caller.require(settings_scope("layouts", "READ"))
    module = _module_param(call)
    return json_response({"layouts": _layouts(call, module, None)})


def get_layout(call: ApiCall) -> Response:
    """One layout."""
    call.caller.require(settings_scope("layouts", "READ"))
    module = _module_param(call)
    found = _layouts(call, module, _id_segment(call, "layout_id"))
    if not found:
        raise InvalidData("the id given seems to be invalid", resource_path_index=ID_SEGMENT)
    return json_response({"layouts": found})


def list_related_lists(call: ApiCall) -> Response:
    """The module's related lists."""
    call.caller.require(settings_scope("related_lists", "READ"))
    module = _module_param(call)
    meta = call.metadata()
    return json_response(
        {"related_lists": [render.related_list_json(meta, module, r) for r in module.related_lists]}
    )


def get_related_list(call: ApiCall) -> Response:
    """One related list by id."""
    call.caller.require(settings_scope("related_lists", "READ"))
    module = _module_param(call)
    rel_id = _id_segment(call, "related_list_id")
    found = next((r for r in module.related_lists if r.id == rel_id), None)
    if found is None:
        raise InvalidData("the id given seems to be invalid", resource_path_index=ID_SEGMENT)
    return json_response(
        {"related_lists": [render.related_list_json(call.metadata(), module, found)]}
    )


P = "/crm/{version}/settings"

routes = [
    Route(P + "/modules", api_endpoint(list_modules), methods=["GET"]),
    Route(P + "/modules/{api_name}", api_endpoint(get_module), methods=["GET"]),
    Route(P + "/fields", api_endpoint(list_fields), methods=["GET"]),
    Route(P + "/fields", api_endpoint(create_fields), methods=["POST"]),
    Route(P + "/fields/{field_id}", api_endpoint(get_field), methods=["GET"]),
    Route(P + "/fields/{field_id}", api_endpoint(update_field), methods=["PATCH", "PUT"]),
    Route(P + "/fields/{field_id}", api_endpoint(delete_field), methods=["DELETE"]),
    Route(P + "/layouts", api_endpoint(list_layouts), methods=["GET"]),
    Route(P + "/layouts/{layout_id}", api_endpoint(get_layout), methods=["GET"]),
    Route(P + "/related_lists", api_endpoint(list_related_lists), methods=["GET"]),
    Route(P + "/related_lists/{related_list_id}", api_endpoint(get_related_list), methods=["GET"]),
]
