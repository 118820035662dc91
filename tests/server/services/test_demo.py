"""The demo org generator: deterministic, valid through the real writer, linked up."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from zcrm.server.runtime import Runtime
from zcrm.server.services import demo, oauth
from zcrm.server.services.demo import COUNTS, Ref, demo_access, generate, has_records, seed_demo
from zcrm.testing import OrgHandle

TODAY = date(2025, 3, 14)


def refs(record: dict[str, Any]) -> list[tuple[str, Ref]]:
    return [(key, value) for key, value in record.items() if isinstance(value, Ref)]


def test_same_seed_same_records_other_seed_other_records() -> None:
    assert generate(7, TODAY) == generate(7, TODAY)
    assert generate(7, TODAY) != generate(8, TODAY)


def test_a_few_hundred_records_across_the_standard_modules() -> None:
    data = generate(demo.DEFAULT_SEED, TODAY)
    assert {name: len(rows) for name, rows in data.items()} == COUNTS
    assert 300 <= sum(COUNTS.values()) <= 1000
    leads = data["Leads"]
    for field in ("Lead_Source", "Lead_Status", "Industry"):
        assert len({lead[field] for lead in leads}) >= 5, field
    assert all(lead["Email"] and lead["Phone"] and lead["Company"] for lead in leads)
    assert len({lead["Email"] for lead in leads + data["Contacts"]}) == len(leads) + len(
        data["Contacts"]
    )
    stages = {deal["Stage"] for deal in data["Deals"]}
    assert {"Qualification", "Closed Won"} <= stages and len(stages) >= 6


def test_links_point_at_records_inserted_earlier() -> None:
    data = generate(demo.DEFAULT_SEED, TODAY)
    order = list(data)
    for module, rows in data.items():
        for row in rows:
            for _, ref in refs(row):
                assert order.index(ref.module) < order.index(module)
                assert 0 <= ref.index < COUNTS[ref.module]
    assert all(isinstance(c["Account_Name"], Ref) for c in data["Contacts"])
    assert all(isinstance(d["Account_Name"], Ref) for d in data["Deals"])
    for module in ("Tasks", "Calls", "Events"):
        assert all(isinstance(row["What_Id"], Ref) for row in data[module])
        assert any("Who_Id" in row for row in data[module])
    assert all(isinstance(note["Parent_Id"], Ref) for note in data["Notes"])


def test_dates_follow_today() -> None:
    data = generate(demo.DEFAULT_SEED, TODAY)
    for deal in data["Deals"]:
        closing = date.fromisoformat(deal["Closing_Date"])
        assert (closing < TODAY) == deal["Stage"].startswith("Closed")
    for call in data["Calls"]:
        started = date.fromisoformat(call["Call_Start_Time"][:10])
        assert ("Call_Duration" in call) == (started < TODAY)


def test_resolve_refs_adds_the_module_of_multi_module_lookups() -> None:
    ids = {"Deals": [11, 12], "Contacts": [21]}
    record = {"Subject": "x", "What_Id": Ref("Deals", 1), "Who_Id": Ref("Contacts", 0)}
    assert demo.resolve_refs(record, ids) == {
        "Subject": "x",
        "What_Id": {"id": "12"},
        "$se_module": "Deals",
        "Who_Id": {"id": "21"},
    }


def test_seeding_writes_every_record_through_the_writer(
    runtime: Runtime, org: OrgHandle, api: Any
) -> None:
    assert not has_records(runtime, org.org_id)
    # seed_demo raises DemoDataError on any per-record error, so success means all were valid.
    counts = seed_demo(runtime, org.org_id, seed=3, today=TODAY)
    assert counts == COUNTS
    assert has_records(runtime, org.org_id)
    for module, expected in COUNTS.items():
        response = api.get(f"{module}/actions/count")
        assert response.status_code == 200, response.text
        assert response.json()["count"] == expected, module

    deals = api.get("Deals", params={"fields": "Deal_Name,Account_Name,Contact_Name,Stage"})
    assert deals.status_code == 200
    first = deals.json()["data"][0]
    assert first["Account_Name"]["name"] and first["Account_Name"]["id"].isdigit()
    tasks = api.get("Tasks", params={"fields": "Subject,What_Id,Who_Id"}).json()["data"]
    assert {task["$se_module"] for task in tasks} <= {"Deals", "Accounts", "Leads"}
    contacts = api.get("Contacts", params={"fields": "Last_Name,Account_Name"}).json()["data"]
    assert all(contact["Account_Name"]["name"] for contact in contacts)


def test_demo_access_creates_the_client_once_then_rotates_its_secret(
    runtime: Runtime, org: OrgHandle, http: Any
) -> None:
    first = demo_access(runtime, org.org_id, org.admin_id)
    second = demo_access(runtime, org.org_id, org.admin_id)
    assert second.client_id == first.client_id
    assert second.client_secret != first.client_secret
    assert second.refresh_token != first.refresh_token

    with pytest.raises(oauth.OAuthError) as refused:
        oauth.refresh_access_token(
            runtime,
            client_id=first.client_id,
            client_secret=first.client_secret,
            refresh_token=first.refresh_token,
        )
    assert refused.value.error == "invalid_client_secret"
    refreshed = oauth.refresh_access_token(
        runtime,
        client_id=second.client_id,
        client_secret=second.client_secret,
        refresh_token=first.refresh_token,  # older refresh tokens stay valid
    )
    response = http.get(
        "/crm/v6/Leads",
        params={"fields": "Last_Name"},
        headers={"Authorization": f"Zoho-oauthtoken {refreshed.access_token}"},
    )
    assert response.status_code == 204  # a fresh org: no leads, but a valid token
