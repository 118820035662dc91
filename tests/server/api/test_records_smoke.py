from __future__ import annotations

from typing import Any


def test_insert_then_list(api: Any) -> None:
    (lead_id,) = api.create("Leads", {"Last_Name": "Smith", "First_Name": "Ann"})
    response = api.get("Leads", params={"fields": "Last_Name,Full_Name"})
    assert response.status_code == 200
    assert response.json()["data"] == [{"Last_Name": "Smith", "Full_Name": "Ann Smith", "id": lead_id}]
