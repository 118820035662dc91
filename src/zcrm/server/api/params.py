"""Parsing the parameters record calls share: ``fields``, ``ids``, ``data``, ``trigger``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from zcrm.server.api.http import ApiCall
from zcrm.server.errors import (
    InvalidData,
    LimitExceeded,
    MandatoryNotFound,
    RequiredParamMissing,
    UnableToParseDataType,
)
from zcrm.server.services.plans import resolve_plan
from zcrm.server.timefmt import parse_http_or_iso

MAX_FIELDS = 50
MAX_IDS = 100
TRIGGERS = frozenset({"workflow", "approval", "blueprint", "pathfinder", "orchestration"})


def split_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def fields_param(call: ApiCall, *, required: bool) -> list[str] | None:
    raw = call.param("fields")
    if raw is None or raw == "":
        if required:
            raise RequiredParamMissing(param_name="fields")
        return None
    names = list(dict.fromkeys(split_list(raw)))
    if len(names) > MAX_FIELDS:
        raise LimitExceeded("Fields limit exceeded", param_name="fields", limit=MAX_FIELDS)
    return names


def ids_param(call: ApiCall, name: str = "ids", *, required: bool = False) -> list[int] | None:
    raw = call.param(name)
    if raw is None or raw == "":
        if required:
            raise RequiredParamMissing(param_name=name)
        return None
    parts = split_list(raw)
    if len(parts) > MAX_IDS:
        raise LimitExceeded(param_name=name, limit=MAX_IDS)
    out: list[int] = []
    for part in parts:
        if not part.isdigit() or int(part) >= 2**63:
            raise UnableToParseDataType(param_name=name)
        out.append(int(part))
    return out


def path_id(raw: str, index: int) -> int:
    if not raw.isdigit() or int(raw) >= 2**63 or int(raw) == 0:
        raise InvalidData("the id given seems to be invalid", resource_path_index=index)
    return int(raw)


def choice_param(call: ApiCall, name: str, allowed: list[str], default: str) -> str:
    raw = call.param(name)
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        raise InvalidData(param_name=name, supported_values=allowed)
    return raw


def if_modified_since(call: ApiCall) -> datetime | None:
    raw = call.header("if-modified-since")
    if not raw:
        return None
    parsed = parse_http_or_iso(raw)
    if parsed is None:
        raise InvalidData(param_name="If-Modified-Since", expected_data_type="datetime")
    return parsed


def data_items(call: ApiCall, body: dict[str, Any]) -> list[Any]:
    """The ``data`` array of a write, within the org's records-per-request limit."""
    if "data" not in body or body["data"] is None:
        raise MandatoryNotFound(api_name="data", json_path="$.data")
    items = body["data"]
    if not isinstance(items, list):
        raise InvalidData(api_name="data", json_path="$.data", expected_data_type="jsonarray")
    if not items:
        raise MandatoryNotFound(api_name="data", json_path="$.data")
    limit = resolve_plan(call.caller.org.plan).max_records_per_write
    if len(items) > limit:
        raise LimitExceeded(api_name="data", json_path="$.data", limit=limit)
    return items


def workflow_trigger(body: dict[str, Any]) -> bool:
    """Whether workflows run: ``trigger`` absent runs everything, ``[]`` runs nothing."""
    if "trigger" not in body or body["trigger"] is None:
        return True
    trigger = body["trigger"]
    if isinstance(trigger, str):
        trigger = [trigger]
    if not isinstance(trigger, list) or not all(isinstance(t, str) for t in trigger):
        raise InvalidData(api_name="trigger", json_path="$.trigger", expected_data_type="jsonarray")
    unknown = [t for t in trigger if t not in TRIGGERS]
    if unknown:
        raise InvalidData(
            api_name="trigger", json_path="$.trigger", supported_values=sorted(TRIGGERS)
        )
    return "workflow" in trigger
