"""Editions (plans) and the figures that follow from them.

The default figures are the seed guide's (see ARCHITECTURE.md, "Decisions already
taken"); every figure can be overridden per org in ``orgs.settings["limits"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from zcrm.server.errors import InvalidData


@dataclass(frozen=True)
class Plan:
    name: str
    api_calls_per_day: int
    max_records_per_write: int
    coql_enabled: bool
    bulk_enabled: bool
    coql_max_limit: int
    burst_per_minute: int
    concurrency: int
    custom_fields_per_module: int
    # COQL: how far OFFSET may reach (offset + LIMIT). The v4/v5-era figure, strict.
    coql_max_offset: int = 10_000


PLANS: dict[str, Plan] = {
    p.name: p
    for p in (
        Plan("free", 1_000, 100, False, False, 200, 100, 5, 10),
        Plan("standard", 5_000, 100, False, False, 200, 200, 10, 10),
        Plan("professional", 10_000, 200, True, True, 200, 300, 15, 155),
        Plan("enterprise", 25_000, 200, True, True, 200, 400, 20, 300),
        Plan("ultimate", 50_000, 200, True, True, 200, 500, 25, 500),
    )
}
DEFAULT_PLAN = "enterprise"


def plan_names() -> list[str]:
    return list(PLANS)


def resolve_plan(name: str | None, overrides: dict[str, Any] | None = None) -> Plan:
    base = PLANS.get((name or DEFAULT_PLAN).lower())
    if base is None:
        raise InvalidData("unknown plan", param_name="plan", supported_values=plan_names())
    if not overrides:
        return base
    known = {f.name for f in fields(Plan)} - {"name"}
    return replace(base, **{k: v for k, v in overrides.items() if k in known})
