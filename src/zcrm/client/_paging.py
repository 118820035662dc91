"""How to ask for the next page: pure decisions shared by the sync and async iterators."""

from __future__ import annotations

import re
from typing import Any

DISCRETE_LIMIT = 2000  # records reachable with page numbers alone
_LIMIT_CLAUSE = re.compile(r"\blimit\s+\d+(\s*,\s*\d+|\s+offset\s+\d+)?\s*;?\s*$", re.IGNORECASE)


def next_list_params(params: dict[str, Any], info: dict[str, Any]) -> dict[str, Any] | None:
    """Params for the page after the one ``info`` describes, or None at the end."""
    if not info.get("more_records"):
        return None
    token = info.get("next_page_token")
    if token:
        out = {k: v for k, v in params.items() if k != "page"}
        out["page_token"] = token
        return out
    page = int(params.get("page", 1)) + 1
    per_page = int(params.get("per_page", 200))
    if page * per_page > DISCRETE_LIMIT:
        return None
    return {**params, "page": page}


def next_search_params(params: dict[str, Any], info: dict[str, Any]) -> dict[str, Any] | None:
    """Search stops at 2000 records (LIMIT_REACHED beyond): pages only."""
    if not info.get("more_records"):
        return None
    page = int(params.get("page", 1)) + 1
    if page * int(params.get("per_page", 200)) > DISCRETE_LIMIT:
        return None
    return {**params, "page": page}


def coql_pages(query: str, page_size: int) -> tuple[str, bool]:
    """The query without a trailing semicolon, and whether the client may page it.

    A query that names its own LIMIT is run once, as written.
    """
    text = query.strip().rstrip(";").strip()
    return text, _LIMIT_CLAUSE.search(text) is None


def coql_query(base: str, offset: int, page_size: int) -> str:
    return f"{base} limit {offset}, {page_size}"


def snake_to_module(name: str) -> str:
    """``leads`` -> ``Leads``, ``sales_orders`` -> ``Sales_Orders``."""
    return "_".join(part[:1].upper() + part[1:] for part in name.split("_"))
