"""Searching a module's records: criteria, email, phone or word (reference §4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select

from zcrm.server.errors import ExpectedParamMissing, InvalidData, LimitReached, NotSupported
from zcrm.server.query.compile import Compiler, escape_like
from zcrm.server.query.criteria import parse_criteria
from zcrm.server.query.validate import CRITERIA, bind
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import Module, OrgMetadata
from zcrm.server.services.records.reader import ListQuery, Page, _base_conditions
from zcrm.server.services.records.serialize import render_rows
from zcrm.server.storage.documents import raw_value
from zcrm.server.storage.schema import records
from zcrm.server.storage.scoped import OrgScope

REACHABLE = 2000
WORD = re.compile(r"^[\w .@'+-]{2,}$", re.UNICODE)
WORD_TYPES = frozenset({"text", "textarea", "email", "phone", "website", "picklist", "autonumber"})


@dataclass
class SearchQuery:
    criteria: str | None = None
    email: str | None = None
    phone: str | None = None
    word: str | None = None
    fields: list[str] | None = None
    page: int = 1
    per_page: int = 200
    converted: str = "false"

    def kind(self) -> str:
        for name in ("criteria", "email", "phone", "word"):  # Zoho's precedence
            if getattr(self, name):
                return name
        raise ExpectedParamMissing(param_name="criteria")


def search_filter(
    scope: OrgScope, meta: OrgMetadata, module: Module, query: SearchQuery
) -> tuple[Compiler, ColumnElement[bool]]:
    compiler = Compiler(scope.org_id, scope.dialect, meta, module)
    kind = query.kind()
    if kind == "criteria":
        assert query.criteria is not None
        node = bind(parse_criteria(query.criteria), meta, module, CRITERIA)
        return compiler, compiler.compile(node)
    if kind == "email":
        assert query.email is not None
        emails = [f for f in module.fields if f.data_type == "email"]
        wanted = query.email.strip().lower()
        return compiler, or_(
            false(),
            *(func.lower(raw_value(records, f.api_name, scope.dialect)) == wanted for f in emails),
        )
    if kind == "phone":
        assert query.phone is not None
        digits = re.sub(r"\D", "", query.phone)
        if not digits:
            raise InvalidData("the phone number given seems to be invalid", param_name="phone")
        phones = [f for f in module.fields if f.data_type == "phone"]
        return compiler, or_(
            false(),
            *(_digits(raw_value(records, f.api_name, scope.dialect)) == digits for f in phones),
        )
    assert query.word is not None
    word = query.word.strip()
    if not WORD.match(word):
        raise InvalidData(
            "the word must have at least 2 characters and no special characters", param_name="word"
        )
    pattern = "%" + escape_like(word.lower()) + "%"
    texts = [
        f
        for f in module.fields
        if f.data_type in WORD_TYPES and f.searchable and not f.system_column
    ]
    return compiler, or_(
        false(),
        *(
            func.lower(raw_value(records, f.api_name, scope.dialect)).like(pattern, escape="\\")
            for f in texts
        ),
    )


def _digits(expr: Any) -> Any:
    for char in (" ", "-", "(", ")", "+", ".", "/"):
        expr = func.replace(expr, char, "")
    return expr


def search_records(
    runtime: Runtime, caller: Caller, meta: OrgMetadata, module: Module, query: SearchQuery
) -> Page:
    if not module.searchable:
        raise NotSupported("module not supported for search", resource_path_index=0)
    if query.page * query.per_page > REACHABLE:
        raise LimitReached(limit=REACHABLE)
    with runtime.db.read_org(caller.org.id) as scope:
        compiler, condition = search_filter(scope, meta, module, query)
        base = _base_conditions(scope, module, ListQuery(fields=None, converted=query.converted))
        rows = scope.rows(
            select(records)
            .select_from(compiler.from_clause())
            .where(*base, condition)
            .order_by(records.c.id.desc())
            .offset((query.page - 1) * query.per_page)
            .limit(query.per_page + 1)
        )
        more = len(rows) > query.per_page
        rows = rows[: query.per_page]
        data = render_rows(scope, meta, module, rows, query.fields, caller.user.time_zone)
    if more and query.page * query.per_page >= REACHABLE:
        more = False
    info = {
        "per_page": query.per_page,
        "count": len(data),
        "page": query.page,
        "sort_by": "id",
        "sort_order": "desc",
        "more_records": more,
    }
    return Page(data, info)


def count_matching(
    runtime: Runtime, caller: Caller, meta: OrgMetadata, module: Module, query: SearchQuery
) -> int:
    with runtime.db.read_org(caller.org.id) as scope:
        compiler, condition = search_filter(scope, meta, module, query)
        base = _base_conditions(scope, module, ListQuery(fields=None, converted=query.converted))
        return int(
            scope.scalar(
                select(func.count()).select_from(compiler.from_clause()).where(*base, condition)
            )
            or 0
        )
