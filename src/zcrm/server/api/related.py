"""``/crm/{version}/{module}/{id}/{related_list}``: read, attach and detach related records."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import data_items, ids_param, path_id, workflow_trigger
from zcrm.server.api.records import RECORD_PATH_INDEX, list_query, page_response
from zcrm.server.api.responses import batch_status, json_response
from zcrm.server.errors import InvalidData, NotAllowed, RequiredParamMissing
from zcrm.server.services.records import reader, writer
from zcrm.server.services.records.related import Relation, resolve_relation
from zcrm.server.services.scopes import module_scope

RELATED_ID_INDEX = 3


def relation_for(call: ApiCall, parent_op: str, child_op: str) -> tuple[Relation, int]:
    parent = call.module(call.path["module"])
    call.caller.require(module_scope(parent.scope_name, parent_op))
    parent_id = path_id(call.path["record_id"], RECORD_PATH_INDEX)
    relation = resolve_relation(call.metadata(), parent, call.path["related_list"])
    call.caller.require(module_scope(relation.child.scope_name, child_op))
    if not reader.record_exists(call.runtime, call.caller, parent, parent_id):
        raise InvalidData("the id given seems to be invalid", resource_path_index=RECORD_PATH_INDEX)
    return relation, parent_id


def list_related(call: ApiCall) -> Response:
    """List the records of a related list, e.g. an account's contacts."""
    relation, parent_id = relation_for(call, "READ", "READ")
    query = list_query(call, fields_required=False)
    query.where = relation.conditions(parent_id)
    query.converted = "both"
    page = reader.list_records(call.runtime, call.caller, call.metadata(), relation.child, query)
    return page_response(page)


def _relation_results(results: list[dict[str, Any]], message: str) -> list[dict[str, Any]]:
    out = []
    for item in results:
        if item.get("status") == "success":
            out.append(
                {
                    "code": "SUCCESS",
                    "details": {"id": item["details"]["id"]},
                    "message": message,
                    "status": "success",
                }
            )
        else:
            out.append(item)
    return out


def _link(
    call: ApiCall, relation: Relation, parent_id: int, items: list[Any], workflow: bool
) -> Response:
    data: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            item = {**item, **relation.link_values(parent_id)}
        data.append(item)
    results = writer.update_records(
        call.runtime, call.caller, relation.child, data, workflow=workflow
    )
    results = _relation_results(results, "relation updated")
    return json_response({"data": results}, batch_status(results))


def link_related(call: ApiCall) -> Response:
    """Attach records to the parent (sets their lookup to it)."""
    relation, parent_id = relation_for(call, "UPDATE", "UPDATE")
    body = call.json_body()
    return _link(call, relation, parent_id, data_items(call, body), workflow_trigger(body))


def link_one(call: ApiCall) -> Response:
    """Attach one record to the parent."""
    relation, parent_id = relation_for(call, "UPDATE", "UPDATE")
    child_id = path_id(call.path["related_id"], RELATED_ID_INDEX)
    body = call.json_body() if call.body.strip() else {"data": [{}]}
    items = data_items(call, body)[:1]
    first = items[0] if isinstance(items[0], dict) else {}
    return _link(
        call, relation, parent_id, [{**first, "id": str(child_id)}], workflow_trigger(body)
    )


def _unlink(call: ApiCall, relation: Relation, parent_id: int, child_ids: list[int]) -> Response:
    if relation.field.mandatory:
        raise NotAllowed(
            "the related record cannot be detached: its lookup is mandatory",
            api_name=relation.field.api_name,
        )
    children = {
        int(row["id"])
        for row in reader.list_records(
            call.runtime,
            call.caller,
            call.metadata(),
            relation.child,
            reader.ListQuery(
                fields=["id"],
                ids=child_ids,
                converted="both",
                per_page=200,
                where=relation.conditions(parent_id),
            ),
        ).data
    }
    data: list[dict[str, Any]] = [
        {"id": str(cid), relation.field.api_name: None} for cid in child_ids if cid in children
    ]
    results_by_id: dict[int, dict[str, Any]] = {}
    if data:
        updated = writer.update_records(call.runtime, call.caller, relation.child, data)
        for cid, outcome in zip([int(d["id"]) for d in data], updated, strict=True):
            results_by_id[cid] = outcome
    results = []
    for cid in child_ids:
        result = results_by_id.get(cid)
        if result is None:
            results.append(
                {
                    "code": "INVALID_DATA",
                    "details": {"id": str(cid)},
                    "message": "the related id given seems to be invalid",
                    "status": "error",
                }
            )
        else:
            results.extend(_relation_results([result], "relation removed"))
    return json_response({"data": results}, batch_status(results))


def unlink_related(call: ApiCall) -> Response:
    """Detach the records named in ids from the parent."""
    relation, parent_id = relation_for(call, "UPDATE", "UPDATE")
    ids = ids_param(call, required=True)
    if not ids:
        raise RequiredParamMissing(param_name="ids")
    return _unlink(call, relation, parent_id, ids)


def unlink_one(call: ApiCall) -> Response:
    """Detach one record from the parent."""
    relation, parent_id = relation_for(call, "UPDATE", "UPDATE")
    return _unlink(call, relation, parent_id, [path_id(call.path["related_id"], RELATED_ID_INDEX)])


def create_related(call: ApiCall) -> Response:
    """``POST /{module}/{id}/Notes``: new child records already attached to the parent."""
    relation, parent_id = relation_for(call, "READ", "CREATE")
    if relation.child.api_name != "Notes":
        raise InvalidData(
            "records can only be created in the Notes related list", resource_path_index=2
        )
    body = call.json_body()
    items = [
        {**item, **relation.link_values(parent_id)} if isinstance(item, dict) else item
        for item in data_items(call, body)
    ]
    results = writer.insert_records(
        call.runtime, call.caller, relation.child, items, workflow=workflow_trigger(body)
    )
    return json_response({"data": results}, batch_status(results, 201))


PREFIX = "/crm/{version}/{module}/{record_id:record}/{related_list}"

routes = [
    Route(PREFIX, api_endpoint(list_related), methods=["GET"]),
    Route(PREFIX, api_endpoint(link_related), methods=["PUT"]),
    Route(PREFIX, api_endpoint(create_related), methods=["POST"]),
    Route(PREFIX, api_endpoint(unlink_related), methods=["DELETE"]),
    Route(PREFIX + "/{related_id}", api_endpoint(link_one), methods=["PUT"]),
    Route(PREFIX + "/{related_id}", api_endpoint(unlink_one), methods=["DELETE"]),
]
