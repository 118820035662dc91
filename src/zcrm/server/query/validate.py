"""Checks a parsed filter against field metadata and binds it.

Each condition's field path must exist (lookups may be walked, up to two relations),
its operator must be one Zoho allows for the field's type, and its values must fit
the type; values are converted to their stored form. Errors are ``INVALID_QUERY``
with the offending part in ``details`` — keyed ``api_name`` for criteria and
``column_name`` + ``clause`` for COQL, as each API reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from zcrm.server.errors import InvalidQuery, LimitExceeded, ZohoError
from zcrm.server.query import ast
from zcrm.server.query.coql import Bare, Null
from zcrm.server.query.fields import ID_FIELD, USER_FIELDS, USER_NESTED
from zcrm.server.services.metadata.model import Field, Module, OrgMetadata
from zcrm.server.services.records.values import coerce

MAX_RELATIONS = 2
TEXTUAL = frozenset(
    {
        "text",
        "textarea",
        "email",
        "phone",
        "website",
        "picklist",
        "autonumber",
        "profileimage",
        "event_reminder",
    }
)
NUMERIC = frozenset({"integer", "bigint", "double", "currency", "percent"})
TEMPORAL = frozenset({"date", "datetime"})
LOOKUPS = frozenset({"lookup", "ownerlookup", "userlookup"})

COMPARE = {
    ast.EQ,
    ast.NE,
    ast.LT,
    ast.LE,
    ast.GT,
    ast.GE,
    ast.BETWEEN,
    ast.NOT_BETWEEN,
    ast.IN,
    ast.NOT_IN,
    ast.IS_NULL,
    ast.IS_NOT_NULL,
}
NULLS = {ast.IS_NULL, ast.IS_NOT_NULL}

# Search criteria: operators per type (reference §4.2); not_in wherever in is allowed.
CRITERIA_OPERATORS: dict[str, set[str]] = {
    "numeric": {ast.EQ, ast.NE, ast.GE, ast.GT, ast.LE, ast.LT, ast.BETWEEN, ast.IN, ast.NOT_IN},
    "temporal": {ast.EQ, ast.NE, ast.GE, ast.GT, ast.LE, ast.LT, ast.BETWEEN, ast.IN, ast.NOT_IN},
    "boolean": {ast.EQ, ast.NE},
    "textarea": {ast.EQ, ast.WORD_EQ, ast.NE, ast.STARTS_WITH},
    "lookup": {ast.EQ, ast.NE, ast.IN, ast.NOT_IN},
    "picklist": {ast.EQ, ast.NE, ast.IN, ast.NOT_IN},
    "text": {ast.EQ, ast.WORD_EQ, ast.NE, ast.STARTS_WITH, ast.IN, ast.NOT_IN},
    "multiselect": {ast.EQ, ast.NE, ast.IN, ast.NOT_IN, ast.STARTS_WITH},
}
# COQL: comparators per type.
COQL_OPERATORS: dict[str, set[str]] = {
    "numeric": COMPARE,
    "temporal": COMPARE,
    "boolean": {ast.EQ, ast.NE, *NULLS},
    "textarea": {ast.EQ, ast.NE, ast.LIKE, ast.NOT_LIKE, *NULLS},
    "lookup": {ast.EQ, ast.NE, ast.IN, ast.NOT_IN, *NULLS},
    "picklist": {ast.EQ, ast.NE, ast.IN, ast.NOT_IN, ast.LIKE, ast.NOT_LIKE, *NULLS},
    "text": {ast.EQ, ast.NE, ast.IN, ast.NOT_IN, ast.LIKE, ast.NOT_LIKE, *NULLS},
    "multiselect": {ast.EQ, ast.NE, ast.IN, ast.NOT_IN, ast.LIKE, *NULLS},
}


def family(field: Field) -> str:
    kind = field.data_type
    if kind in NUMERIC:
        return "numeric"
    if kind in TEMPORAL:
        return "temporal"
    if kind == "boolean":
        return "boolean"
    if kind == "textarea":
        return "textarea"
    if kind in LOOKUPS:
        return "lookup"
    if kind in ("picklist", "autonumber"):
        return "picklist"
    if kind == "multiselectpicklist":
        return "multiselect"
    if kind in TEXTUAL:
        return "text"
    return "unsupported"


@dataclass(frozen=True)
class Syntax:
    """How a language names things in its errors."""

    name: str  # "criteria" | "coql"

    def details(self, condition: ast.Condition, **extra: Any) -> dict[str, Any]:
        if self.name == "coql":
            out = {"column_name": condition.name, "clause": "where"}
        else:
            out = {"api_name": condition.name}
        out.update(extra)
        return out


CRITERIA = Syntax("criteria")
COQL = Syntax("coql")


@dataclass(frozen=True)
class Step:
    field: Field
    module: Module | None  # the module the field belongs to (None: users)


def resolve_path(
    meta: OrgMetadata,
    module: Module,
    path: tuple[str, ...],
    syntax: Syntax,
    condition: ast.Condition | None = None,
    clause: str = "where",
) -> list[Step]:
    """The fields walked by ``path`` from ``module``; the last one is the value's."""

    def invalid(reason: str, **extra: Any) -> ZohoError:
        key = "column_name" if syntax.name == "coql" else "api_name"
        details = {key: ".".join(path), "reason": reason, **extra}
        if syntax.name == "coql":
            details["clause"] = clause
        return InvalidQuery(
            "column given seems to be invalid" if syntax.name == "coql" else "invalid query formed",
            **details,
        )

    if len(path) - 1 > MAX_RELATIONS:
        key = "column_name" if syntax.name == "coql" else "api_name"
        raise LimitExceeded(
            "relation limit exceeded", **{key: ".".join(path)}, limit=MAX_RELATIONS, clause=clause
        )
    steps: list[Step] = []
    current: Module | None = module
    users = False
    remaining = list(path)
    while remaining:
        name = remaining.pop(0)
        if users:
            nested = tuple([name, *remaining[:1]])
            if nested in USER_NESTED:
                remaining = remaining[1:]
                steps.append(Step(USER_FIELDS[USER_NESTED[nested]], None))
                break
            found = USER_FIELDS.get(name)
            if found is None:
                raise invalid("the field is not available")
            steps.append(Step(found, None))
            break
        assert current is not None
        field = ID_FIELD if name == "id" else current.field(name)
        if field is None:
            raise invalid("the field is not available")
        steps.append(Step(field, current))
        if not remaining:
            break
        if field.is_user_lookup:
            users = True
            continue
        if field.is_lookup and not field.is_multi_module and field.lookup_module:
            current = meta.module(field.lookup_module)
            if current is None:
                raise invalid("the lookup module is not available")
            continue
        raise invalid("the field is not a lookup")
    if remaining:
        raise invalid("the field is not available")
    return steps


def bind(node: ast.Node, meta: OrgMetadata, module: Module, syntax: Syntax) -> ast.Node:
    if isinstance(node, ast.And):
        return ast.And(tuple(bind(i, meta, module, syntax) for i in node.items))
    if isinstance(node, ast.Or):
        return ast.Or(tuple(bind(i, meta, module, syntax) for i in node.items))
    if isinstance(node, ast.Bound):
        return node
    return bind_condition(node, meta, module, syntax)


def bind_condition(
    condition: ast.Condition, meta: OrgMetadata, module: Module, syntax: Syntax
) -> ast.Bound:
    if syntax.name == "criteria" and len(condition.path) > 1:
        raise InvalidQuery(**syntax.details(condition, reason="the field is not available"))
    steps = resolve_path(meta, module, condition.path, syntax, condition)
    target = steps[-1].field
    kind = family(target)
    operator = condition.operator
    if operator == ast.WORD_EQ and target.data_type not in ("text", "textarea"):
        operator = ast.EQ  # the leading-word match is for free text, not emails or picklists
    allowed = (CRITERIA_OPERATORS if syntax.name == "criteria" else COQL_OPERATORS).get(kind)
    if allowed is None:
        raise InvalidQuery(
            "data type not supported" if syntax.name == "coql" else "invalid query formed",
            **syntax.details(
                condition, data_type=target.data_type, reason="the field cannot be used in a query"
            ),
        )
    if operator not in allowed:
        raise InvalidQuery(
            "invalid operator found"
            if syntax.name == "criteria"
            else "operator given seems to be invalid for the column",
            **syntax.details(
                condition, operator=condition.spelled, reason="invalid operator found"
            ),
        )
    values, by_name = convert_values(condition, operator, target, kind, syntax)
    return ast.Bound(
        condition,
        tuple(s.field for s in steps),
        tuple(s.module for s in steps),
        operator,
        values,
        by_name,
    )


def convert_values(
    condition: ast.Condition, operator: str, target: Field, kind: str, syntax: Syntax
) -> tuple[tuple[Any, ...], bool]:
    if operator in NULLS:
        return (), False
    raw = list(condition.values)
    if operator in (ast.BETWEEN, ast.NOT_BETWEEN) and len(raw) != 2:
        raise InvalidQuery(**syntax.details(condition, reason="between needs two values"))
    if operator in (ast.IN, ast.NOT_IN) and len(raw) > (100 if syntax.name == "criteria" else 50):
        raise LimitExceeded(
            **syntax.details(condition, limit=100 if syntax.name == "criteria" else 50)
        )
    if kind == "lookup":
        return _lookup_values(condition, raw, target, syntax)
    out = []
    for value in raw:
        out.append(convert_one(condition, value, target, kind, operator, syntax))
    return tuple(out), False


def _plain(value: Any) -> Any:
    if isinstance(value, Bare):
        return value.text
    if isinstance(value, Null):
        return None
    return value


def convert_one(
    condition: ast.Condition, value: Any, target: Field, kind: str, operator: str, syntax: Syntax
) -> Any:
    value = _plain(value)

    def bad() -> InvalidQuery:
        return InvalidQuery(
            "value given seems to be invalid for the column"
            if syntax.name == "coql"
            else "invalid query formed",
            **syntax.details(
                condition, expected_data_type=target.data_type, reason="invalid value found"
            ),
        )

    if operator in (ast.LIKE, ast.NOT_LIKE, ast.STARTS_WITH, ast.WORD_EQ) or kind in (
        "text",
        "textarea",
        "picklist",
        "multiselect",
    ):
        if isinstance(value, (dict, list)) or value is None:
            raise bad()
        if isinstance(value, bool):
            value = "true" if value else "false"
        text = (
            str(value)
            if not isinstance(value, float) or not value.is_integer()
            else str(int(value))
        )
        if (
            kind == "picklist"
            and target.picklist
            and operator in (ast.EQ, ast.NE, ast.IN, ast.NOT_IN)
        ):
            return target.picklist_by_value.get(text, text)
        return text
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise bad()
    if kind == "temporal" and isinstance(value, str):
        value = _repair_offset(value)
    if target.data_type == "bigint" and target.api_name == "id":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        raise bad()
    try:
        stored = coerce(target, value)
    except ZohoError:
        raise bad() from None
    if stored is None:
        raise bad()
    return stored


_SPACE_OFFSET = re.compile(r"^(.*T\d{2}:\d{2}(:\d{2})?(\.\d+)?) (\d{2}:?\d{2})$")


def _repair_offset(value: str) -> str:
    """A ``+`` that was not URL-encoded arrives as a space: put it back."""
    match = _SPACE_OFFSET.match(value.strip())
    return f"{match.group(1)}+{match.group(4)}" if match else value.strip()


def _lookup_values(
    condition: ast.Condition, raw: list[Any], target: Field, syntax: Syntax
) -> tuple[tuple[Any, ...], bool]:
    values = [_plain(v) for v in raw]
    ids = []
    for value in values:
        text = str(value).strip() if value is not None else ""
        if isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
        elif text.isdigit():
            ids.append(int(text))
        else:
            break
    else:
        return tuple(ids), False
    if syntax.name == "coql":
        raise InvalidQuery(
            "value given seems to be invalid for the column",
            **syntax.details(condition, expected_data_type=target.data_type),
        )
    names = tuple(str(v).strip() for v in values)
    if any(not n for n in names):
        raise InvalidQuery(**syntax.details(condition, reason="invalid value found"))
    return names, True
