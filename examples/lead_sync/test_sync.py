"""The lead sync, tested with the zcrm pytest plugin: a real server, no mocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sync import read_rows, sync_leads

from zcrm.client import CRM, DeadLetter, SQLiteDeadLetterStore

CSV = """first_name,last_name,company,email,phone,source
Ada,Lovelace,Analytical Engines,ada@example.com,+44 20 7946 0000,Trade Show
Grace,Hopper,Navy,grace@example.com,,Partner
Alan,,Bletchley,alan@example.com,,
Edsger,Dijkstra,TU Eindhoven,not-an-email,,
"""


def write_csv(tmp_path: Path, text: str = CSV) -> Path:
    path = tmp_path / "leads.csv"
    path.write_text(text)
    return path


def test_first_sync_inserts_and_reports_failures(crm: CRM, tmp_path: Path) -> None:
    result = sync_leads(crm, read_rows(write_csv(tmp_path)))
    assert [o.action for o in result.succeeded] == ["insert", "insert"]
    assert {o.code for o in result.failed} == {"MANDATORY_NOT_FOUND", "INVALID_DATA"}
    assert crm.leads.count() == 2


def test_second_sync_updates_instead_of_duplicating(crm: CRM, tmp_path: Path) -> None:
    sync_leads(crm, read_rows(write_csv(tmp_path)))
    changed = CSV.replace("Navy", "US Navy")
    result = sync_leads(crm, read_rows(write_csv(tmp_path, changed)))
    assert [o.action for o in result.succeeded] == ["update", "update"]
    assert crm.leads.count() == 2
    grace = next(crm.leads.search(email="grace@example.com"))
    assert grace["Company"] == "US Navy"


def test_failed_rows_wait_in_the_dead_letter_store(crm: CRM, tmp_path: Path) -> None:
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    sync_leads(crm, read_rows(write_csv(tmp_path)))
    letters = crm.dead_letters.list("Leads")
    assert len(letters) == 2

    def fix(letter: DeadLetter) -> dict[str, Any]:  # someone fixes the data…
        record = {"Last_Name": "Turing", **letter.record}
        if record.get("Email") == "not-an-email":
            record["Email"] = "edsger@example.com"
        return record

    retried = crm.leads.retry_dead_letters(fix)
    assert len(retried.succeeded) == 2 and crm.dead_letters.list() == []
    assert crm.leads.count() == 4


def test_survives_a_flaky_zoho(
    crm: CRM, tmp_path: Path, zcrm_emulator: Any, zcrm_recorder: Any
) -> None:
    zcrm_emulator.fault(route="/crm/v6/Leads/upsert", status=503, count=2)
    result = sync_leads(crm, read_rows(write_csv(tmp_path)))
    assert len(result.succeeded) == 2
    assert len(zcrm_recorder.calls("POST", "/crm/v6/Leads/upsert")) == 3
