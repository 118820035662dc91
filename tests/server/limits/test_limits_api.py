"""API limits as a client sees them: headers, 429s, credits, windows (server/limits/*)."""

from __future__ import annotations

from typing import Any

import pytest

from zcrm.server.limits.decision import UsageKey
from zcrm.server.services.orgs import set_limits, set_plan
from zcrm.server.services.plans import PLANS, resolve_plan

LIST = {"fields": "Last_Name"}


def test_every_response_carries_the_rate_headers(api: Any, limiter_backend: str) -> None:
    first = api.get("Leads", params=LIST)
    second = api.post("Leads", json={"data": [{"First_Name": "no last name"}]})
    for response in (first, second):
        assert response.headers["X-RATELIMIT-LIMIT"] == "25000"
    assert int(first.headers["X-RATELIMIT-REMAINING"]) == 24999
    assert int(second.headers["X-RATELIMIT-REMAINING"]) == 24998
    assert 0 < int(first.headers["X-RATELIMIT-RESET"]) <= 86400


def test_daily_quota_then_429_that_costs_nothing(
    api: Any, runtime: Any, limiter_backend: str
) -> None:
    set_limits(runtime, api.org.org_id, api_calls_per_day=3)
    for n in range(3):
        assert api.get("Leads", params=LIST).status_code == 204
        if n == 0:  # the calls straddle a minute (the window counts by the minute)
            runtime.clock.advance(60.5 - runtime.clock.timestamp() % 60)
    refused = api.get("Leads", params=LIST)
    assert refused.status_code == 429
    assert refused.json() == {
        "code": "API_LIMIT_EXCEEDED",
        "details": {},
        "message": "API call limit for the 24 hour period is exceeded",
        "status": "error",
    }
    assert refused.headers["X-RATELIMIT-REMAINING"] == "0"
    retry_after = int(refused.headers["Retry-After"])
    assert 86000 < retry_after <= 86400
    # Refused calls cost nothing: a call goes through when Retry-After said (when the
    # oldest credit is freed; the other two are still spent) …
    runtime.clock.advance(retry_after)
    api.renew()
    after = api.get("Leads", params=LIST)
    assert after.status_code == 204 and after.headers["X-RATELIMIT-REMAINING"] == "0"
    # … and later that day the whole quota is back, less that one call.
    runtime.clock.advance(86400 - 120)
    api.renew()
    again = api.get("Leads", params=LIST)
    assert again.status_code == 204
    assert again.headers["X-RATELIMIT-REMAINING"] == "1"


def test_writes_cost_a_credit_per_ten_records(api: Any, runtime: Any, limiter_backend: str) -> None:
    response = api.post("Leads", json={"data": [{"Last_Name": f"L{i}"} for i in range(100)]})
    assert response.status_code == 201
    assert response.headers["X-RATELIMIT-REMAINING"] == str(25000 - 10)
    set_limits(runtime, api.org.org_id, api_calls_per_day=15)
    refused = api.post("Leads", json={"data": [{"Last_Name": f"L{i}"} for i in range(51)]})
    assert refused.status_code == 429  # 6 credits, 5 left
    assert api.get("Leads/actions/count").json() == {"count": 100}


def test_burst_limit_per_minute(api: Any, runtime: Any, limiter_backend: str) -> None:
    set_limits(runtime, api.org.org_id, burst_per_minute=2)
    runtime.clock.set(runtime.clock.now().replace(second=1))
    assert api.get("Leads", params=LIST).status_code == 204
    assert api.get("Leads", params=LIST).status_code == 204
    refused = api.get("Leads", params=LIST)
    assert refused.status_code == 429
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    runtime.clock.advance(60)
    assert api.get("Leads", params=LIST).status_code == 204


def test_concurrency_limit(api: Any, runtime: Any, limiter_backend: str) -> None:
    set_limits(runtime, api.org.org_id, concurrency=2)
    key = UsageKey(api.org.org_id, api.org.client.client_id, "held")
    held = [runtime.limiter.acquire(key, 1) for _ in range(2)]
    assert all(d.allowed for d in held)
    refused = api.get("Leads", params=LIST)
    assert refused.status_code == 429
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    assert refused.headers["Retry-After"] == "1"
    runtime.limiter.release(key, held[0])
    assert api.get("Leads", params=LIST).status_code == 204


@pytest.mark.parametrize("plan", list(PLANS))
def test_plan_figures(api: Any, runtime: Any, plan: str) -> None:
    set_plan(runtime, api.org.org_id, plan)
    response = api.get("Leads", params=LIST)
    assert response.headers["X-RATELIMIT-LIMIT"] == str(PLANS[plan].api_calls_per_day)
    limit = resolve_plan(plan).max_records_per_write
    too_many = api.post("Leads", json={"data": [{"Last_Name": "x"}] * (limit + 1)})
    assert too_many.json()["details"]["limit"] == limit


def test_seed_guide_figures() -> None:
    table = {
        name: (p.api_calls_per_day, p.max_records_per_write, p.concurrency, p.coql_enabled)
        for name, p in PLANS.items()
    }
    assert table == {
        "free": (1000, 100, 5, False),
        "standard": (5000, 100, 10, False),
        "professional": (10000, 200, 15, True),
        "enterprise": (25000, 200, 20, True),
        "ultimate": (50000, 200, 25, True),
    }


def test_usage_is_recorded_per_client_and_api(api: Any, runtime: Any, limiter_backend: str) -> None:
    api.get("Leads", params=LIST)
    api.post("Leads", json={"data": [{"Last_Name": f"L{i}"} for i in range(20)]})
    rows = runtime.limiter.usage(api.org.org_id)
    by_api = {r.api: (r.calls, r.credits) for r in rows}
    assert by_api == {"list_records": (1, 1), "insert_records": (1, 2)}
    assert {r.client_id for r in rows} == {api.org.client.client_id}
