"""Bound filters -> SQLAlchemy expressions over ``records`` (values as bound parameters).

Text compares case-insensitively (``lower()`` on both sides, matching the indexes in
:mod:`zcrm.server.storage.indexes`). Negative operators (``not_equal``, ``not in``,
``not like``, ``not between``) also match records where the field is empty, as a CRM
user reading "Lead Source is not Web" expects. Lookup paths and user fields are
reached through LEFT OUTER JOINs that the compiler adds once per path prefix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    FromClause,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement as Col

from zcrm.server.query import ast
from zcrm.server.query.validate import family
from zcrm.server.services.metadata.model import API_NAME, Field, Module, OrgMetadata
from zcrm.server.storage.documents import doc_value, raw_value
from zcrm.server.storage.schema import records, users

SYSTEM_COLUMNS = {
    "Owner": "owner_id",
    "Created_By": "created_by",
    "Modified_By": "modified_by",
    "Created_Time": "created_time",
    "Modified_Time": "modified_time",
    "id": "id",
}
TEXT_KINDS = {"text", "textarea", "picklist"}


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def coql_pattern(text: str) -> str:
    """COQL LIKE: ``%`` is the only wildcard; ``_`` is a plain character."""
    return text.replace("\\", "\\\\").replace("_", "\\_")


class Compiler:
    """Compiles filters and projections for one query over one root module."""

    def __init__(self, org_id: int, dialect: str, meta: OrgMetadata, root: Module) -> None:
        self.org_id = org_id
        self.dialect = dialect
        self.meta = meta
        self.root = root
        self._user_aliases: set[str] = set()
        self.base: FromClause = records
        self._joins: dict[tuple[str, ...], Any] = {}
        self._order: list[tuple[Any, Any]] = []  # (alias, on clause), in join order

    # -- FROM with joins --------------------------------------------------------------------------

    def from_clause(self) -> FromClause:
        joined: Any = records
        for alias, on in self._order:
            joined = joined.outerjoin(alias, on)
        return joined  # type: ignore[no-any-return]

    def _table_for(self, fields: tuple[Field, ...], modules: tuple[Any, ...]) -> Any:
        """The table (alias) holding the last field of a path."""
        table: Any = records
        for depth in range(len(fields) - 1):
            key = tuple(f.api_name for f in fields[: depth + 1])
            if key in self._joins:
                table = self._joins[key]
                continue
            link = fields[depth]
            parent_value = self._value(table, link)
            if link.is_user_lookup:
                alias = users.alias(f"u{len(self._joins)}")
                self._user_aliases.add(alias.name)
                on = and_(alias.c.org_id == self.org_id, alias.c.id == parent_value)
            else:
                target = modules[depth + 1]
                alias = records.alias(f"r{len(self._joins)}")
                on = and_(
                    alias.c.org_id == self.org_id,
                    alias.c.module_id == target.id,
                    alias.c.id == parent_value,
                )
            self._joins[key] = alias
            self._order.append((alias, on))
            table = alias
        return table

    def _value(self, table: Any, field: Field) -> Any:
        """A field's value in ``table`` (a records alias or a users alias)."""
        if self._is_users(table):
            return self._user_column(table, field.api_name)
        column = SYSTEM_COLUMNS.get(field.api_name)
        if column is not None and (field.system_column or field.api_name == "id"):
            return table.c[column]
        return doc_value(table, field.api_name, field.data_type, self.dialect)

    def _user_column(self, table: Any, name: str) -> Any:
        if name == "full_name":
            return func.trim(func.coalesce(table.c.first_name, "") + " " + table.c.last_name)
        return table.c[name]

    def value_of(self, bound_fields: tuple[Field, ...], modules: tuple[Any, ...]) -> Any:
        table = self._table_for(bound_fields, modules)
        last = bound_fields[-1]
        return self._value(table, last)

    def _is_users(self, table: Any) -> bool:
        return table is users or getattr(table, "name", None) in self._user_aliases

    # -- filters --------------------------------------------------------------------------------

    def compile(self, node: ast.Node) -> Any:
        if isinstance(node, ast.And):
            return and_(*(self.compile(i) for i in node.items))
        if isinstance(node, ast.Or):
            return or_(*(self.compile(i) for i in node.items))
        assert isinstance(node, ast.Bound), node
        return self.condition(node)

    def condition(self, bound: ast.Bound) -> Any:
        target = bound.fields[-1]
        kind = family(target)
        op = bound.operator
        value = self.value_of(bound.fields, bound.modules)
        if bound.by_name:
            return self._by_name(bound, value)
        if kind == "multiselect":
            return self._multiselect(bound, op)
        if kind == "boolean":
            value = func.coalesce(value, false() if self.dialect == "postgresql" else 0)
            wanted = bound.values[0]
            if self.dialect != "postgresql":
                wanted = 1 if wanted else 0
            return value == wanted if op == ast.EQ else value != wanted
        textual = (
            kind in ("text", "textarea", "picklist") and target.data_type not in ("autonumber",)
        ) or target.data_type in ("email", "phone", "website", "autonumber")
        if _is_users_field(bound) and target.data_type in ("email", "text"):
            textual = True
        if textual:
            value = func.lower(value)
            values = tuple(str(v).lower() for v in bound.values)
        else:
            values = bound.values
            if self.dialect == "postgresql" and target.data_type in ("date", "datetime"):
                value = cast(value, String)
        return self._compare(op, value, values)

    def _compare(self, op: str, value: Any, values: tuple[Any, ...]) -> Any:
        if op == ast.IS_NULL:
            return value.is_(None)
        if op == ast.IS_NOT_NULL:
            return value.is_not(None)
        first = values[0] if values else None
        if op == ast.EQ:
            return value == first
        if op == ast.NE:
            return or_(value.is_(None), value != first)
        if op == ast.LT:
            return value < first
        if op == ast.LE:
            return value <= first
        if op == ast.GT:
            return value > first
        if op == ast.GE:
            return value >= first
        if op == ast.IN:
            return value.in_(values)
        if op == ast.NOT_IN:
            return or_(value.is_(None), value.not_in(values))
        if op == ast.BETWEEN:
            return and_(value >= values[0], value <= values[1])
        if op == ast.NOT_BETWEEN:
            return or_(value.is_(None), value < values[0], value > values[1])
        if op == ast.STARTS_WITH:
            return value.like(escape_like(str(first)) + "%", escape="\\")
        if op == ast.WORD_EQ:
            text = str(first)
            return or_(value == text, value.like(escape_like(text) + " %", escape="\\"))
        if op == ast.LIKE:
            return value.like(coql_pattern(str(first)), escape="\\")
        if op == ast.NOT_LIKE:
            return or_(value.is_(None), not_(value.like(coql_pattern(str(first)), escape="\\")))
        raise ValueError(f"unknown operator {op}")

    def _multiselect(self, bound: ast.Bound, op: str) -> Any:
        name = bound.fields[-1].api_name
        if not API_NAME.match(name) or len(bound.fields) != 1:
            return false()
        if self.dialect == "postgresql":
            array = records.c.data.op("->")(literal_column(f"'{name}'"))
            elements = func.jsonb_array_elements_text(
                func.coalesce(array, literal_column("'[]'::jsonb"))
            ).table_valued("value")
        else:
            elements = func.json_each(
                records.c.data, literal_column(f"'$.\"{name}\"'")
            ).table_valued("value")
        item = func.lower(elements.c.value)
        values = tuple(str(v).lower() for v in bound.values)

        def any_item(condition: Any) -> Any:
            return exists(select(literal(1)).select_from(elements).where(condition))

        whole = raw_value(records, name, self.dialect)
        empty = or_(whole.is_(None), ~any_item(true()))
        if op == ast.IS_NULL:
            return empty
        if op == ast.IS_NOT_NULL:
            return not_(empty)
        if op == ast.EQ:
            return any_item(item == values[0])
        if op == ast.NE:
            return not_(any_item(item == values[0]))
        if op == ast.IN:
            return any_item(item.in_(values))
        if op == ast.NOT_IN:
            return not_(any_item(item.in_(values)))
        if op in (ast.STARTS_WITH, ast.LIKE):
            pattern = (
                (escape_like(values[0]) + "%") if op == ast.STARTS_WITH else coql_pattern(values[0])
            )
            return any_item(item.like(pattern, escape="\\"))
        return false()

    def _by_name(self, bound: ast.Bound, value: Any) -> Any:
        """Lookup / owner fields compared by the display name (criteria only)."""
        target = bound.fields[-1]
        names = tuple(str(v).lower() for v in bound.values)
        if target.is_user_lookup:
            full = func.lower(
                func.trim(func.coalesce(users.c.first_name, "") + " " + users.c.last_name)
            )
            ids: Any = select(users.c.id).where(
                users.c.org_id == self.org_id,
                or_(full.in_(names), func.lower(users.c.email).in_(names)),
            )
        else:
            target_module = self.meta.module(target.lookup_module) if target.lookup_module else None
            if target_module is None:
                return false()
            inner = records.alias("named")
            display = func.lower(raw_value(inner, target_module.display_field, self.dialect))
            ids = select(inner.c.id).where(
                inner.c.org_id == self.org_id,
                inner.c.module_id == target_module.id,
                display.in_(names),
            )
        if self.dialect == "postgresql" and not target.system_column:
            value = cast(value, BigInteger)
        matched = value.in_(ids)
        if bound.operator in (ast.NE, ast.NOT_IN):
            return or_(value.is_(None), not_(matched))
        return matched


def _is_users_field(bound: ast.Bound) -> bool:
    return len(bound.fields) > 1 and bound.fields[-2].is_user_lookup


__all__ = ["Col", "Compiler"]
