"""A small integration: keep Zoho CRM's leads in step with a CSV export, and react to
changes Zoho pushes back. It only uses zcrm.client, so it runs against Zoho's data
centres as it runs against zcrm."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zcrm.client import CRM, BatchResult

# CSV column -> Zoho field API name
COLUMNS = {
    "first_name": "First_Name",
    "last_name": "Last_Name",
    "company": "Company",
    "email": "Email",
    "phone": "Phone",
    "source": "Lead_Source",
}


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lead = {
                field: row[column].strip()
                for column, field in COLUMNS.items()
                if row.get(column, "").strip()
            }
            yield lead


def sync_leads(crm: CRM, rows: Iterable[dict[str, Any]]) -> BatchResult:
    """Upsert every row on Email: new people are inserted, known ones updated.

    Rows Zoho refuses (a missing last name, a malformed email…) come back in
    ``result.failed`` and, when the client has a dead-letter store, wait there.
    """
    return crm.leads.upsert(list(rows), duplicate_check_fields=["Email"])


@dataclass
class ChangeLog:
    """What a notification handler saw (a real one would update a warehouse, a cache…)."""

    changes: list[tuple[str, str]]

    def __call__(self, payload: dict[str, Any]) -> None:
        for record_id in payload.get("ids", []):
            self.changes.append((payload["operation"], str(record_id)))
