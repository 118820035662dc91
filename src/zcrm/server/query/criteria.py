"""Search criteria strings (``((Last_Name:equals:Smith)and(Email:starts_with:a))``) -> AST.

The grammar is ``criteria.lark``. Operators map onto the shared AST's; values are
unescaped (``\\(``, ``\\)``, ``\\,``, ``\\\\``) and, for ``in``/``not_in``/``between``,
split on unescaped commas. Errors are Zoho's ``INVALID_QUERY``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedInput

from zcrm.server.errors import InvalidQuery, LimitExceeded
from zcrm.server.query import ast

MAX_CONDITIONS = 10
MAX_IN_VALUES = 100

OPERATORS = {
    "equals": ast.WORD_EQ,  # resolved to EQ for non-text fields by the validator
    "equal": ast.WORD_EQ,
    "not_equal": ast.NE,
    "starts_with": ast.STARTS_WITH,
    "in": ast.IN,
    "not_in": ast.NOT_IN,
    "between": ast.BETWEEN,
    "greater_than": ast.GT,
    "greater_equal": ast.GE,
    "less_than": ast.LT,
    "less_equal": ast.LE,
}
MULTI_VALUE = {ast.IN, ast.NOT_IN, ast.BETWEEN}
_SPLIT = re.compile(r"(?<!\\)(?:\\\\)*,")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(
        (Path(__file__).parent / "criteria.lark").read_text(),
        parser="lalr",
        transformer=_ToAst(),  # built while parsing: no intermediate tree
        propagate_positions=True,
    )


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def split_values(raw: str) -> list[str]:
    parts: list[str] = []
    current = ""
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\" and i + 1 < len(raw):
            current += raw[i : i + 2]
            i += 2
            continue
        if char == ",":
            parts.append(current)
            current = ""
        else:
            current += char
        i += 1
    parts.append(current)
    return [unescape(p).strip() for p in parts]


class _ToAst(Transformer[Token, ast.Node]):
    def condition(self, items: list[Any]) -> ast.Condition:
        field, operator = items[0], items[1]
        raw = str(items[2]) if len(items) > 2 else ""
        spelled = str(operator)
        op = OPERATORS.get(spelled.lower())
        if op is None:
            raise InvalidQuery(
                reason="invalid operator found", api_name=str(field), operator=spelled
            )
        if op in MULTI_VALUE:
            values: tuple[str, ...] = tuple(split_values(raw))
            if op == ast.BETWEEN and len(values) != 2:
                raise InvalidQuery(
                    reason="between needs two values", api_name=str(field), operator=spelled
                )
            if len(values) > MAX_IN_VALUES:
                raise LimitExceeded(api_name=str(field), operator=spelled, limit=MAX_IN_VALUES)
        else:
            values = (unescape(raw).strip(),)
        return ast.Condition(
            tuple(str(field).split(".")), op, values, spelled, (field.line or 1, field.column or 1)
        )

    def and_(self, items: list[ast.Node]) -> ast.And:
        flat: list[ast.Node] = []
        for item in items:
            flat.extend(item.items if isinstance(item, ast.And) else [item])
        return ast.And(tuple(flat))

    def or_(self, items: list[ast.Node]) -> ast.Or:
        flat: list[ast.Node] = []
        for item in items:
            flat.extend(item.items if isinstance(item, ast.Or) else [item])
        return ast.Or(tuple(flat))


def parse_criteria(text: str) -> ast.Node:
    source = text.strip()
    if not source:
        raise InvalidQuery(reason="the criteria is empty", param_name="criteria")
    try:
        node: ast.Node = _parser().parse(source)  # type: ignore[assignment]
    except UnexpectedInput as error:
        near = source[max(0, error.column - 1) : error.column + 15] if error.column else ""
        raise InvalidQuery(
            reason="invalid criteria", column=error.column, near=near, param_name="criteria"
        ) from None
    except LarkError as error:
        original = getattr(error, "orig_exc", None)
        if isinstance(original, (InvalidQuery, LimitExceeded)):
            raise original from None
        raise InvalidQuery(reason="invalid criteria", param_name="criteria") from None
    if len(ast.conditions(node)) > MAX_CONDITIONS:
        raise LimitExceeded("criteria limit exceeded", param_name="criteria", limit=MAX_CONDITIONS)
    return node
