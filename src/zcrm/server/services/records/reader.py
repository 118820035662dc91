"""Reading records: lists with pages and page tokens, one record, related and deleted lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from zcrm.server.errors import (
    AmbiguityDuringProcessing,
    DiscretePaginationLimitExceeded,
    PaginationLimitExceeded,
)
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import Module, OrgMetadata
from zcrm.server.services.records import page_tokens
from zcrm.server.services.records.serialize import render_rows
from zcrm.server.storage.documents import doc_value, raw_value
from zcrm.server.storage.schema import records, recycle_bin, users
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage, to_wire, wire_now

DISCRETE_LIMIT = 2000
TOKEN_LIMIT = 100_000
SORT_COLUMNS = {
    "id": records.c.id,
    "Created_Time": records.c.created_time,
    "Modified_Time": records.c.modified_time,
}


@dataclass
class ListQuery:
    fields: list[str] | None
    ids: list[int] | None = None
    sort_by: str = "id"
    sort_order: str = "desc"
    page: int = 1
    per_page: int = 200
    page_token: str | None = None
    converted: str = "false"  # Leads: true | false | both
    modified_since: datetime | None = None
    # Extra equality filters on document keys (related lists): (key, data type, value)
    where: tuple[tuple[str, str, Any], ...] = ()


@dataclass
class Page:
    data: list[dict[str, Any]]
    info: dict[str, Any]
    not_modified: bool = False


def _base_conditions(scope: OrgScope, module: Module, query: ListQuery) -> list[Any]:
    conditions: list[Any] = [scope.owns(records), records.c.module_id == module.id]
    if query.ids:
        conditions.append(records.c.id.in_(query.ids))
    if "Converted__s" in module.by_name and query.converted != "both":
        converted = raw_value(records, "Converted__s", scope.dialect)
        if scope.dialect == "postgresql":
            flag = func.coalesce(converted, "false") == "true"
        else:
            flag = func.coalesce(converted, 0) == 1
        conditions.append(flag if query.converted == "true" else ~flag)
    for key, data_type, value in query.where:
        conditions.append(doc_value(records, key, data_type, scope.dialect) == value)
    return conditions


def list_records(
    runtime: Runtime,
    caller: Caller,
    meta: OrgMetadata,
    module: Module,
    query: ListQuery,
) -> Page:
    if query.page_token and query.page > 1:
        raise AmbiguityDuringProcessing(ambiguity_due_to=["page", "page_token"])
    sort_column = SORT_COLUMNS[query.sort_by]
    descending = query.sort_order == "desc"
    binding = page_tokens.binding_digest(
        {
            "module": module.id,
            "fields": sorted(query.fields or []),
            "sort_by": query.sort_by,
            "sort_order": query.sort_order,
            "per_page": query.per_page,
            "ids": query.ids,
            "converted": query.converted,
            "where": repr(query.where),
        }
    )
    now = runtime.clock.timestamp()
    cursor = None
    if query.page_token:
        cursor = page_tokens.decode(
            runtime.secret, query.page_token, user_id=caller.user.id, binding=binding, now=now
        )
        offset = 0
        served_before = cursor.served
        if served_before >= TOKEN_LIMIT:
            raise PaginationLimitExceeded(limit=TOKEN_LIMIT)
    else:
        if query.page * query.per_page > DISCRETE_LIMIT:
            raise DiscretePaginationLimitExceeded(limit=DISCRETE_LIMIT)
        offset = (query.page - 1) * query.per_page
        served_before = offset
    with runtime.db.read_org(caller.org.id) as scope:
        conditions = _base_conditions(scope, module, query)
        if query.modified_since is not None:
            since = to_storage(query.modified_since)
            newer = scope.scalar(
                select(func.count())
                .select_from(records)
                .where(*conditions, records.c.modified_time > since)
            )
            if not newer:
                return Page([], {}, not_modified=True)
            conditions.append(records.c.modified_time > since)
        if cursor is not None:
            conditions.append(_after(sort_column, cursor.last_sort, cursor.last_id, descending))
        order = (
            [sort_column.desc(), records.c.id.desc()]
            if descending
            else [sort_column.asc(), records.c.id.asc()]
        )
        if sort_column is records.c.id:
            order = order[:1]
        rows = scope.rows(
            select(records)
            .where(*conditions)
            .order_by(*order)
            .offset(offset)
            .limit(query.per_page + 1)
        )
        more = len(rows) > query.per_page
        rows = rows[: query.per_page]
        data = render_rows(scope, meta, module, rows, query.fields, caller.user.time_zone)
    served = served_before + len(rows)
    info: dict[str, Any] = {
        "call": False,
        "per_page": query.per_page,
        "next_page_token": None,
        "count": len(rows),
        "sort_by": query.sort_by,
        "page": query.page if cursor is None else served_before // query.per_page + 1,
        "previous_page_token": None,
        "page_token_expiry": None,
        "sort_order": query.sort_order,
        "email": False,
        "more_records": more,
    }
    if more and rows and served < TOKEN_LIMIT:
        last = rows[-1]
        expires = now + page_tokens.TOKEN_LIFETIME_SECONDS
        info["next_page_token"] = page_tokens.encode(
            runtime.secret,
            page_tokens.Cursor(
                caller.user.id,
                binding,
                getattr(last, sort_column.key),
                last.id,
                served,
                expires,
            ),
        )
        info["page_token_expiry"] = wire_now(
            datetime.fromtimestamp(expires, UTC), caller.user.time_zone
        )
    return Page(data, info)


def _after(column: Any, last_sort: Any, last_id: int, descending: bool) -> Any:
    if column is records.c.id:
        return records.c.id < last_id if descending else records.c.id > last_id
    if descending:
        return or_(column < last_sort, and_(column == last_sort, records.c.id < last_id))
    return or_(column > last_sort, and_(column == last_sort, records.c.id > last_id))


def get_record(
    runtime: Runtime,
    caller: Caller,
    meta: OrgMetadata,
    module: Module,
    record_id: int,
    fields: list[str] | None,
) -> dict[str, Any] | None:
    with runtime.db.read_org(caller.org.id) as scope:
        rows = scope.rows(
            scope.select(records).where(records.c.module_id == module.id, records.c.id == record_id)
        )
        if not rows:
            return None
        return render_rows(scope, meta, module, rows, fields, caller.user.time_zone)[0]


def record_exists(runtime: Runtime, caller: Caller, module: Module, record_id: int) -> bool:
    with runtime.db.read_org(caller.org.id) as scope:
        return (
            scope.execute(
                scope.select(records, records.c.id).where(
                    records.c.module_id == module.id, records.c.id == record_id
                )
            ).first()
            is not None
        )


def count_records(runtime: Runtime, caller: Caller, module: Module) -> int:
    with runtime.db.read_org(caller.org.id) as scope:
        return int(
            scope.scalar(
                select(func.count())
                .select_from(records)
                .where(*_base_conditions(scope, module, ListQuery(fields=None, converted="both")))
            )
            or 0
        )


def deleted_records(
    runtime: Runtime,
    caller: Caller,
    module: Module,
    kind: str,
    page: int,
    per_page: int,
    modified_since: datetime | None,
) -> Page:
    tz = caller.user.time_zone
    with runtime.db.read_org(caller.org.id) as scope:
        query = scope.select(recycle_bin).where(recycle_bin.c.module_id == module.id)
        if kind != "all":
            query = query.where(recycle_bin.c.type == kind)
        if modified_since is not None:
            query = query.where(recycle_bin.c.deleted_time > to_storage(modified_since))
        rows = scope.rows(
            query.order_by(recycle_bin.c.deleted_time.desc(), recycle_bin.c.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
        more = len(rows) > per_page
        rows = rows[:per_page]
        user_ids = {r.deleted_by for r in rows} | {r.created_by for r in rows}
        names = {
            u.id: " ".join(p for p in (u.first_name, u.last_name) if p)
            for u in scope.rows(
                scope.select(users, users.c.id, users.c.first_name, users.c.last_name).where(
                    users.c.id.in_([i for i in user_ids if i is not None])
                )
            )
        }
    if not rows and modified_since is not None:
        return Page([], {}, not_modified=True)

    def user(user_id: int | None, permanent: bool) -> dict[str, str] | None:
        if user_id is None or permanent:
            return None
        return {"name": names.get(user_id, ""), "id": str(user_id)}

    data = []
    for row in rows:
        permanent = row.type == "permanent"
        data.append(
            {
                "deleted_by": user(row.deleted_by, permanent),
                "id": str(row.id),
                "display_name": None if permanent else row.display_name,
                "type": row.type,
                "created_by": user(row.created_by, permanent),
                "deleted_time": to_wire(row.deleted_time, tz),
            }
        )
    info = {"per_page": per_page, "count": len(data), "page": page, "more_records": more}
    return Page(data, info)
