"""Org-scoped access to the tables that hold an org's data.

Services never see a bare connection for org data: they get an :class:`OrgScope`,
whose statements already carry ``org_id = :org``. Forgetting the filter is not
possible, because there is nothing to forget.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Delete,
    Select,
    Table,
    Update,
    select,
)
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ColumnClause


class OrgScope:
    """A connection inside a transaction, bound to one org."""

    def __init__(self, conn: Connection, org_id: int) -> None:
        self.conn = conn
        self.org_id = org_id

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def owns(self, table: Table) -> ColumnElement[bool]:
        return table.c.org_id == self.org_id

    def select(self, table: Table, *columns: Any) -> Select[Any]:
        cols = columns or (table,)
        return select(*cols).where(self.owns(table))

    def join_owned(self, table: Table, on: ColumnElement[bool]) -> ColumnElement[bool]:
        """A join condition that also keeps the joined table inside the org."""
        return on & self.owns(table)

    def update(self, table: Table) -> Update:
        return table.update().where(self.owns(table))

    def delete(self, table: Table) -> Delete:
        return table.delete().where(self.owns(table))

    def insert(self, table: Table, rows: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> None:
        if isinstance(rows, Mapping):
            rows = [rows]
        if not rows:
            return
        self.conn.execute(table.insert(), [{**row, "org_id": self.org_id} for row in rows])

    def execute(self, statement: Executable, params: Any = None) -> CursorResult[Any]:
        return (
            self.conn.execute(statement, params)
            if params is not None
            else self.conn.execute(statement)
        )

    def scalar(self, statement: Executable) -> Any:
        return self.conn.execute(statement).scalar()

    def rows(self, statement: Executable) -> list[Any]:
        return list(self.conn.execute(statement))


def in_batches(values: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


__all__ = ["ColumnClause", "OrgScope", "in_batches"]
