"""Support modules: Cases, Solutions."""

from __future__ import annotations

from .common import (
    NONE,
    activities_related,
    description,
    locked,
    notes_related,
    record_status,
)
from .spec import (
    ModuleSpec,
    audit_fields,
    autonumber,
    boolean,
    email,
    lookup,
    phone,
    picklist,
    text,
    textarea,
)

CASES = ModuleSpec(
    api_name="Cases",
    module_name="Cases",
    singular_label="Case",
    plural_label="Cases",
    display_field="Subject",
    duplicate_check_field="Subject",
    fields=(
        *audit_fields(),
        autonumber("Case_Number", "Case Number"),
        text("Subject", "Subject", 255, mandatory=True),
        picklist("Status", "Status", ["New", "On Hold", "Escalated", "Closed"], mandatory=True),
        picklist("Case_Origin", "Case Origin", ["Email", "Phone", "Web"], mandatory=True),
        picklist("Priority", "Priority", [NONE, "High", "Medium", "Low"]),
        picklist("Type", "Type", [NONE, "Problem", "Feature Request", "Question"]),
        picklist(
            "Case_Reason",
            "Case Reason",
            [
                NONE,
                "User did not attend any training",
                "Complex functionality",
                "Existing problem",
                "Instructions not understood",
                "New problem",
            ],
        ),
        lookup("Product_Name", "Product Name", "Products"),
        lookup("Account_Name", "Account Name", "Accounts"),
        lookup("Deal_Name", "Deal Name", "Deals"),
        lookup("Related_To", "Related To", "Contacts"),
        text("Reported_By", "Reported By", 120),
        email("Email", "Email"),
        phone("Phone", "Phone"),
        description(),
        textarea("Solution", "Solution"),
        textarea("Internal_Comments", "Internal Comments"),
        record_status(),
        locked(),
    ),
    related_lists=(notes_related(), *activities_related("What_Id")),
)


SOLUTIONS = ModuleSpec(
    api_name="Solutions",
    module_name="Solutions",
    singular_label="Solution",
    plural_label="Solutions",
    display_field="Solution_Title",
    duplicate_check_field="Solution_Title",
    fields=(
        *audit_fields(),
        autonumber("Solution_Number", "Solution Number"),
        text("Solution_Title", "Solution Title", 255, mandatory=True),
        lookup("Product_Name", "Product Name", "Products"),
        picklist("Status", "Status", [NONE, "Draft", "Reviewed", "Published"]),
        boolean("Published", "Published", default=False),
        textarea("Question", "Question"),
        textarea("Answer", "Answer"),
        record_status(),
        locked(),
    ),
    related_lists=(notes_related(), *activities_related("What_Id")),
)
