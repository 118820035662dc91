"""Building blocks shared by the standard-module catalogue files.

Picklist value lists that several modules use (lead sources, industries, ...), the
read-only system fields most record modules carry (``Record_Status__s``, ``Locked__s``,
...), address blocks and the related lists every notes- or activities-enabled module has.
"""

from __future__ import annotations

from .spec import (
    FieldSpec,
    PicklistOption,
    RelatedListSpec,
    boolean,
    datetime_,
    double,
    integer,
    picklist,
    text,
    textarea,
    website,
)

NONE = "-None-"

# The value-list type the spec helpers (picklist, multiselect) take.
Values = list[str | PicklistOption]

# Modules a Task / Call / Meeting can be "related to" (What_Id + $se_module). Leads are
# reached through What_Id too (with Who_Id left empty); Who_Id is the contact.
ACTIVITY_WHAT_MODULES: tuple[str, ...] = (
    "Leads",
    "Accounts",
    "Deals",
    "Products",
    "Campaigns",
    "Cases",
    "Vendors",
    "Solutions",
)

# Modules whose records take notes (Notes.Parent_Id + $se_module).
NOTE_PARENT_MODULES: tuple[str, ...] = (
    "Leads",
    "Contacts",
    "Accounts",
    "Deals",
    "Campaigns",
    "Cases",
    "Products",
    "Vendors",
    "Solutions",
    "Price_Books",
    "Tasks",
    "Calls",
    "Events",
)

# --- picklist value lists ----------------------------------------------------------------------

SALUTATIONS: Values = [NONE, "Mr.", "Mrs.", "Ms.", "Dr.", "Prof."]

LEAD_STATUSES: Values = [
    NONE,
    "Attempted to Contact",
    "Contact in Future",
    "Contacted",
    "Junk Lead",
    "Lost Lead",
    "Not Contacted",
    "Pre-Qualified",
    "Not Qualified",
]
LEAD_SOURCES: Values = [
    NONE,
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "External Referral",
    "Online Store",
    "Partner",
    "Public Relations",
    "Sales Email Alias",
    "Seminar Partner",
    "Internal Seminar",
    "Trade Show",
    "Web Download",
    "Web Research",
    "Chat",
]

INDUSTRIES: Values = [
    NONE,
    "ASP (Application Service Provider)",
    "Data/Telecom OEM",
    "ERP (Enterprise Resource Planning)",
    "Government/Military",
    "Large Enterprise",
    "ManagementISV",
    "MSP (Management Service Provider)",
    "Network Equipment Enterprise",
    "Non-management ISV",
    "Optical Networking",
    "Service Provider",
    "Small/Medium Enterprise",
    "Storage Equipment",
    "Storage Service Provider",
    "Systems Integrator",
    "Wireless Industry",
]

RATINGS: Values = [NONE, "Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down"]

DATA_SOURCES: Values = ["Manual", "API", "Webform", "Import", "Bulk API", "Workflow"]

UNSUBSCRIBED_MODES: Values = ["Consent form", "Manual", "Unsubscribe link", "Zoho campaigns"]

RECORD_STATUSES: Values = ["Available", "Trash", "Draft"]


# --- shared fields -----------------------------------------------------------------------------


def record_status() -> FieldSpec:
    return picklist(
        "Record_Status__s", "Record Status", RECORD_STATUSES, read_only=True, default="Available"
    )


def locked() -> FieldSpec:
    return boolean("Locked__s", "Locked", read_only=True, default=False)


def change_log_time() -> FieldSpec:
    return datetime_("Change_Log_Time__s", "Change Log Time", read_only=True)


def last_activity_time() -> FieldSpec:
    return datetime_("Last_Activity_Time", "Last Activity Time", read_only=True)


def description() -> FieldSpec:
    return textarea("Description", "Description")


def record_image() -> FieldSpec:
    return FieldSpec("Record_Image", "Record Image", "profileimage", searchable=False)


def data_source() -> FieldSpec:
    # Records created through this server come from the API.
    return picklist("Data_Source", "Data Source", DATA_SOURCES, read_only=True, default="API")


def unsubscribe_fields() -> tuple[FieldSpec, ...]:
    return (
        picklist("Unsubscribed_Mode", "Unsubscribed Mode", UNSUBSCRIBED_MODES, read_only=True),
        datetime_("Unsubscribed_Time", "Unsubscribed Time", read_only=True),
    )


def visitor_fields() -> tuple[FieldSpec, ...]:
    """SalesIQ visitor tracking fields (Leads, Contacts): all read-only."""
    return (
        FieldSpec("Visitor_Score", "Visitor Score", "bigint", length=18, read_only=True),
        website("First_Visited_URL", "First Visited URL", read_only=True),
        website("Referrer", "Referrer", read_only=True),
        datetime_("First_Visited_Time", "First Visited Time", read_only=True),
        datetime_("Last_Visited_Time", "Last Visited Time", read_only=True),
        double("Average_Time_Spent_Minutes", "Average Time Spent (Minutes)", read_only=True),
        integer("Number_Of_Chats", "Number Of Chats", read_only=True),
        integer("Days_Visited", "Days Visited", read_only=True),
    )


def address(prefix: str, label: str, zip_name: str = "Zip_Code") -> tuple[FieldSpec, ...]:
    """Street (250), City, State, Zip (30), Country. ``prefix`` like "Mailing_" or ""."""
    zip_label = zip_name.removeprefix(prefix).replace("_", " ")
    return (
        text(f"{prefix}Street", f"{label}Street", 250),
        text(f"{prefix}City", f"{label}City", 100),
        text(f"{prefix}State", f"{label}State", 100),
        text(zip_name, f"{label}{zip_label}", 30),
        text(f"{prefix}Country", f"{label}Country", 100),
    )


# --- shared related lists ----------------------------------------------------------------------


def rl(api_name: str, module: str, field: str, label: str | None = None) -> RelatedListSpec:
    return RelatedListSpec(api_name, module, field, label or api_name.replace("_", " "))


def notes_related() -> RelatedListSpec:
    return rl("Notes", "Notes", "Parent_Id")


def activities_related(field: str = "What_Id") -> tuple[RelatedListSpec, ...]:
    """Tasks / Calls / Meetings related through ``What_Id`` (or ``Who_Id`` for Contacts)."""
    return (
        rl("Tasks", "Tasks", field),
        rl("Calls", "Calls", field),
        rl("Events", "Events", field, "Meetings"),
    )
