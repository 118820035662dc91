"""The fixed records the query tests search (see conftest.py), as plain rows too."""

from __future__ import annotations

from typing import Any

LEADS: list[dict[str, Any]] = [
    {
        "First_Name": "Ann",
        "Last_Name": "Smith",
        "Company": "ABC Inc",
        "Email": "ann@abc.com",
        "Lead_Source": "Web Download",
        "Lead_Status": "Contacted",
        "Annual_Revenue": 500,
        "No_of_Employees": 10,
        "Email_Opt_Out": False,
        "Phone": "+1 555 0100",
        "Next_Call__c": "2024-01-10T10:00:00+00:00",
        "Topics__c": ["CRM", "Cloud"],
        "Renewal__c": "2025-01-31",
    },
    {
        "First_Name": "Bob",
        "Last_Name": "Jones",
        "Company": "ABCD",
        "Email": "bob@abcd.io",
        "Lead_Source": "Cold Call",
        "Lead_Status": "Not Contacted",
        "Annual_Revenue": 1500,
        "No_of_Employees": 250,
        "Email_Opt_Out": True,
        "Phone": "(555) 0200",
        "Next_Call__c": "2024-03-01T00:00:00+05:30",
        "Topics__c": ["ERP"],
        "Renewal__c": "2025-06-30",
    },
    {
        "First_Name": "Carla",
        "Last_Name": "Brown",
        "Company": "Northwind (EU), Ltd",
        "Email": "carla@northwind.eu",
        "Lead_Source": "Cold Call",
        "Lead_Status": "Contacted",
        "Annual_Revenue": 100,
        "Email_Opt_Out": False,
        "Next_Call__c": "2023-12-31T23:59:59+00:00",
    },
    {
        "First_Name": "Dan",
        "Last_Name": "O'Neil",
        "Company": "O'Neil & Sons",
        "Lead_Source": "Trade Show",
        "Lead_Status": "Junk Lead",
        "Annual_Revenue": 999999.5,
        "No_of_Employees": 5,
    },
    {"First_Name": "Eve", "Last_Name": "Stone", "Email": "eve@abc.com"},
    {
        "Last_Name": "Smith",
        "Company": "Smithson",
        "Lead_Source": "Partner",
        "Annual_Revenue": 250,
        "No_of_Employees": 250,
    },
]

LEAD_ROWS: list[dict[str, Any]] = [dict(row) for row in LEADS]
LABELS = [" ".join(p for p in (r.get("First_Name"), r["Last_Name"]) if p) for r in LEADS]
