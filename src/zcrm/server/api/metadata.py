"""``/crm/{version}/settings/…``: modules, fields, layouts, related lists, custom fields."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import if_modified_since
from zcrm.server.api.responses import batch_status, json_response, no_content
from zcrm.server.errors import InvalidData, InvalidModule, RequiredParamMissing
from zcrm.server.services.metadata import custom_fields, render
from zcrm.server.services.metadata.model import Module
from zcrm.server.services.profiles import profile_ids
from zcrm.server.services.scopes import settings_scope
from zcrm.server.storage.schema import layouts
from zcrm.server.timefmt import to_storage

CUSTOMIZE_PERMISSION = "Crm_Implied_Customize_Zoho_CRM"


def _profiles(call: ApiCall) -> dict[str, str]:
    return profile_ids(call.caller.org.id_prefix)


def _admin(call: ApiCall) -> dict[str, str]:
    return call.caller.user.minified()


def _module_param(call: ApiCall) -> Module:
    name = call.param("module")
    if not name:
        raise RequiredParamMissing(param_name="module")
    module = call.metadata().module(name)
    if module is None or not module.api_supported:
        raise InvalidModule(param_name="module")
    return module


def _id_segment(raw: str) -> int:
    if not raw.isdigit() or int(raw) >= 2**63:
        raise InvalidData("the id given seems to be invalid", resource_path_index=2)
    return int(raw)


def list_modules(call: ApiCall) -> Response:
    """All modules, with the keys the SDKs read (If-Modified-Since: 304 when unchanged)."""
    call.caller.require(settings_scope("modules", "READ"))
    meta = call.metadata()
    since = if_modified_since(call)
    if since is not None:
        stamp = to_storage(since)
        changed = any(
            m.modified_time > stamp or any(f.modified_time > stamp for f in m.fields)
            for m in meta.modules
        )
        if not changed:
            return no_content(304)
    tz = call.caller.user.time_zone
    return json_response(
        {
            "modules": [
                render.module_json(m, tz, _admin(call), _profiles(call)) for m in meta.modules
            ]
        }
    )


def get_module(call: ApiCall) -> Response:
    """One module with its fields, related lists and layouts."""
    call.caller.require(settings_scope("modules", "READ"))
    meta = call.metadata()
    raw = call.path["api_name"]
    module = meta.module(raw)
    if module is None and raw.isdigit():
        module = meta.by_id.get(int(raw))
    if module is None:
        raise InvalidModule(resource_path_index=2)
    return json_response(
        {
            "modules": [
                render.module_detail_json(
                    meta,
                    module,
                    call.caller.user.time_zone,
                    _admin(call),
                    _profiles(call),
                    _layout_ids(call, module),
                )
            ]
        }
    )


def _layout_ids(call: ApiCall, module: Module) -> list[tuple[int, str]]:
    with call.runtime.db.read_org(call.caller.org.id) as scope:
        rows = scope.rows(scope.select(layouts).where(layouts.c.module_id == module.id))
    return [(r.id, r.name) for r in rows]


def list_fields(call: ApiCall) -> Response:
    """The module's fields (``?module=`` is required)."""
    call.caller.require(settings_scope("fields", "READ"))
    module = _module_param(call)
    kind = call.param("type")
    if kind not in (None, "", "all", "unused", "used"):
        raise InvalidData(param_name="type", supported_values=["all", "unused"])
    if kind == "unused":
        return no_content()
    meta = call.metadata()
    tz = call.caller.user.time_zone
    return json_response(
        {"fields": [render.field_json(meta, module, f, tz, _profiles(call)) for f in module.fields]}
    )


def get_field(call: ApiCall) -> Response:
    """One field by id."""
    call.caller.require(settings_scope("fields", "READ"))
    module = _module_param(call)
    field_id = _id_segment(call.path["field_id"])
    found = next((f for f in module.fields if f.id == field_id), None)
    if found is None:
        raise InvalidData("the field id given seems to be invalid", resource_path_index=2)
    return json_response(
        {
            "fields": [
                render.field_json(
                    call.metadata(), module, found, call.caller.user.time_zone, _profiles(call)
                )
            ]
        }
    )


def create_fields(call: ApiCall) -> Response:
    """Create custom fields (up to 5 per call)."""
    call.caller.require(settings_scope("fields", "CREATE"))
    call.caller.require_admin(CUSTOMIZE_PERMISSION)
    module = _module_param(call)
    body = call.json_body()
    items = body.get("fields")
    if not isinstance(items, list) or not items:
        raise InvalidData(api_name="fields", json_path="$.fields", expected_data_type="jsonarray")
    results = custom_fields.create_fields(call.runtime, call.caller, module, items)
    return json_response({"fields": results}, batch_status(results, 201))


def update_field(call: ApiCall) -> Response:
    """Change a field's label, length or picklist values."""
    call.caller.require(settings_scope("fields", "UPDATE"))
    call.caller.require_admin(CUSTOMIZE_PERMISSION)
    module = _module_param(call)
    body = call.json_body()
    items = body.get("fields")
    if not isinstance(items, list) or len(items) != 1:
        raise InvalidData(api_name="fields", json_path="$.fields", expected_data_type="jsonarray")
    result = custom_fields.update_field(
        call.runtime, call.caller, module, _id_segment(call.path["field_id"]), items[0]
    )
    return json_response({"fields": [result]})


def delete_field(call: ApiCall) -> Response:
    """Delete a custom field."""
    call.caller.require(settings_scope("fields", "DELETE"))
    call.caller.require_admin(CUSTOMIZE_PERMISSION)
    module = _module_param(call)
    result = custom_fields.delete_field(
        call.runtime, call.caller, module, _id_segment(call.path["field_id"])
    )
    return json_response({"fields": [result]})


def _layouts(call: ApiCall, module: Module, layout_id: int | None) -> list[dict[str, Any]]:
    with call.runtime.db.read_org(call.caller.org.id) as scope:
        query = scope.select(layouts).where(layouts.c.module_id == module.id)
        if layout_id is not None:
            query = query.where(layouts.c.id == layout_id)
        rows = scope.rows(query)
    return [
        render.layout_json(
            call.metadata(),
            module,
            r.id,
            r.name,
            call.caller.user.time_zone,
            _admin(call),
            _profiles(call),
            r.created_time,
            r.modified_time,
        )
        for r in rows
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
    found = _layouts(call, module, _id_segment(call.path["layout_id"]))
    if not found:
        raise InvalidData("the layout id given seems to be invalid", resource_path_index=2)
    return json_response({"layouts": found})


def list_related_lists(call: ApiCall) -> Response:
    """The module's related lists."""
    call.caller.require(settings_scope("related_lists", "READ"))
    module = _module_param(call)
    meta = call.metadata()
    return json_response(
        {
            "related_lists": [
                render.related_list_json(meta, module, r.api_name) for r in module.related_lists
            ]
        }
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
]
