"""Activity modules (Tasks, Calls, Events a.k.a. Meetings) and Notes."""

from __future__ import annotations

from .common import (
    ACTIVITY_WHAT_MODULES,
    NONE,
    NOTE_PARENT_MODULES,
    description,
    locked,
    notes_related,
    record_status,
)
from .spec import (
    FieldSpec,
    ModuleSpec,
    audit_fields,
    boolean,
    date,
    datetime_,
    integer,
    lookup,
    multi_lookup,
    phone,
    picklist,
    text,
    textarea,
    userlookup,
    website,
)


def _what_id() -> FieldSpec:
    """The "Related To" field: a multi-module lookup written with a sibling ``$se_module``."""
    return multi_lookup("What_Id", "Related To", list(ACTIVITY_WHAT_MODULES))


def _who_id() -> FieldSpec:
    """The "Contact Name" field. A lead is linked through What_Id (Who_Id then stays empty)."""
    return lookup("Who_Id", "Contact Name", "Contacts")


def _json(api_name: str, label: str, data_type: str) -> FieldSpec:
    """A structured field (reminders, recurrence, participants): stored as given."""
    return FieldSpec(api_name, label, data_type, searchable=False)


TASKS = ModuleSpec(
    api_name="Tasks",
    module_name="Tasks",
    singular_label="Task",
    plural_label="Tasks",
    display_field="Subject",
    upsert_supported=False,
    fields=(
        *audit_fields(),
        text("Subject", "Subject", 255, mandatory=True),
        date("Due_Date", "Due Date"),
        picklist(
            "Status",
            "Status",
            ["Not Started", "Deferred", "In Progress", "Completed", "Waiting for input"],
            default="Not Started",
        ),
        picklist("Priority", "Priority", ["High", "Highest", "Low", "Lowest", "Normal"]),
        _what_id(),
        _who_id(),
        boolean("Send_Notification_Email", "Send Notification Email", default=False),
        # {"RRULE": "FREQ=DAILY;INTERVAL=1;DTSTART=...;UNTIL=..."}
        _json("Recurring_Activity", "Repeat", "RRULE"),
        # {"ALARM": "ACTION=EMAIL;TRIGGER=-P1D;TRIGGER_TIME=22:52"}
        _json("Remind_At", "Reminder", "ALARM"),
        datetime_("Closed_Time", "Closed Time", read_only=True),
        description(),
        record_status(),
        locked(),
    ),
    related_lists=(notes_related(),),
)


CALLS = ModuleSpec(
    api_name="Calls",
    module_name="Calls",
    singular_label="Call",
    plural_label="Calls",
    display_field="Subject",
    upsert_supported=False,
    fields=(
        *audit_fields(),
        text("Subject", "Subject", 255, mandatory=True),
        picklist("Call_Type", "Call Type", ["Inbound", "Outbound", "Missed"], mandatory=True),
        picklist(
            "Call_Purpose",
            "Call Purpose",
            [NONE, "Prospecting", "Administrative", "Negotiation", "Demo", "Project", "Desk"],
        ),
        _who_id(),
        _what_id(),
        datetime_("Call_Start_Time", "Call Start Time", mandatory=True),
        # "mm:ss" (or "HH:mm"); required for completed calls, which the server checks itself.
        text("Call_Duration", "Call Duration", 10),
        integer("Call_Duration_in_seconds", "Call Duration (in seconds)", read_only=True),
        picklist(
            "Call_Result",
            "Call Result",
            [
                NONE,
                "Interested",
                "Not interested",
                "No response/Busy",
                "Requested more info",
                "Requested call back",
                "Invalid number",
            ],
        ),
        textarea("Call_Agenda", "Call Agenda", 2000),
        picklist(
            "Outgoing_Call_Status",
            "Outgoing Call Status",
            ["Scheduled", "Completed", "Overdue", "Cancelled"],
            read_only=True,
        ),
        text("Caller_ID", "Caller ID", 120),
        phone("Dialled_Number", "Dialled Number"),
        FieldSpec("Reminder", "Reminder", "event_reminder"),
        website("Voice_Recording__s", "Voice Recording"),
        description(),
        record_status(),
    ),
    related_lists=(notes_related(),),
)


EVENTS = ModuleSpec(
    api_name="Events",
    module_name="Meetings",
    singular_label="Meeting",
    plural_label="Meetings",
    display_field="Event_Title",
    upsert_supported=False,
    fields=(
        *audit_fields(),
        text("Event_Title", "Title", 255, mandatory=True),
        text("Venue", "Location", 255),
        boolean("All_day", "All day", default=False),
        datetime_("Start_DateTime", "From", mandatory=True),
        datetime_("End_DateTime", "To", mandatory=True),
        _who_id(),
        _what_id(),
        # [{"type": "contact|lead|user|email", "participant": "<id>", ...}], at most 50.
        _json("Participants", "Participants", "jsonarray"),
        # [{"unit": 15, "period": "minutes"}]
        _json("Remind_At", "Remind At", "multireminder"),
        _json("Remind_Participants", "Remind Participants", "multireminder"),
        _json("Recurring_Activity", "Repeat", "RRULE"),
        datetime_("Check_In_Time", "Check-In Time", read_only=True),
        userlookup("Check_In_By", "Check-In By", read_only=True),
        text("Check_In_Comment", "Check-In Comment", 255, read_only=True),
        text("Check_In_Address", "Check-In Address", 255, read_only=True),
        text("Check_In_Sub_Locality", "Check-In Sub-Locality", 255, read_only=True),
        text("Check_In_City", "Check-In City", 100, read_only=True),
        text("Check_In_State", "Check-In State", 100, read_only=True),
        text("Check_In_Country", "Check-In Country", 100, read_only=True),
        text("Check_In_Status", "Check-In Status", 100, read_only=True),
        text("ZIP_Code", "ZIP Code", 30, read_only=True),
        text("Latitude", "Latitude", 30, read_only=True),
        text("Longitude", "Longitude", 30, read_only=True),
        description(),
        record_status(),
    ),
    related_lists=(notes_related(),),
)


NOTES = ModuleSpec(
    api_name="Notes",
    module_name="Notes",
    singular_label="Note",
    plural_label="Notes",
    display_field="Note_Title",
    upsert_supported=False,
    fields=(
        *audit_fields(),
        text("Note_Title", "Note Title", 120),
        textarea("Note_Content", "Note Content", mandatory=True),
        multi_lookup("Parent_Id", "Parent ID", list(NOTE_PARENT_MODULES), mandatory=True),
        record_status(),
    ),
)
