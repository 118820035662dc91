"""/_emulator/… controls and fault injection (api/emulator.py, emulator/*)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from zcrm.server.app import create_app
from zcrm.server.runtime import Runtime
from zcrm.settings import Settings
from zcrm.testing.live import LiveServer

LIST = {"fields": "Last_Name"}


@pytest.fixture
def faults(api: Any) -> Any:
    """Add faults limited to this test's org (the database is shared by every test)."""
    added: list[str] = []

    def add(**spec: Any) -> dict[str, Any]:
        response = api.http.post("/_emulator/faults", json={"org_id": api.org.org_id, **spec})
        assert response.status_code == 201, response.text
        fault: dict[str, Any] = response.json()["fault"]
        added.append(fault["id"])
        return fault

    yield add
    api.http.delete("/_emulator/faults", params={"org_id": api.org.org_id})


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (500, "INTERNAL_ERROR", "Internal Server Error"),
        (429, "API_LIMIT_EXCEEDED", "API call limit for the 24 hour period is exceeded"),
        (401, "INVALID_TOKEN", "invalid oauth token"),
    ],
)
def test_status_faults_answer_with_zoho_errors(
    api: Any, faults: Any, status: int, code: str, message: str
) -> None:
    faults(route="/crm/v6/Leads", method="GET", status=status, count=1)
    hit = api.get("Leads", params=LIST)
    assert hit.status_code == status
    assert hit.json() == {"code": code, "details": {}, "message": message, "status": "error"}
    assert api.get("Leads", params=LIST).status_code == 204  # count 1: used up


def test_fault_matches_route_glob_and_method(api: Any, faults: Any) -> None:
    faults(route="/crm/v6/Lead*", method="POST", status=500)
    assert api.get("Leads", params=LIST).status_code == 204
    assert api.post("Leads", json={"data": [{"Last_Name": "x"}]}).status_code == 500
    assert api.post("Contacts", json={"data": [{"Last_Name": "x"}]}).status_code == 201


def test_fault_with_retry_after_and_custom_code(api: Any, faults: Any) -> None:
    faults(status=429, code="TOO_MANY_REQUESTS", retry_after=7, count=2)
    first = api.get("Leads", params=LIST)
    assert first.json()["code"] == "TOO_MANY_REQUESTS"
    assert first.headers["retry-after"] == "7"


def test_faults_of_another_org_do_not_apply(api: Any, faults: Any, http: Any, runtime: Any) -> None:
    from zcrm.testing import make_org
    from zcrm.testing.api import Api

    faults(status=500)
    other = Api(http, make_org(runtime))
    assert other.get("Leads", params=LIST).status_code == 204
    assert api.get("Leads", params=LIST).status_code == 500


def test_probability_is_respected(api: Any, faults: Any) -> None:
    faults(status=500, probability=0.5)
    statuses = [api.get("Leads", params=LIST).status_code for _ in range(60)]
    assert 5 < statuses.count(500) < 55
    assert set(statuses) == {204, 500}


def test_faults_are_listed_logged_and_removed(api: Any, faults: Any) -> None:
    fault = faults(route="/crm/v6/Deals*", status=503, count=3)
    listed = api.http.get("/_emulator/faults").json()["faults"]
    assert any(f["id"] == fault["id"] and f["count"] == 3 for f in listed)
    api.get("Deals", params={"fields": "Deal_Name"})
    log = api.http.get("/_emulator/faults/log").json()["log"]
    assert log[0]["fault_id"] == fault["id"] and log[0]["injected"] == "503"
    assert api.http.delete(f"/_emulator/faults/{fault['id']}").json() == {"removed": 1}
    assert api.http.delete(f"/_emulator/faults/{fault['id']}").status_code == 404
    assert api.get("Deals", params={"fields": "Deal_Name"}).status_code == 204


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"status": 99},
        {"status": 500, "probability": 0},
        {"status": 500, "count": 0},
        {"status": 500, "method": "FETCH"},
        {"status": 500, "bogus": 1},
        {"status": 500, "org_id": "abc"},
    ],
)
def test_bad_fault_specs(http: Any, spec: dict[str, Any]) -> None:
    response = http.post("/_emulator/faults", json=spec)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_DATA"


def test_latency_and_dropped_connection_over_a_real_socket(
    api: Any, faults: Any, runtime: Runtime
) -> None:
    faults(route="/crm/v6/Leads", method="GET", latency_ms=300, count=1)
    faults(route="/crm/v6/Contacts", method="GET", drop_connection=True, count=1)
    with (
        LiveServer(runtime) as server,
        httpx.Client(base_url=server.url, headers=api.headers) as client,
    ):
        slow = client.get("/crm/v6/Leads", params=LIST)
        assert slow.status_code == 204
        assert slow.elapsed.total_seconds() >= 0.3
        with pytest.raises(httpx.HTTPError):
            client.get("/crm/v6/Contacts", params=LIST)
        assert client.get("/crm/v6/Contacts", params=LIST).status_code == 204


def test_clock_controls_expire_tokens(api: Any, http: Any) -> None:
    before = http.get("/_emulator/clock").json()
    assert before["offset_seconds"] == 0
    moved = http.post("/_emulator/clock/advance", json={"seconds": 3601}).json()
    assert moved["offset_seconds"] >= 3601
    expired = api.get("Leads", params=LIST)
    assert expired.status_code == 401 and expired.json()["code"] == "INVALID_TOKEN"
    set_to = http.post("/_emulator/clock", json={"now": "2030-01-01T00:00:00Z"}).json()
    assert set_to["now"].startswith("2030-01-01T00:00:0")
    assert http.post("/_emulator/clock", json={"now": "soon"}).status_code == 400
    assert http.delete("/_emulator/clock").json()["offset_seconds"] == pytest.approx(0, abs=1)


def test_reset_and_seed(api: Any, http: Any) -> None:
    org_id = str(api.org.org_id)
    seeded = http.post("/_emulator/seed", json={"org_id": org_id, "module": "Leads", "count": 25})
    assert seeded.status_code == 201 and seeded.json()["created"] == 25
    assert api.get("Leads/actions/count").json() == {"count": 25}
    outbox = http.get("/_emulator/outbox", params={"org_id": org_id}).json()["events"]
    assert len(outbox) == 25 and outbox[0]["operation"] == "insert"
    reset = http.post("/_emulator/reset", json={"org_id": org_id}).json()
    assert reset["removed"]["records"] == 25
    assert api.get("Leads/actions/count").json() == {"count": 0}
    assert (
        http.post("/_emulator/seed", json={"org_id": org_id, "module": "Unicorns"}).status_code
        == 400
    )
    assert http.post("/_emulator/reset", json={"org_id": "42"}).status_code == 400


def test_reset_can_drop_custom_metadata(api: Any, http: Any, runtime: Any) -> None:
    meta_before = runtime.metadata.get(api.org.org_id)
    response = http.post(
        "/_emulator/reset", json={"org_id": str(api.org.org_id), "keep_metadata": False}
    )
    assert response.status_code == 200
    api.renew()
    meta_after = runtime.metadata.get(api.org.org_id)
    assert meta_after.version > meta_before.version
    assert [m.api_name for m in meta_after.modules] == [m.api_name for m in meta_before.modules]
    assert api.post("Leads", json={"data": [{"Last_Name": "x"}]}).status_code == 201


def test_production_mode_has_no_emulator_routes(runtime: Runtime) -> None:
    from starlette.testclient import TestClient

    production = Runtime(
        **{
            **runtime.__dict__,
            "settings": Settings(
                database_url=runtime.settings.database_url, mode="production", run_workers=False
            ),
        }
    )
    with TestClient(create_app(production)) as client:
        for path in ("/_emulator", "/_emulator/clock", "/_emulator/faults"):
            response = client.get(path)
            assert response.status_code == 404
            assert response.json()["code"] == "INVALID_URL_PATTERN"


def test_admin_key_required_off_loopback(runtime: Runtime) -> None:
    from starlette.testclient import TestClient

    exposed = Runtime(
        **{
            **runtime.__dict__,
            "settings": Settings(
                database_url=runtime.settings.database_url,
                host="0.0.0.0",
                admin_key="s3cret",
                run_workers=False,
            ),
        }
    )
    with TestClient(create_app(exposed)) as client:
        assert client.get("/_emulator/clock").status_code == 403
        assert (
            client.get("/_emulator/clock", headers={"X-Zcrm-Admin-Key": "wrong"}).status_code == 403
        )
        assert (
            client.get("/_emulator/clock", headers={"X-Zcrm-Admin-Key": "s3cret"}).status_code
            == 200
        )
