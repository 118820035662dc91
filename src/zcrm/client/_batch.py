"""Batch writes: split into the allowed chunk size, every record's outcome in input order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Outcome:
    index: int  # position in the caller's input
    record: dict[str, Any]
    ok: bool
    id: str | None = None
    code: str | None = None
    message: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    action: str | None = None  # upserts: "insert" | "update"


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[Outcome, ...]

    @property
    def succeeded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def ids(self) -> list[str | None]:
        """The record id per input position (None where it failed)."""
        return [o.id for o in self.outcomes]

    def __len__(self) -> int:
        return len(self.outcomes)

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def raise_for_failures(self) -> None:
        if self.failed:
            from zcrm.client._errors import record_error

            first = self.failed[0]
            raise record_error(
                {"code": first.code, "message": first.message, "details": first.details}
            )


def chunks(items: Sequence[Any], size: int) -> Iterator[tuple[int, Sequence[Any]]]:
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


def outcomes_for(
    offset: int, records: Sequence[dict[str, Any]], answers: list[dict[str, Any]]
) -> list[Outcome]:
    out = []
    for position, record in enumerate(records):
        item = (
            answers[position]
            if position < len(answers)
            else {
                "code": "NO_ANSWER",
                "message": "the server gave no result for this record",
                "status": "error",
            }
        )
        ok = item.get("status") == "success"
        raw_details = item.get("details")
        details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
        out.append(
            Outcome(
                index=offset + position,
                record=dict(record),
                ok=ok,
                id=str(details["id"]) if ok and details.get("id") is not None else None,
                code=item.get("code"),
                message=item.get("message"),
                details=details,
                action=item.get("action"),
            )
        )
    return out
