"""Search criteria, case by case: expected records or expected Zoho error (api/search.py)."""

from __future__ import annotations

from typing import Any

import pytest

ALL = {"Ann Smith", "Bob Jones", "Carla Brown", "Dan O'Neil", "Eve Stone", "Smith"}

FOUND: list[tuple[str, set[str]]] = [
    # equals on text: case-blind, the value itself or as leading word(s)
    ("(Last_Name:equals:Smith)", {"Ann Smith", "Smith"}),
    ("(Last_Name:equals:smith)", {"Ann Smith", "Smith"}),
    ("Last_Name:equals:Jones", {"Bob Jones"}),
    ("(Company:equals:ABC)", {"Ann Smith"}),
    ("(Company:equals:ABC Inc)", {"Ann Smith"}),
    ("(Company:equals:ABCD)", {"Bob Jones"}),
    ("(Company:equals:Northwind \\(EU\\)\\, Ltd)", {"Carla Brown"}),
    ("(Company:equals:O'Neil & Sons)", {"Dan O'Neil"}),
    ("(Last_Name:equals:O'Neil)", {"Dan O'Neil"}),
    ("(Email:equals:ANN@abc.com)", {"Ann Smith"}),
    ("(Email:equals:nobody@abc.com)", set()),
    ("(First_Name:equals:Ann)", {"Ann Smith"}),
    # not_equal includes empty values
    ("(Last_Name:not_equal:Smith)", ALL - {"Ann Smith", "Smith"}),
    ("(Company:not_equal:ABCD)", ALL - {"Bob Jones"}),
    ("(Lead_Source:not_equal:Cold Call)", ALL - {"Bob Jones", "Carla Brown"}),
    ("(Email:not_equal:ann@abc.com)", ALL - {"Ann Smith"}),
    # starts_with
    ("(Last_Name:starts_with:S)", {"Ann Smith", "Eve Stone", "Smith"}),
    ("(Last_Name:starts_with:sm)", {"Ann Smith", "Smith"}),
    ("(Company:starts_with:ABC)", {"Ann Smith", "Bob Jones"}),
    ("(Email:starts_with:carla@)", {"Carla Brown"}),
    ("(Company:starts_with:Northwind \\(E)", {"Carla Brown"}),
    ("(Company:starts_with:%)", set()),
    ("(Company:starts_with:_)", set()),
    ("(Phone:starts_with:+1)", {"Ann Smith"}),
    # in / not_in
    ("(Lead_Source:in:Cold Call,Partner)", {"Bob Jones", "Carla Brown", "Smith"}),
    ("(Lead_Source:in:Trade Show)", {"Dan O'Neil"}),
    ("(Lead_Status:in:Contacted,Junk Lead)", {"Ann Smith", "Carla Brown", "Dan O'Neil"}),
    ("(Last_Name:in:Jones,Stone,Nobody)", {"Bob Jones", "Eve Stone"}),
    ("(Lead_Source:not_in:Cold Call,Partner)", ALL - {"Bob Jones", "Carla Brown", "Smith"}),
    ("(Company:in:ABCD,Smithson)", {"Bob Jones", "Smith"}),
    # picklists
    ("(Lead_Source:equals:Web Download)", {"Ann Smith"}),
    ("(Lead_Status:equals:Contacted)", {"Ann Smith", "Carla Brown"}),
    ("(Lead_Status:equals:Not Contacted)", {"Bob Jones"}),
    ("(Lead_Status:equals:contacted)", {"Ann Smith", "Carla Brown"}),
    ("(Lead_Source:equals:Advertisement)", set()),
    # numbers
    ("(Annual_Revenue:equals:500)", {"Ann Smith"}),
    ("(Annual_Revenue:equals:500.00)", {"Ann Smith"}),
    ("(Annual_Revenue:greater_than:500)", {"Bob Jones", "Dan O'Neil"}),
    ("(Annual_Revenue:greater_equal:500)", {"Ann Smith", "Bob Jones", "Dan O'Neil"}),
    ("(Annual_Revenue:less_than:250)", {"Carla Brown"}),
    ("(Annual_Revenue:less_equal:250)", {"Carla Brown", "Smith"}),
    ("(Annual_Revenue:between:100,500)", {"Ann Smith", "Carla Brown", "Smith"}),
    ("(Annual_Revenue:between:501,999999.5)", {"Bob Jones", "Dan O'Neil"}),
    ("(Annual_Revenue:in:100,1500)", {"Bob Jones", "Carla Brown"}),
    ("(Annual_Revenue:not_equal:500)", ALL - {"Ann Smith"}),
    ("(No_of_Employees:equals:250)", {"Bob Jones", "Smith"}),
    ("(No_of_Employees:greater_than:5)", {"Ann Smith", "Bob Jones", "Smith"}),
    ("(No_of_Employees:between:5,10)", {"Ann Smith", "Dan O'Neil"}),
    ("(No_of_Employees:in:5,10)", {"Ann Smith", "Dan O'Neil"}),
    ("(No_of_Employees:not_in:5,10)", ALL - {"Ann Smith", "Dan O'Neil"}),
    # booleans (absent is false)
    ("(Email_Opt_Out:equals:true)", {"Bob Jones"}),
    ("(Email_Opt_Out:equals:false)", ALL - {"Bob Jones"}),
    ("(Email_Opt_Out:not_equal:true)", ALL - {"Bob Jones"}),
    # datetimes: any offset, compared as instants
    ("(Next_Call__c:greater_than:2024-01-01T00:00:00+00:00)", {"Ann Smith", "Bob Jones"}),
    ("(Next_Call__c:less_than:2024-01-01T00:00:00+00:00)", {"Carla Brown"}),
    ("(Next_Call__c:equals:2024-01-10T15:30:00+05:30)", {"Ann Smith"}),
    (
        "(Next_Call__c:between:2023-12-31T23:59:59+00:00,2024-01-10T10:00:00Z)",
        {"Ann Smith", "Carla Brown"},
    ),
    ("(Next_Call__c:greater_equal:2024-02-29T18:30:00Z)", {"Bob Jones"}),
    ("(Next_Call__c:greater_than:2024-01-01T00:00:00 00:00)", {"Ann Smith", "Bob Jones"}),
    ("(Created_Time:greater_than:2000-01-01T00:00:00+00:00)", ALL),
    ("(Created_Time:less_than:2000-01-01T00:00:00+00:00)", set()),
    ("(Modified_Time:greater_equal:2000-01-01T00:00:00Z)", ALL),
    # dates and multi-select picklists
    ("(Renewal__c:equals:2025-01-31)", {"Ann Smith"}),
    ("(Renewal__c:greater_than:2025-02-01)", {"Bob Jones"}),
    ("(Renewal__c:between:2025-01-01,2025-12-31)", {"Ann Smith", "Bob Jones"}),
    ("(Renewal__c:in:2025-01-31,2025-06-30)", {"Ann Smith", "Bob Jones"}),
    ("(Topics__c:equals:CRM)", {"Ann Smith"}),
    ("(Topics__c:equals:cloud)", {"Ann Smith"}),
    ("(Topics__c:in:ERP,Cloud)", {"Ann Smith", "Bob Jones"}),
    ("(Topics__c:not_equal:CRM)", ALL - {"Ann Smith"}),
    ("(Topics__c:starts_with:E)", {"Bob Jones"}),
    # groups
    ("((Last_Name:equals:Smith)and(Company:equals:Smithson))", {"Smith"}),
    ("((Last_Name:equals:Smith)or(Last_Name:equals:Jones))", {"Ann Smith", "Smith", "Bob Jones"}),
    ("((Lead_Source:equals:Cold Call)and(Annual_Revenue:greater_than:200))", {"Bob Jones"}),
    (
        "(((Lead_Source:equals:Cold Call)and(Annual_Revenue:greater_than:200))"
        "or(Last_Name:equals:Stone))",
        {"Bob Jones", "Eve Stone"},
    ),
    (
        "((Lead_Source:equals:Cold Call)or((Annual_Revenue:less_equal:500)"
        "and(No_of_Employees:greater_than:100)))",
        {"Bob Jones", "Carla Brown", "Smith"},
    ),
    ("( (Last_Name:equals:Smith) and (Company:equals:ABC) )", {"Ann Smith"}),
    ("((Last_Name:equals:Smith)AND(Company:equals:ABC))", {"Ann Smith"}),
    (
        "((Last_Name:equals:Smith)and(Company:equals:ABC)or(Last_Name:equals:Jones))",
        {"Ann Smith", "Bob Jones"},
    ),
    ("(((((Last_Name:equals:Jones)))))", {"Bob Jones"}),
    # owner and ids
    ("(Owner:equals:{admin})", ALL),
    ("(Owner:equals:Admin User)", ALL),
    ("(Owner:equals:{admin_email})", ALL),
    ("(Owner:not_equal:{admin})", set()),
    ("(Owner:in:{admin},1234)", ALL),
    ("(id:equals:{ann})", {"Ann Smith"}),
    ("(id:in:{ann},{bob})", {"Ann Smith", "Bob Jones"}),
    ("(id:not_equal:{ann})", ALL - {"Ann Smith"}),
]


def _fill(text: str, dataset: Any) -> str:
    return text.format(
        admin=dataset.api.org.admin_id,
        admin_email=dataset.api.org.org.admin_email,
        ann=dataset.ids["Ann Smith"],
        bob=dataset.ids["Bob Jones"],
    )


@pytest.mark.parametrize(("criteria", "expected"), FOUND)
def test_criteria_finds(dataset: Any, criteria: str, expected: set[str]) -> None:
    response = dataset.api.get(
        "Leads/search", params={"criteria": _fill(criteria, dataset), "fields": "Last_Name"}
    )
    if not expected:
        assert response.status_code == 204, response.text
        return
    assert response.status_code == 200, response.text
    found = {dataset.names[r["id"]] for r in response.json()["data"]}
    assert found == expected


LOOKUPS: list[tuple[str, set[str]]] = [
    ("(Account_Name:equals:{northwind})", {"C1"}),
    ("(Account_Name:equals:Northwind)", {"C1"}),
    ("(Account_Name:equals:northwind)", {"C1"}),
    ("(Account_Name:in:{northwind},{contoso})", {"C1", "C2"}),
    ("(Account_Name:not_equal:{northwind})", {"C2", "C3"}),
    ("(Account_Name:not_equal:Contoso)", {"C1", "C3"}),
    ("(Account_Name:equals:Nobody)", set()),
]


@pytest.mark.parametrize(("criteria", "expected"), LOOKUPS)
def test_lookups_by_id_and_by_name(dataset: Any, criteria: str, expected: set[str]) -> None:
    text = criteria.format(
        northwind=dataset.accounts["Northwind"], contoso=dataset.accounts["Contoso"]
    )
    response = dataset.api.get("Contacts/search", params={"criteria": text})
    names = {c: i for c, i in dataset.contacts.items()}
    found = (
        set()
        if response.status_code == 204
        else {c for c, i in names.items() if i in {r["id"] for r in response.json()["data"]}}
    )
    assert found == expected


REFUSED: list[tuple[str, str, dict[str, Any]]] = [
    ("(Nope:equals:1)", "INVALID_QUERY", {"api_name": "Nope"}),
    ("(Last_Name:contains:x)", "INVALID_QUERY", {"operator": "contains"}),
    ("(Last_Name:like:x)", "INVALID_QUERY", {"operator": "like"}),
    ("(Last_Name:greater_than:x)", "INVALID_QUERY", {"operator": "greater_than"}),
    ("(Last_Name:between:a,b)", "INVALID_QUERY", {"operator": "between"}),
    ("(Annual_Revenue:starts_with:1)", "INVALID_QUERY", {"operator": "starts_with"}),
    ("(Annual_Revenue:equals:lots)", "INVALID_QUERY", {"expected_data_type": "currency"}),
    ("(No_of_Employees:equals:1.5)", "INVALID_QUERY", {"expected_data_type": "integer"}),
    ("(Annual_Revenue:between:1)", "INVALID_QUERY", {}),
    ("(Annual_Revenue:between:1,2,3)", "INVALID_QUERY", {}),
    ("(Email_Opt_Out:equals:maybe)", "INVALID_QUERY", {"expected_data_type": "boolean"}),
    ("(Email_Opt_Out:starts_with:t)", "INVALID_QUERY", {"operator": "starts_with"}),
    ("(Email_Opt_Out:in:true)", "INVALID_QUERY", {"operator": "in"}),
    ("(Next_Call__c:equals:yesterday)", "INVALID_QUERY", {"expected_data_type": "datetime"}),
    ("(Next_Call__c:equals:2024-01-10)", "INVALID_QUERY", {"expected_data_type": "datetime"}),
    ("(Next_Call__c:starts_with:2024)", "INVALID_QUERY", {}),
    ("(Lead_Source:starts_with:Web)", "INVALID_QUERY", {"operator": "starts_with"}),
    ("(Lead_Source:greater_than:A)", "INVALID_QUERY", {}),
    ("(Owner:starts_with:A)", "INVALID_QUERY", {}),
    ("(Description:in:a,b)", "INVALID_QUERY", {"operator": "in"}),
    ("(Last_Name:equals:Smith", "INVALID_QUERY", {}),
    ("((Last_Name:equals:Smith)", "INVALID_QUERY", {}),
    ("(Last_Name:equals:Smith))", "INVALID_QUERY", {}),
    ("(Last_Name)", "INVALID_QUERY", {}),
    ("(Last_Name:equals)", "INVALID_QUERY", {}),
    ("Last_Name equals Smith", "INVALID_QUERY", {}),
    ("((Last_Name:equals:Smith)xor(Last_Name:equals:Jones))", "INVALID_QUERY", {}),
    ("(Last_Name:equals:Sm(ith)", "INVALID_QUERY", {}),
    ("()", "INVALID_QUERY", {}),
    ("(Account_Name.Account_Name:equals:x)", "INVALID_QUERY", {}),
    ("(id:equals:abc)", "INVALID_QUERY", {}),
    (
        "(Last_Name:in:" + ",".join(str(i) for i in range(101)) + ")",
        "LIMIT_EXCEEDED",
        {"limit": 100},
    ),
    (
        "(" + "and".join(f"(Last_Name:equals:x{i})" for i in range(11)) + ")",
        "LIMIT_EXCEEDED",
        {"limit": 10},
    ),
]


@pytest.mark.parametrize(("criteria", "code", "details"), REFUSED)
def test_criteria_errors(dataset: Any, criteria: str, code: str, details: dict[str, Any]) -> None:
    response = dataset.api.get("Leads/search", params={"criteria": criteria})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == code and body["status"] == "error"
    for key, value in details.items():
        assert body["details"][key] == value


def test_ten_conditions_are_allowed(dataset: Any) -> None:
    criteria = (
        "("
        + "or".join(f"(Last_Name:equals:x{i})" for i in range(9))
        + "or(Last_Name:equals:Jones))"
    )
    response = dataset.api.get("Leads/search", params={"criteria": criteria})
    assert [dataset.names[r["id"]] for r in response.json()["data"]] == ["Bob Jones"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"email": "ANN@abc.com"}, {"Ann Smith"}),
        ({"email": "nobody@abc.com"}, set()),
        ({"phone": "15550100"}, {"Ann Smith"}),
        ({"phone": "555-0200"}, {"Bob Jones"}),
        ({"word": "abc"}, {"Ann Smith", "Bob Jones", "Eve Stone"}),
        ({"word": "northwind"}, {"Carla Brown"}),
        ({"word": "Sons"}, {"Dan O'Neil"}),
        ({"criteria": "(Last_Name:equals:Jones)", "email": "ann@abc.com"}, {"Bob Jones"}),
        ({"email": "ann@abc.com", "phone": "5550200"}, {"Ann Smith"}),
    ],
)
def test_email_phone_word(dataset: Any, params: dict[str, str], expected: set[str]) -> None:
    response = dataset.api.get("Leads/search", params=params)
    found = (
        set()
        if response.status_code == 204
        else {dataset.names[r["id"]] for r in response.json()["data"]}
    )
    assert found == expected


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "EXPECTED_PARAM_MISSING"),
        ({"word": "a"}, "INVALID_DATA"),
        ({"word": "a*b"}, "INVALID_DATA"),
        ({"phone": "call me"}, "INVALID_DATA"),
        ({"criteria": "(Last_Name:equals:x)", "page": "11"}, "LIMIT_REACHED"),
        ({"criteria": "(Last_Name:equals:x)", "per_page": "201"}, "INVALID_DATA"),
        ({"criteria": "(Last_Name:equals:x)", "cvid": "1"}, "AMBIGUITY_DURING_PROCESSING"),
    ],
)
def test_search_parameter_errors(dataset: Any, params: dict[str, str], code: str) -> None:
    response = dataset.api.get("Leads/search", params=params)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_search_paging_fields_and_info(dataset: Any) -> None:
    first = dataset.api.get(
        "Leads/search",
        params={"criteria": "(Last_Name:not_equal:x)", "per_page": 4, "fields": "Last_Name,Email"},
    ).json()
    assert first["info"] == {
        "per_page": 4,
        "count": 4,
        "page": 1,
        "sort_by": "id",
        "sort_order": "desc",
        "more_records": True,
    }
    assert set(first["data"][0]) == {"Last_Name", "Email", "id"}
    second = dataset.api.get(
        "Leads/search", params={"criteria": "(Last_Name:not_equal:x)", "per_page": 4, "page": 2}
    ).json()
    assert second["info"]["more_records"] is False
    ids = [r["id"] for r in first["data"] + second["data"]]
    assert ids == sorted(dataset.ids.values(), reverse=True)
    full = dataset.api.get("Leads/search", params={"criteria": "(Last_Name:equals:Jones)"})
    assert "Lead_Source" in full.json()["data"][0]


def test_post_search_takes_the_same_parameters(dataset: Any) -> None:
    response = dataset.api.post("Leads/search", data={"criteria": "(Last_Name:equals:Jones)"})
    assert [dataset.names[r["id"]] for r in response.json()["data"]] == ["Bob Jones"]
    as_json = dataset.api.post("Leads/search", json={"email": "ann@abc.com"})
    assert [dataset.names[r["id"]] for r in as_json.json()["data"]] == ["Ann Smith"]


def test_count_with_criteria(dataset: Any) -> None:
    response = dataset.api.get(
        "Leads/actions/count", params={"criteria": "(Lead_Source:equals:Cold Call)"}
    )
    assert response.json() == {"count": 2}


def test_search_scopes(dataset: Any) -> None:
    only_module = dataset.api.with_scopes("ZohoCRM.modules.leads.READ")
    response = only_module.get("Leads/search", params={"criteria": "(Last_Name:equals:x)"})
    assert response.status_code == 401 and response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    both = dataset.api.with_scopes("ZohoCRM.modules.leads.READ,ZohoSearch.securesearch.READ")
    assert both.get("Leads/search", params={"criteria": "(Last_Name:equals:x)"}).status_code == 204
