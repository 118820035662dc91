"""COQL, case by case: rows or Zoho's error with details (api/coql.py, services/coql.py)."""

from __future__ import annotations

from typing import Any

import pytest

ALL = {"Ann Smith", "Bob Jones", "Carla Brown", "Dan O'Neil", "Eve Stone", "Smith"}


def coql(dataset: Any, query: str) -> Any:
    return dataset.api.post("coql", json={"select_query": query})


WHERE: list[tuple[str, set[str]]] = [
    ("Last_Name = 'Smith'", {"Ann Smith", "Smith"}),
    ("Last_Name = 'smith'", {"Ann Smith", "Smith"}),
    ("Last_Name != 'Smith'", ALL - {"Ann Smith", "Smith"}),
    ("Last_Name <> 'Smith'", ALL - {"Ann Smith", "Smith"}),
    ("Last_Name = 'O''Neil'", {"Dan O'Neil"}),
    ('Last_Name = "Jones"', {"Bob Jones"}),
    ("Company = 'ABC'", set()),
    ("Company like 'ABC%'", {"Ann Smith", "Bob Jones"}),
    ("Company like '%inc'", {"Ann Smith"}),
    ("Company like '%(EU)%'", {"Carla Brown"}),
    ("Company not like '%abc%'", ALL - {"Ann Smith", "Bob Jones"}),
    ("Company like 'ABC_'", set()),
    ("Email like '%@abc.com'", {"Ann Smith", "Eve Stone"}),
    ("Email is null", {"Dan O'Neil", "Smith"}),
    ("Email is not null", ALL - {"Dan O'Neil", "Smith"}),
    ("Company is null", {"Eve Stone"}),
    ("Email = null", {"Dan O'Neil", "Smith"}),
    ("Email != null", ALL - {"Dan O'Neil", "Smith"}),
    ("Lead_Source = 'Cold Call'", {"Bob Jones", "Carla Brown"}),
    ("Lead_Source = Partner", {"Smith"}),
    ("Lead_Source in ('Cold Call', 'Partner')", {"Bob Jones", "Carla Brown", "Smith"}),
    ("Lead_Source not in ('Cold Call', 'Partner')", ALL - {"Bob Jones", "Carla Brown", "Smith"}),
    ("Lead_Source is null", {"Eve Stone"}),
    ("Annual_Revenue = 500", {"Ann Smith"}),
    ("Annual_Revenue > 500", {"Bob Jones", "Dan O'Neil"}),
    ("Annual_Revenue >= 500", {"Ann Smith", "Bob Jones", "Dan O'Neil"}),
    ("Annual_Revenue < 250", {"Carla Brown"}),
    ("Annual_Revenue <= 250.0", {"Carla Brown", "Smith"}),
    ("Annual_Revenue between 100 and 500", {"Ann Smith", "Carla Brown", "Smith"}),
    ("Annual_Revenue not between 100 and 500", ALL - {"Ann Smith", "Carla Brown", "Smith"}),
    ("Annual_Revenue in (100, 1500)", {"Bob Jones", "Carla Brown"}),
    ("Annual_Revenue = '500'", {"Ann Smith"}),
    ("Annual_Revenue is null", {"Eve Stone"}),
    ("No_of_Employees = 250", {"Bob Jones", "Smith"}),
    ("No_of_Employees > 5", {"Ann Smith", "Bob Jones", "Smith"}),
    ("No_of_Employees is not null", {"Ann Smith", "Bob Jones", "Dan O'Neil", "Smith"}),
    ("Email_Opt_Out = true", {"Bob Jones"}),
    ("Email_Opt_Out = 'true'", {"Bob Jones"}),
    ("Email_Opt_Out = false", ALL - {"Bob Jones"}),
    ("Next_Call__c > '2024-01-01T00:00:00+00:00'", {"Ann Smith", "Bob Jones"}),
    (
        "Next_Call__c between '2023-12-31T00:00:00Z' and '2024-01-31T00:00:00Z'",
        {"Ann Smith", "Carla Brown"},
    ),
    ("Next_Call__c is null", {"Dan O'Neil", "Eve Stone", "Smith"}),
    ("Renewal__c = '2025-01-31'", {"Ann Smith"}),
    ("Renewal__c >= '2025-02-01'", {"Bob Jones"}),
    ("Topics__c = 'ERP'", {"Bob Jones"}),
    ("Topics__c in ('CRM', 'ERP')", {"Ann Smith", "Bob Jones"}),
    ("Topics__c is null", ALL - {"Ann Smith", "Bob Jones"}),
    ("Created_Time > '2000-01-01T00:00:00+00:00'", ALL),
    ("Owner = {admin}", ALL),
    ("Owner.email = '{admin_email}'", ALL),
    ("Owner.last_name = 'User'", ALL),
    ("Owner.first_name = 'Nobody'", set()),
    ("id = {ann}", {"Ann Smith"}),
    ("id in ({ann}, {bob})", {"Ann Smith", "Bob Jones"}),
    ("id = '{ann}'", {"Ann Smith"}),
    ("(Last_Name = 'Smith' and Company = 'Smithson')", {"Smith"}),
    ("(Last_Name = 'Smith' or Last_Name = 'Jones')", {"Ann Smith", "Smith", "Bob Jones"}),
    (
        "((Lead_Source = 'Cold Call' and Annual_Revenue > 200) or Last_Name = 'Stone')",
        {"Bob Jones", "Eve Stone"},
    ),
    (
        "(Lead_Source = 'Cold Call' and (Annual_Revenue > 200 or Email like '%.eu'))",
        {"Bob Jones", "Carla Brown"},
    ),
    (
        "((Last_Name = 'Smith' or Last_Name = 'Jones') and (Email is not null))",
        {"Ann Smith", "Bob Jones"},
    ),
    ("Last_Name is not null", ALL),
]


def _fill(text: str, dataset: Any) -> str:
    org = dataset.api.org
    return (
        text.replace("{admin}", str(org.admin_id))
        .replace("{admin_email}", org.org.admin_email)
        .replace("{ann}", dataset.ids["Ann Smith"])
        .replace("{bob}", dataset.ids["Bob Jones"])
    )


@pytest.mark.parametrize(("where", "expected"), WHERE)
def test_where(dataset: Any, where: str, expected: set[str]) -> None:
    response = coql(dataset, f"select Last_Name from Leads where {_fill(where, dataset)}")
    if not expected:
        assert response.status_code == 204, response.text
        return
    assert response.status_code == 200, response.text
    body = response.json()
    assert {dataset.names[r["id"]] for r in body["data"]} == expected
    assert body["info"] == {"count": len(expected), "more_records": False}


def test_select_shapes(dataset: Any) -> None:
    body = coql(
        dataset,
        "SELECT Last_Name, Email, Annual_Revenue, Email_Opt_Out, Owner, "
        "Created_Time, Topics__c, Renewal__c FROM Leads WHERE Last_Name = 'Jones'",
    ).json()
    (row,) = body["data"]
    assert row["Last_Name"] == "Jones" and row["Annual_Revenue"] == 1500.0
    assert row["Email_Opt_Out"] is True and row["Topics__c"] == ["ERP"]
    assert row["Owner"] == {"id": str(dataset.api.org.admin_id)}
    assert row["Created_Time"].endswith("+00:00") and row["Renewal__c"] == "2025-06-30"
    assert row["id"] == dataset.ids["Bob Jones"]


def test_lookup_paths_and_owner(dataset: Any) -> None:
    body = coql(
        dataset,
        "select Last_Name, Account_Name, Account_Name.Account_Name, "
        "Owner.email, Account_Name.Owner.email from Contacts "
        "where Last_Name is not null order by Last_Name",
    ).json()
    rows = {r["Last_Name"]: r for r in body["data"]}
    assert rows["C1"]["Account_Name"] == {"id": dataset.accounts["Northwind"]}
    assert rows["C1"]["Account_Name.Account_Name"] == "Northwind"
    assert rows["C1"]["Account_Name.Owner.email"] == dataset.api.org.org.admin_email
    assert rows["C3"]["Account_Name"] is None and rows["C3"]["Account_Name.Account_Name"] is None
    assert rows["C2"]["Owner.email"] == dataset.api.org.org.admin_email
    filtered = coql(
        dataset, "select Last_Name from Contacts where Account_Name.Account_Name = 'Contoso'"
    ).json()
    assert [r["Last_Name"] for r in filtered["data"]] == ["C2"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("Annual_Revenue desc", ["Dan O'Neil", "Bob Jones", "Ann Smith", "Smith", "Carla Brown"]),
        ("Annual_Revenue asc", ["Carla Brown", "Smith", "Ann Smith", "Bob Jones", "Dan O'Neil"]),
        (
            "Lead_Source asc, Annual_Revenue desc",
            ["Bob Jones", "Carla Brown", "Smith", "Dan O'Neil", "Ann Smith"],
        ),
    ],
)
def test_order_by(dataset: Any, order: str, expected: list[str]) -> None:
    body = coql(
        dataset, f"select Last_Name from Leads where Annual_Revenue is not null order by {order}"
    ).json()
    assert [dataset.names[r["id"]] for r in body["data"]] == expected


def test_default_order_is_id_ascending(dataset: Any) -> None:
    body = coql(dataset, "select Last_Name from Leads where Last_Name is not null").json()
    assert [r["id"] for r in body["data"]] == sorted(dataset.ids.values())


@pytest.mark.parametrize(
    ("clause", "count", "more"),
    [
        ("limit 2", 2, True),
        ("limit 0, 2", 2, True),
        ("limit 4, 2", 2, False),
        ("limit 2 offset 4", 2, False),
        ("limit 5 offset 5", 1, False),
        ("LIMIT 200", 6, False),
    ],
)
def test_limits_and_offsets(dataset: Any, clause: str, count: int, more: bool) -> None:
    body = coql(dataset, f"select Last_Name from Leads where Last_Name is not null {clause}").json()
    assert body["info"] == {"count": count, "more_records": more}


def test_offset_pages_tile(dataset: Any) -> None:
    seen = []
    for offset in range(0, 6, 2):
        body = coql(
            dataset, f"select Last_Name from Leads where Last_Name is not null limit {offset}, 2"
        ).json()
        seen += [r["id"] for r in body["data"]]
    assert seen == sorted(dataset.ids.values())


def test_aggregates(dataset: Any) -> None:
    body = coql(
        dataset,
        "select Lead_Source, COUNT(id), SUM(Annual_Revenue), "
        "MAX(Annual_Revenue), MIN(Annual_Revenue), AVG(Annual_Revenue) from Leads "
        "where Lead_Source is not null group by Lead_Source order by Lead_Source",
    ).json()
    rows = {r["Lead_Source"]: r for r in body["data"]}
    assert rows["Cold Call"]["COUNT(id)"] == 2
    assert rows["Cold Call"]["SUM(Annual_Revenue)"] == 1600
    assert rows["Cold Call"]["MAX(Annual_Revenue)"] == 1500
    assert rows["Cold Call"]["MIN(Annual_Revenue)"] == 100
    assert rows["Cold Call"]["AVG(Annual_Revenue)"] == 800
    assert rows["Partner"]["COUNT(id)"] == 1
    total = coql(dataset, "select COUNT(id) from Leads where Last_Name is not null").json()
    assert total["data"] == [{"COUNT(id)": 6}]
    star = coql(dataset, "select count(*) from Leads where Email is null").json()
    assert star["data"] == [{"COUNT(id)": 2}]
    ordered = coql(
        dataset,
        "select Lead_Source, COUNT(id) from Leads where Lead_Source is not "
        "null group by Lead_Source order by COUNT(id) desc limit 1",
    ).json()
    assert ordered["data"] == [{"Lead_Source": "Cold Call", "COUNT(id)": 2}]


def test_keywords_any_case_and_aliases(dataset: Any) -> None:
    body = coql(
        dataset, "SeLeCt Last_Name as 'Surname' FrOm leads WhErE Last_Name = 'Jones' LiMiT 1;"
    ).json()
    assert body["data"][0]["Surname"] == "Jones"


REFUSED: list[tuple[str, int, str, dict[str, Any]]] = [
    ("select Last_Name from Leads", 400, "SYNTAX_ERROR", {"clause": "where"}),
    ("select Last_Name from Leads where", 400, "SYNTAX_ERROR", {"clause": "where"}),
    ("select from Leads where id is not null", 400, "SYNTAX_ERROR", {"clause": "select"}),
    ("select Last_Name Leads where id is not null", 400, "SYNTAX_ERROR", {}),
    ("update Leads set Last_Name = 'x' where id = 1", 400, "SYNTAX_ERROR", {"clause": "select"}),
    (
        "select Last_Name from Leads where Last_Name = 'a' and Email = 'b' and Company = 'c'",
        400,
        "SYNTAX_ERROR",
        {"clause": "where"},
    ),
    (
        "select Last_Name from Leads where (Last_Name = 'a'",
        400,
        "SYNTAX_ERROR",
        {"clause": "where"},
    ),
    (
        "select Last_Name from Leads where Last_Name = 'a'  limit x",
        400,
        "SYNTAX_ERROR",
        {"clause": "limit"},
    ),
    ("select Last_Name from Leads where Last_Name == 'a'", 400, "SYNTAX_ERROR", {}),
    ("select Last_Name from Leads where Last_Name = 'unterminated", 400, "SYNTAX_ERROR", {}),
    (
        "select Last_Name from Leads where Last_Name = 'a' order Last_Name",
        400,
        "SYNTAX_ERROR",
        {"clause": "order"},
    ),
    ("select * from Leads where id is not null", 400, "INVALID_QUERY", {"clause": "select"}),
    (
        "select Nope from Leads where id is not null",
        400,
        "INVALID_QUERY",
        {"column_name": "Nope", "clause": "select"},
    ),
    (
        "select Last_Name from Leads where Nope = 1",
        400,
        "INVALID_QUERY",
        {"column_name": "Nope", "clause": "where"},
    ),
    (
        "select Last_Name from Unicorns where id is not null",
        400,
        "INVALID_QUERY",
        {"clause": "from"},
    ),
    (
        "select Last_Name from Leads where Annual_Revenue = 'lots'",
        400,
        "INVALID_QUERY",
        {"column_name": "Annual_Revenue", "expected_data_type": "currency"},
    ),
    ("select Last_Name from Leads where Email_Opt_Out = 'maybe'", 400, "INVALID_QUERY", {}),
    ("select Last_Name from Leads where Renewal__c = '31/01/2025'", 400, "INVALID_QUERY", {}),
    (
        "select Last_Name from Leads where Annual_Revenue like '%5'",
        400,
        "INVALID_QUERY",
        {"operator": "like"},
    ),
    ("select Last_Name from Leads where Email_Opt_Out > true", 400, "INVALID_QUERY", {}),
    ("select Last_Name from Leads where Last_Name between 'a' and 'b'", 400, "INVALID_QUERY", {}),
    ("select Last_Name from Leads where Owner = 'Admin User'", 400, "INVALID_QUERY", {}),
    ("select Last_Name from Leads where Last_Name > null", 400, "INVALID_QUERY", {}),
    (
        "select Last_Name, Last_Name from Leads where id is not null",
        400,
        "DUPLICATE_DATA",
        {"column_name": "Last_Name"},
    ),
    (
        "select Last_Name from Leads where id is not null limit 201",
        400,
        "LIMIT_EXCEEDED",
        {"clause": "limit", "limit": 200},
    ),
    (
        "select Last_Name from Leads where id is not null limit 9900, 200",
        400,
        "LIMIT_EXCEEDED",
        {"clause": "limit"},
    ),
    (
        "select Last_Name from Leads where Last_Name in ("
        + ",".join(f"'{i}'" for i in range(51))
        + ")",
        400,
        "LIMIT_EXCEEDED",
        {"limit": 50},
    ),
    (
        "select " + ", ".join(f"F{i}" for i in range(51)) + " from Leads where id is not null",
        400,
        "LIMIT_EXCEEDED",
        {"clause": "select"},
    ),
    (
        "select Account_Name.Parent_Account.Parent_Account.Account_Name from Contacts "
        "where id is not null",
        400,
        "LIMIT_EXCEEDED",
        {},
    ),
    ("select Last_Name.Account_Name from Contacts where id is not null", 400, "INVALID_QUERY", {}),
    (
        "select Lead_Source, COUNT(id) from Leads where id is not null",
        400,
        "INVALID_QUERY",
        {"clause": "group by"},
    ),
    ("select SUM(Last_Name) from Leads where id is not null", 400, "INVALID_QUERY", {}),
    ("select SUM(*) from Leads where id is not null", 400, "INVALID_QUERY", {}),
    ("select Last_Name from Leads where id is not null limit 0", 400, "INVALID_QUERY", {}),
]


@pytest.mark.parametrize(("query", "status", "code", "details"), REFUSED)
def test_errors(dataset: Any, query: str, status: int, code: str, details: dict[str, Any]) -> None:
    response = coql(dataset, query)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    for key, value in details.items():
        assert body["details"][key] == value, body


def test_syntax_error_points_at_the_problem(dataset: Any) -> None:
    query = "select Last_Name from Leads where Last_Name = 'a' limit x"
    body = coql(dataset, query).json()
    assert body["details"]["line"] == 1
    assert body["details"]["near"].startswith("x")
    assert body["details"]["column"] == query.index(" x") + 2
    assert body["details"]["clause"] == "limit"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "MANDATORY_NOT_FOUND"),
        ({"select_query": 5}, "INVALID_QUERY"),
        ({"select_query": ""}, "SYNTAX_ERROR"),
    ],
)
def test_body_errors(dataset: Any, body: dict[str, Any], code: str) -> None:
    response = dataset.api.post("coql", json=body)
    assert response.status_code == 400 and response.json()["code"] == code


def test_plan_gating_and_caps(dataset: Any, runtime: Any) -> None:
    from zcrm.server.services.orgs import set_limits, set_plan

    org_id = dataset.api.org.org_id
    try:
        set_plan(runtime, org_id, "standard")
        refused = coql(dataset, "select Last_Name from Leads where id is not null")
        assert refused.status_code == 400
        assert refused.json()["code"] == "FEATURE_NOT_SUPPORTED"
        set_plan(runtime, org_id, "enterprise")
        set_limits(runtime, org_id, coql_max_limit=2000)
        ok = coql(dataset, "select Last_Name from Leads where id is not null limit 2000")
        assert ok.status_code == 200
        assert ok.headers["X-RATELIMIT-LIMIT"] == "25000"
    finally:
        set_plan(runtime, org_id, "enterprise")
        set_limits(runtime, org_id, coql_max_limit=None)


def test_coql_scopes(dataset: Any) -> None:
    no_coql = dataset.api.with_scopes("ZohoCRM.modules.ALL")
    refused = no_coql.post(
        "coql", json={"select_query": "select Last_Name from Leads where id is not null"}
    )
    assert refused.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    other_module = dataset.api.with_scopes("ZohoCRM.coql.READ,ZohoCRM.modules.contacts.READ")
    response = other_module.post(
        "coql", json={"select_query": "select Last_Name from Leads where id is not null"}
    )
    assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    right = dataset.api.with_scopes("ZohoCRM.coql.READ,ZohoCRM.modules.leads.READ")
    assert (
        right.post(
            "coql", json={"select_query": "select Last_Name from Leads where id is not null"}
        ).status_code
        == 200
    )
