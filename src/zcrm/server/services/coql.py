"""Running COQL queries (reference §5): parse, check against metadata, compile, render.

The per-query row cap and the plan gating are the org's plan figures
(``Plan.coql_max_limit`` — 200 by the seed guide, 2000 on live Zoho — and
``Plan.coql_enabled``), overridable per org. Rows come back as COQL v6 renders them:
lookups as ``{"id"}``, lookup paths as ``"Account_Name.Account_Name"`` keys,
aggregates as ``"COUNT(id)"`` keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Float, and_, cast, func, select

from zcrm.server.errors import DuplicateData, FeatureNotSupported, InvalidQuery, LimitExceeded
from zcrm.server.query import ast
from zcrm.server.query.compile import Compiler
from zcrm.server.query.coql import CoqlQuery, SelectItem, parse_coql
from zcrm.server.query.validate import COQL, Step, bind, resolve_path
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import Field, Module, OrgMetadata
from zcrm.server.storage.schema import records
from zcrm.server.timefmt import to_wire

MAX_COLUMNS = 50
MAX_AGGREGATES = 5
MAX_GROUP_BY = 4
MAX_ORDER_BY = 10
DEFAULT_LIMIT = 200
AGGREGATABLE = frozenset({"integer", "bigint", "double", "currency", "percent"})
ORDERABLE_AGGREGATES = AGGREGATABLE | {"date", "datetime"}


@dataclass
class CoqlResult:
    rows: list[dict[str, Any]]
    more_records: bool


@dataclass(frozen=True)
class Column:
    item: SelectItem
    steps: list[Step]

    @property
    def field(self) -> Field:
        return self.steps[-1].field


def run_coql(runtime: Runtime, caller: Caller, meta: OrgMetadata, text: str) -> CoqlResult:
    plan = runtime.limiter.policies.get(caller.org.id).plan
    if not plan.coql_enabled:
        raise FeatureNotSupported("COQL is not available in this edition", plan=plan.name)
    query = parse_coql(text)
    module = meta.module(query.module)
    if module is None or not module.api_supported:
        raise InvalidQuery(
            "invalid module given",
            clause="from",
            module=query.module,
            reason="the module is not supported",
        )
    return execute(runtime, caller, meta, module, query, plan.coql_max_limit, plan.coql_max_offset)


def _columns(meta: OrgMetadata, module: Module, query: CoqlQuery) -> list[Column]:
    if len(query.select) > MAX_COLUMNS:
        raise LimitExceeded("column limit exceeded", clause="select", limit=MAX_COLUMNS)
    seen: set[str] = set()
    out = []
    for item in query.select:
        if item.key in seen:
            raise DuplicateData("duplicate column", clause="select", column_name=item.key)
        seen.add(item.key)
        steps = resolve_path(meta, module, item.path, COQL, clause="select") if item.path else []
        if item.function and steps:
            kind = steps[-1].field.data_type
            allowed = ORDERABLE_AGGREGATES if item.function in ("MIN", "MAX") else AGGREGATABLE
            if item.function != "COUNT" and kind not in allowed:
                raise InvalidQuery(
                    "data type not supported", clause="select", column_name=item.key, data_type=kind
                )
        elif steps and steps[-1].field.data_type in (
            "multiselectlookup",
            "subform",
            "imageupload",
            "fileupload",
        ):
            raise InvalidQuery(
                "data type not supported",
                clause="select",
                column_name=item.key,
                data_type=steps[-1].field.data_type,
            )
        out.append(Column(item, steps))
    if sum(1 for c in out if c.item.function) > MAX_AGGREGATES:
        raise LimitExceeded("aggregate limit exceeded", clause="select", limit=MAX_AGGREGATES)
    return out


def execute(
    runtime: Runtime,
    caller: Caller,
    meta: OrgMetadata,
    module: Module,
    query: CoqlQuery,
    max_limit: int,
    max_offset: int,
) -> CoqlResult:
    columns = _columns(meta, module, query)
    limit = DEFAULT_LIMIT if query.limit is None else query.limit
    offset = query.offset or 0
    if limit < 1:
        raise InvalidQuery("the limit must be at least 1", clause="limit")
    if limit > max_limit:
        raise LimitExceeded("limit exceeded", clause="limit", limit=max_limit)
    if offset + limit > max_offset:
        raise LimitExceeded("offset limit exceeded", clause="limit", by="offset", limit=max_offset)
    if len(query.group_by) > MAX_GROUP_BY:
        raise LimitExceeded("group by limit exceeded", clause="group by", limit=MAX_GROUP_BY)
    if len(query.order_by) > MAX_ORDER_BY:
        raise LimitExceeded("order by limit exceeded", clause="order by", limit=MAX_ORDER_BY)
    aggregated = any(c.item.function for c in columns) or bool(query.group_by)
    with runtime.db.read_org(caller.org.id) as scope:
        compiler = Compiler(caller.org.id, scope.dialect, meta, module)
        where = compiler.compile(bind(query.where, meta, module, COQL)) if query.where else None

        def value(steps: list[Step]) -> Any:
            return compiler.value_of(tuple(s.field for s in steps), tuple(s.module for s in steps))

        selected: list[Any] = []
        for number, column in enumerate(columns):
            selected.append(_expression(column, value, scope.dialect).label(f"c{number}"))
        group_exprs = []
        group_keys = set()
        for path in query.group_by:
            steps = resolve_path(meta, module, path, COQL, clause="group by")
            group_exprs.append(value(steps))
            group_keys.add(".".join(path))
        if aggregated:
            loose = [
                c.item.key for c in columns if not c.item.function and c.item.key not in group_keys
            ]
            if loose:
                raise InvalidQuery(
                    "every selected column must be grouped or aggregated",
                    clause="group by",
                    column_name=loose[0],
                )
        else:
            selected.append(records.c.id.label("record_id"))
        order = []
        for item, descending in query.order_by:
            if item.function:
                match = next((c for c in columns if c.item.key == item.key), None)
                if match is None:
                    raise InvalidQuery(
                        "order by an aggregate that is selected",
                        clause="order by",
                        column_name=item.key,
                    )
                expr = _expression(match, value, scope.dialect)
            else:
                expr = value(resolve_path(meta, module, item.path, COQL, clause="order by"))
            order.append(expr.desc() if descending else expr.asc())
        if not aggregated:
            order.append(records.c.id.asc())
        conditions = [records.c.org_id == caller.org.id, records.c.module_id == module.id]
        if where is not None:
            conditions.append(where)
        statement = select(*selected).select_from(compiler.from_clause()).where(and_(*conditions))
        if group_exprs:
            statement = statement.group_by(*group_exprs)
        rows = scope.rows(statement.order_by(*order).offset(offset).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    tz = caller.user.time_zone
    out = []
    for row in rows:
        record: dict[str, Any] = {}
        for number, column in enumerate(columns):
            raw = row._mapping[f"c{number}"]
            record[column.item.alias or column.item.key] = (
                _aggregate_value(raw)
                if column.item.function
                else render_value(column.field, raw, tz)
            )
        if not aggregated:
            record["id"] = str(row._mapping["record_id"])
        out.append(record)
    return CoqlResult(out, more)


def _expression(column: Column, value: Any, dialect: str) -> Any:
    function = column.item.function
    if function is None:
        return value(column.steps)
    if not column.steps:  # COUNT(*)
        return func.count()
    expr = value(column.steps)
    if function == "COUNT":
        return func.count(expr)
    if dialect == "postgresql" and column.field.data_type in AGGREGATABLE:
        expr = cast(expr, Float)
    return getattr(func, function.lower())(expr)


def _aggregate_value(raw: Any) -> Any:
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if raw is not None and not isinstance(raw, (int, float, str)):
        return float(raw)
    return raw


def render_value(field: Field, raw: Any, tz: str) -> Any:
    """A selected value as COQL v6 renders it (lookups as {"id"})."""
    if raw is None:
        return [] if field.data_type == "multiselectpicklist" else None
    kind = field.data_type
    if field.is_lookup:
        return {"id": str(raw)}
    if kind == "datetime":
        return to_wire(str(raw), tz)
    if kind == "bigint":
        return str(raw)
    if kind == "integer":
        return int(raw)
    if kind in ("double", "currency", "percent"):
        return float(raw)
    if kind == "boolean":
        return raw in (True, 1, "true", "1")
    if kind == "multiselectpicklist":
        return orjson.loads(raw) if isinstance(raw, (str, bytes)) else list(raw)
    return raw if isinstance(raw, str) else str(raw)


__all__ = ["CoqlResult", "ast", "run_coql"]
