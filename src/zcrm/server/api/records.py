"""``/crm/{version}/{module}``: list, get, insert, update, upsert, delete, count, deleted."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

import zcrm.server.api.convertors  # noqa: F401 - registers the "record" path convertor
from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import (
    choice_param,
    data_items,
    fields_param,
    ids_param,
    if_modified_since,
    path_id,
    workflow_trigger,
)
from zcrm.server.api.responses import batch_status, json_response, no_content
from zcrm.server.errors import (
    AmbiguityDuringProcessing,
    InvalidData,
    NotSupportedForUser,
    RequiredParamMissing,
)
from zcrm.server.limits.costs import charges, delete_credits, write_credits
from zcrm.server.services.metadata.model import Module
from zcrm.server.services.records import reader, writer
from zcrm.server.services.scopes import module_scope, need

RECORD_PATH_INDEX = 1  # /crm/v6/{module}/{id}: the id is the second segment after the version


def module_for(call: ApiCall, operation: str, *extra_operations: str) -> Module:
    module = call.module(call.path["module"])
    call.caller.require(module_scope(module.scope_name, operation))
    for op in extra_operations:
        call.caller.require(module_scope(module.scope_name, op))
    return module


def list_query(call: ApiCall, *, fields_required: bool = True) -> reader.ListQuery:
    if call.param("cvid") and call.param("sort_by"):
        raise AmbiguityDuringProcessing(ambiguity_due_to=["cvid", "sort_by"])
    if call.param("cvid"):
        raise InvalidData("the custom view id given seems to be invalid", param_name="cvid")
    return reader.ListQuery(
        fields=fields_param(call, required=fields_required),
        ids=ids_param(call),
        sort_by=choice_param(call, "sort_by", ["id", "Created_Time", "Modified_Time"], "id"),
        sort_order=choice_param(call, "sort_order", ["asc", "desc"], "desc"),
        page=call.int_param("page", 1),
        per_page=call.int_param("per_page", 200, maximum=200),
        page_token=call.param("page_token") or None,
        converted=choice_param(call, "converted", ["true", "false", "both"], "false"),
        modified_since=if_modified_since(call),
    )


def page_response(page: reader.Page) -> Response:
    if page.not_modified:
        return no_content(304)
    if not page.data:
        return no_content()
    return json_response({"data": page.data, "info": page.info})


def list_records(call: ApiCall) -> Response:
    """List records: fields, ids, sort, page / page_token, If-Modified-Since."""
    module = module_for(call, "READ")
    if module.api_name == "Notes" and not call.caller.user.is_admin:
        raise NotSupportedForUser()
    query = list_query(call)
    return page_response(
        reader.list_records(call.runtime, call.caller, call.metadata(), module, query)
    )


def get_record(call: ApiCall) -> Response:
    """Get one record (all fields, or those named in fields)."""
    module = module_for(call, "READ")
    record_id = path_id(call.path["record_id"], RECORD_PATH_INDEX)
    record = reader.get_record(
        call.runtime,
        call.caller,
        call.metadata(),
        module,
        record_id,
        fields_param(call, required=False),
    )
    if record is None:
        return no_content()
    return json_response({"data": [record]})


@charges(write_credits)
def insert_records(call: ApiCall) -> Response:
    """Insert records; one outcome per record, in order (201/207/400)."""
    module = module_for(call, "CREATE")
    body = call.json_body()
    items = data_items(call, body)
    results = writer.insert_records(
        call.runtime, call.caller, module, items, workflow=workflow_trigger(body)
    )
    return json_response({"data": results}, batch_status(results, 201))


@charges(write_credits)
def update_records(call: ApiCall) -> Response:
    """Update records named by the id inside each element."""
    module = module_for(call, "UPDATE")
    body = call.json_body()
    items = data_items(call, body)
    results = writer.update_records(
        call.runtime, call.caller, module, items, workflow=workflow_trigger(body)
    )
    return json_response({"data": results}, batch_status(results))


@charges(write_credits)
def update_record(call: ApiCall) -> Response:
    """Update the record named in the path."""
    module = module_for(call, "UPDATE")
    record_id = path_id(call.path["record_id"], RECORD_PATH_INDEX)
    body = call.json_body()
    items = data_items(call, body)[:1]
    results = writer.update_records(
        call.runtime,
        call.caller,
        module,
        items,
        path_id=record_id,
        workflow=workflow_trigger(body),
    )
    return json_response({"data": results}, batch_status(results))


@charges(write_credits)
def upsert_records(call: ApiCall) -> Response:
    """Insert or update, matching on duplicate_check_fields."""
    module = module_for(call, "CREATE", "UPDATE")
    if not module.upsert_supported:
        raise InvalidData("the module is not supported for upsert", resource_path_index=0)
    body = call.json_body()
    items = data_items(call, body)
    results = writer.upsert_records(
        call.runtime,
        call.caller,
        module,
        items,
        body.get("duplicate_check_fields"),
        workflow=workflow_trigger(body),
    )
    return json_response({"data": results}, batch_status(results))


def _wf_trigger(call: ApiCall) -> bool:
    return choice_param(call, "wf_trigger", ["true", "false"], "true") == "true"


@charges(delete_credits)
def delete_records(call: ApiCall) -> Response:
    """Delete the records named in ids (to the recycle bin)."""
    module = module_for(call, "DELETE")
    ids = ids_param(call, required=True)
    if not ids:
        raise RequiredParamMissing(param_name="ids")
    results = writer.delete_records(
        call.runtime, call.caller, module, ids, workflow=_wf_trigger(call)
    )
    return json_response({"data": results}, batch_status(results))


def delete_record(call: ApiCall) -> Response:
    """Delete the record named in the path."""
    module = module_for(call, "DELETE")
    record_id = path_id(call.path["record_id"], RECORD_PATH_INDEX)
    results = writer.delete_records(
        call.runtime, call.caller, module, [record_id], workflow=_wf_trigger(call)
    )
    return json_response({"data": results}, batch_status(results))


def count_records(call: ApiCall) -> Response:
    """Count the module's records (or those matching a search)."""
    module = module_for(call, "READ")
    if any(call.param(p) for p in ("criteria", "email", "phone", "word")):
        call.caller.require(need("ZohoSearch", "securesearch", None, "READ"))
        from zcrm.server.api.search import count_matching  # the query core, see search.py

        return json_response({"count": count_matching(call, module)})
    return json_response({"count": reader.count_records(call.runtime, call.caller, module)})


def deleted_records(call: ApiCall) -> Response:
    """List deleted records (recycle bin and permanently deleted)."""
    module = module_for(call, "READ")
    kind = call.param("type") or "all"
    if kind not in ("all", "recycle", "permanent"):
        from zcrm.server.errors import PatternNotMatched

        raise PatternNotMatched(param_name="type")
    page = reader.deleted_records(
        call.runtime,
        call.caller,
        module,
        kind,
        call.int_param("page", 1),
        call.int_param("per_page", 200, maximum=200),
        if_modified_since(call),
    )
    return page_response(page)


PREFIX = "/crm/{version}/{module}"

routes = [
    Route(PREFIX, api_endpoint(list_records), methods=["GET"]),
    Route(PREFIX, api_endpoint(insert_records), methods=["POST"]),
    Route(PREFIX, api_endpoint(update_records), methods=["PUT"]),
    Route(PREFIX, api_endpoint(delete_records), methods=["DELETE"]),
    Route(PREFIX + "/upsert", api_endpoint(upsert_records), methods=["POST"]),
    Route(PREFIX + "/actions/count", api_endpoint(count_records), methods=["GET"]),
    Route(PREFIX + "/deleted", api_endpoint(deleted_records), methods=["GET"]),
    Route(PREFIX + "/{record_id:record}", api_endpoint(get_record), methods=["GET"]),
    Route(PREFIX + "/{record_id:record}", api_endpoint(update_record), methods=["PUT"]),
    Route(PREFIX + "/{record_id:record}", api_endpoint(delete_record), methods=["DELETE"]),
]
