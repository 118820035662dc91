"""The pytest plugin's fixtures (zcrm/testing/plugin.py), used as an integration would."""

from __future__ import annotations

from typing import Any

import pytest

from zcrm.client import CRM


def test_crm_and_recorder(crm: CRM, zcrm_recorder: Any) -> None:
    result = crm.leads.create([{"Last_Name": "Recorded"}])
    assert result.succeeded
    (post,) = zcrm_recorder.calls("POST", "/crm/v6/Leads")
    assert post.json() == {"data": [{"Last_Name": "Recorded"}]}
    assert post.status == 201
    assert post.headers["authorization"].startswith("Zoho-oauthtoken ")


def test_orgs_are_fresh_per_test(crm: CRM) -> None:
    assert crm.leads.count() == 0


def test_emulator_clock_and_faults(crm: CRM, zcrm_emulator: Any) -> None:
    crm.leads.create([{"Last_Name": "A"}])
    zcrm_emulator.advance(3700)  # the access token is now stale: the client refreshes
    assert crm.leads.count() == 1
    zcrm_emulator.fault(route="/crm/v6/Leads", method="GET", status=503, count=1)
    assert [r["Last_Name"] for r in crm.leads.list(["Last_Name"])] == ["A"]
    assert zcrm_emulator.fault_log()[0]["injected"] == "503"


def test_seed_and_reset(crm: CRM, zcrm_emulator: Any) -> None:
    zcrm_emulator.seed("Contacts", 12)
    assert crm.contacts.count() == 12
    assert len(zcrm_emulator.outbox()) == 12
    zcrm_emulator.reset()
    assert crm.contacts.count() == 0


@pytest.mark.zoho_verified
def test_zoho_verified_runs_here_without_credentials(crm: CRM) -> None:
    created = crm.leads.create([{"Last_Name": "Verified"}, {"First_Name": "no last name"}])
    assert [o.ok for o in created] == [True, False]
    assert created.failed[0].code == "MANDATORY_NOT_FOUND"
    crm.leads.delete([i for i in created.ids if i])


def test_the_client_guide_example(crm: CRM, zcrm_emulator: Any, zcrm_recorder: Any) -> None:
    """docs/client.md, "Testing with the pytest plugin", as written there."""
    crm.leads.create([{"Last_Name": "Ortega"}])
    zcrm_emulator.fault(route="/crm/v6/Leads*", status=503, count=1)  # Zoho has a bad day
    assert crm.leads.count() == 1  # the client retries
    assert len(zcrm_recorder.calls("GET", "/crm/v6/Leads/actions/count")) == 2
    zcrm_emulator.advance(3700)  # the token expires…
    assert crm.leads.count() == 1  # …and is refreshed
