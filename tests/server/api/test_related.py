"""/crm/{version}/{module}/{id}/{related_list} (api/related.py)."""

from __future__ import annotations

from typing import Any

import pytest


def test_account_contacts_and_deals(api: Any) -> None:
    (account,) = api.create("Accounts", {"Account_Name": "Northwind"})
    (other,) = api.create("Accounts", {"Account_Name": "Other"})
    contacts = api.create(
        "Contacts",
        {"Last_Name": "A", "Account_Name": {"id": account}},
        {"Last_Name": "B", "Account_Name": {"id": account}},
        {"Last_Name": "C", "Account_Name": {"id": other}},
    )
    api.create(
        "Deals", {"Deal_Name": "D", "Stage": "Qualification", "Account_Name": {"id": account}}
    )
    listed = api.get(f"Accounts/{account}/Contacts", params={"fields": "Last_Name,Account_Name"})
    assert listed.status_code == 200
    data = listed.json()["data"]
    assert sorted(r["id"] for r in data) == sorted(contacts[:2])
    assert data[0]["Account_Name"] == {"name": "Northwind", "id": account}
    deals = api.get(f"Accounts/{account}/Deals", params={"fields": "Deal_Name"}).json()["data"]
    assert [d["Deal_Name"] for d in deals] == ["D"]
    assert api.get(f"Accounts/{other}/Deals", params={"fields": "Deal_Name"}).status_code == 204


def test_notes_of_a_record(api: Any) -> None:
    (lead,) = api.create("Leads", {"Last_Name": "L"})
    (contact,) = api.create("Contacts", {"Last_Name": "C"})
    created = api.post(
        f"Leads/{lead}/Notes",
        json={"data": [{"Note_Title": "Call", "Note_Content": "Asked for pricing"}]},
    )
    assert created.status_code == 201
    api.post(f"Contacts/{contact}/Notes", json={"data": [{"Note_Content": "other"}]})
    notes = api.get(f"Leads/{lead}/Notes", params={"fields": "Note_Content,Parent_Id"}).json()
    assert [n["Note_Content"] for n in notes["data"]] == ["Asked for pricing"]
    parent = notes["data"][0]["Parent_Id"]
    assert parent["id"] == lead and parent["name"] == "L"
    assert parent["module"]["api_name"] == "Leads"


def test_notes_created_directly_with_parent_object(api: Any) -> None:
    (lead,) = api.create("Leads", {"Last_Name": "L"})
    response = api.post(
        "Notes",
        json={
            "data": [
                {"Note_Content": "x", "Parent_Id": {"module": {"api_name": "Leads"}, "id": lead}},
                {"Note_Content": "y", "Parent_Id": lead, "se_module": "Leads"},
                {
                    "Note_Content": "z",
                    "Parent_Id": {"module": {"api_name": "Accounts"}, "id": lead},
                },
                {"Note_Content": "no parent"},
            ]
        },
    )
    codes = [i["code"] for i in response.json()["data"]]
    assert codes == ["SUCCESS", "SUCCESS", "INVALID_DATA", "MANDATORY_NOT_FOUND"]


def test_link_and_unlink(api: Any) -> None:
    (account,) = api.create("Accounts", {"Account_Name": "Northwind"})
    (c1, c2) = api.create("Contacts", {"Last_Name": "A"}, {"Last_Name": "B"})
    linked = api.put(f"Accounts/{account}/Contacts", json={"data": [{"id": c1}, {"id": c2}]})
    assert linked.status_code == 200
    assert linked.json()["data"][0] == {
        "code": "SUCCESS",
        "details": {"id": c1},
        "message": "relation updated",
        "status": "success",
    }
    assert len(api.get(f"Accounts/{account}/Contacts").json()["data"]) == 2
    removed = api.delete(f"Accounts/{account}/Contacts/{c1}")
    assert removed.json()["data"][0]["message"] == "relation removed"
    remaining = api.get(f"Accounts/{account}/Contacts").json()["data"]
    assert [r["id"] for r in remaining] == [c2]
    again = api.delete(f"Accounts/{account}/Contacts", params={"ids": f"{c1},{c2}"})
    assert [i["code"] for i in again.json()["data"]] == ["INVALID_DATA", "SUCCESS"]
    assert api.get(f"Accounts/{account}/Contacts").status_code == 204
    assert api.get(f"Contacts/{c2}").json()["data"][0]["Account_Name"] is None


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("Accounts/{account}/Unicorns", "INVALID_DATA"),
        ("Accounts/4876876000000000001/Contacts", "INVALID_DATA"),
        ("Accounts/abc/Contacts", "INVALID_DATA"),
        ("Nope/{account}/Contacts", "INVALID_MODULE"),
    ],
)
def test_related_errors(api: Any, path: str, code: str) -> None:
    (account,) = api.create("Accounts", {"Account_Name": "Northwind"})
    response = api.get(path.format(account=account))
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_related_needs_scopes_of_both_modules(api: Any) -> None:
    (account,) = api.create("Accounts", {"Account_Name": "Northwind"})
    only_accounts = api.with_scopes("ZohoCRM.modules.accounts.READ")
    response = only_accounts.get(f"Accounts/{account}/Contacts")
    assert response.status_code == 401
    assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    both = api.with_scopes("ZohoCRM.modules.accounts.READ,ZohoCRM.modules.contacts.READ")
    assert both.get(f"Accounts/{account}/Contacts").status_code == 204


def test_cannot_detach_a_mandatory_lookup(api: Any) -> None:
    (lead,) = api.create("Leads", {"Last_Name": "L"})
    note = api.post(f"Leads/{lead}/Notes", json={"data": [{"Note_Content": "n"}]})
    note_id = note.json()["data"][0]["details"]["id"]
    response = api.delete(f"Leads/{lead}/Notes/{note_id}")
    assert response.status_code == 400
    assert response.json()["code"] == "NOT_ALLOWED"
