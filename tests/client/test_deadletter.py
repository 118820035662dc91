"""The dead-letter store: failures kept, listed, fixed and retried, discarded; pluggable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zcrm.client import CRM, DeadLetter, DeadLetterStore, SQLiteDeadLetterStore


def test_failures_land_with_their_error_and_record(crm: CRM, tmp_path: Path) -> None:
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    result = crm.leads.create(
        [{"Last_Name": "fine"}, {"First_Name": "no last name"}, {"Last_Name": "x", "Email": "bad"}]
    )
    assert [o.ok for o in result] == [True, False, False]
    letters = crm.dead_letters.list("Leads")
    assert [(x.operation, x.record, x.code) for x in letters] == [
        ("create", {"First_Name": "no last name"}, "MANDATORY_NOT_FOUND"),
        ("create", {"Last_Name": "x", "Email": "bad"}, "INVALID_DATA"),
    ]
    assert letters[0].details == {"api_name": "Last_Name", "json_path": "$.data[1].Last_Name"}
    assert letters[1].details["api_name"] == "Email" and letters[1].attempts == 1
    assert crm.dead_letters.list("Contacts") == []


def test_retry_with_a_fix_discard_and_durability(crm: CRM, tmp_path: Path) -> None:
    path = tmp_path / "dead.sqlite3"
    crm.dead_letters = SQLiteDeadLetterStore(path)
    crm.leads.create(
        [{"First_Name": "Ada"}, {"Last_Name": "Bad", "Email": "nope"}, {"First_Name": "Bob"}]
    )
    crm.dead_letters = SQLiteDeadLetterStore(path)  # reopened: nothing lost
    assert len(crm.dead_letters.list()) == 3

    unchanged = crm.leads.retry_dead_letters()  # as they are: they fail again
    assert len(unchanged.failed) == 3
    assert [x.attempts for x in crm.dead_letters.list()] == [2, 2, 2]

    def fix(letter: DeadLetter) -> dict[str, Any] | None:
        if letter.record.get("First_Name") == "Bob":
            return None  # not worth keeping
        if "Email" in letter.record:
            return {**letter.record, "Email": "still bad"}  # a wrong fix
        return {**letter.record, "Last_Name": "Lovelace"}

    fixed = crm.leads.retry_dead_letters(fix)
    assert [o.ok for o in fixed] == [True, False]
    (left,) = crm.dead_letters.list()
    assert left.record == {"Last_Name": "Bad", "Email": "still bad"}  # as last sent
    assert left.code == "INVALID_DATA"
    assert [r["Last_Name"] for r in crm.leads.list(["Last_Name"])] == ["Lovelace"]
    crm.dead_letters.discard(left.id)
    assert crm.dead_letters.list() == []


def test_updates_and_upserts_are_retried_as_what_they_were(crm: CRM, tmp_path: Path) -> None:
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    (lead_id,) = crm.leads.create([{"Last_Name": "Kept"}]).ids
    crm.leads.update([{"id": lead_id, "Email": "not an email"}])
    crm.leads.upsert([{"Email": "u@example.com"}], duplicate_check_fields=["Email"])
    assert [x.operation for x in crm.dead_letters.list()] == ["update", "upsert"]

    def fix(letter: DeadLetter) -> dict[str, Any]:
        if letter.operation == "update":
            return {**letter.record, "Email": "kept@example.com"}
        return {**letter.record, "Last_Name": "Upserted"}

    assert len(crm.leads.retry_dead_letters(fix).succeeded) == 2
    assert crm.leads.get(lead_id, ["Email"]) == {"Email": "kept@example.com", "id": lead_id}
    assert crm.leads.count() == 2 and crm.dead_letters.list() == []


class ListStore:
    """A store of one's own (here a list): the protocol's four methods are all it takes."""

    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def add(
        self,
        module: str,
        operation: str,
        record: dict[str, Any],
        code: str | None,
        message: str | None,
        details: dict[str, Any],
    ) -> int:
        letter_id = len(self.letters) + 1
        self.letters.append(
            DeadLetter(letter_id, module, operation, record, code, message, details, 0.0, 1)
        )
        return letter_id

    def list(self, module: str | None = None) -> list[DeadLetter]:
        return [x for x in self.letters if module in (None, x.module)]

    def discard(self, letter_id: int) -> None:
        self.letters = [x for x in self.letters if x.id != letter_id]

    def bump(self, letter_id: int) -> None:
        pass


def test_a_store_of_ones_own(crm: CRM) -> None:
    store: DeadLetterStore = ListStore()
    crm.dead_letters = store
    crm.contacts.create([{"First_Name": "no last name"}])
    assert [(x.module, x.code) for x in store.list()] == [("Contacts", "MANDATORY_NOT_FOUND")]
    crm.contacts.retry_dead_letters(lambda letter: {**letter.record, "Last_Name": "Fixed"})
    assert store.list() == [] and crm.contacts.count() == 1
