"""COQL text -> :class:`CoqlQuery` (the WHERE part as the shared filter AST).

Syntax errors become Zoho's ``SYNTAX_ERROR`` with ``details`` naming the clause, the
line, the column and the text near the problem; a query without WHERE is
``SYNTAX_ERROR`` with ``{"clause": "where"}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from zcrm.server.errors import InvalidQuery, SyntaxError_
from zcrm.server.query import ast

COMPARATORS = {
    "=": ast.EQ,
    "!=": ast.NE,
    "<>": ast.NE,
    "<": ast.LT,
    "<=": ast.LE,
    ">": ast.GT,
    ">=": ast.GE,
}
CLAUSES = ("select", "from", "where", "group by", "order by", "limit")


class Null:
    """The SQL NULL literal (``= null`` is refused; use ``is null``)."""


NULL = Null()


@dataclass(frozen=True)
class Bare:
    """An unquoted word used as a value (``Lead_Source = Advertisement``)."""

    text: str


@dataclass(frozen=True)
class SelectItem:
    key: str  # the key in each result row: "Last_Name", "Owner.email", "COUNT(id)"
    path: tuple[str, ...]  # () for COUNT(*)
    function: str | None = None  # COUNT | SUM | MIN | MAX | AVG
    alias: str | None = None


@dataclass
class CoqlQuery:
    select: list[SelectItem]
    module: str
    where: ast.Node | None
    group_by: list[tuple[str, ...]] = field(default_factory=list)
    order_by: list[tuple[SelectItem, bool]] = field(default_factory=list)  # (item, descending)
    limit: int | None = None
    offset: int | None = None


@lru_cache(maxsize=1)
def _parser() -> Lark:
    # The basic lexer makes keywords reserved: "select from Leads" fails at "from", in
    # the select clause, instead of reading "from" as a column name.
    return Lark(
        (Path(__file__).parent / "coql.lark").read_text(),
        parser="lalr",
        lexer="basic",
        transformer=_Build(),  # built while parsing: no intermediate tree
        propagate_positions=True,
        maybe_placeholders=False,
    )


def _unquote(text: str) -> str:
    quote = text[0]
    body = text[1:-1]
    if quote == "'":
        body = body.replace("''", "'")
    return re.sub(r"\\(.)", r"\1", body)


class _Build(Transformer[Token, Any]):
    # values
    def string(self, items: list[Token]) -> str:
        return _unquote(str(items[0]))

    def number(self, items: list[Token]) -> int | float:
        text = str(items[0])
        return float(text) if "." in text else int(text)

    def true(self, _: list[Token]) -> bool:
        return True

    def false(self, _: list[Token]) -> bool:
        return False

    def null(self, _: list[Token]) -> Null:
        return NULL

    def bare(self, items: list[Token]) -> Bare:
        return Bare(str(items[0]))

    # columns
    def column(self, items: list[Token]) -> tuple[tuple[str, ...], Token]:
        return tuple(str(t) for t in items), items[0]

    def quoted_column(self, items: list[Token]) -> tuple[tuple[str, ...], Token]:
        text = _unquote(str(items[0]))
        return tuple(text.split(".")), items[0]

    def aggregate(self, items: list[Any]) -> SelectItem:
        function = str(items[0]).upper()
        target = items[1]
        path: tuple[str, ...] = () if isinstance(target, Token) else target[0]
        inner = "*" if not path else ".".join(path)
        if function != "COUNT" and not path:
            raise InvalidQuery("only COUNT accepts *", function=function, clause="select")
        key = f"{function}({'id' if inner == '*' else inner})"
        return SelectItem(key, path, function)

    def select_item(self, items: list[Any]) -> SelectItem:
        target = items[0]
        alias = str(items[1].children[0]) if len(items) > 1 else None
        if alias and alias[0] in "'\"":
            alias = _unquote(alias)
        if isinstance(target, Token):  # *
            raise InvalidQuery(
                "select * is not supported: name the columns", clause="select", column_name="*"
            )
        if isinstance(target, SelectItem):
            return SelectItem(target.key, target.path, target.function, alias)
        path = target[0]
        return SelectItem(".".join(path), path, None, alias)

    def select(self, items: list[SelectItem]) -> list[SelectItem]:
        return items

    def from_clause(self, items: list[Token]) -> str:
        return str(items[0])

    def where_clause(self, items: list[ast.Node]) -> tuple[str, ast.Node]:
        return "where", items[0]

    def group_clause(self, items: list[Any]) -> tuple[str, list[tuple[str, ...]]]:
        return "group", [c[0] for c in items]

    def order_item(self, items: list[Any]) -> tuple[SelectItem, bool]:
        target = items[0]
        descending = len(items) > 1 and str(items[1]).lower() == "desc"
        if isinstance(target, SelectItem):
            return target, descending
        return SelectItem(".".join(target[0]), target[0]), descending

    def order_clause(self, items: list[Any]) -> tuple[str, list[Any]]:
        return "order", items

    def limit_clause(self, items: list[Token]) -> tuple[str, tuple[int, int | None]]:
        # "LIMIT n", "LIMIT offset, n" (MySQL order) or "LIMIT n OFFSET offset": the
        # last two are told apart in parse_coql, which sees the text.
        numbers = [int(float(t)) for t in items]
        if any(not str(t).isdigit() for t in items):
            raise SyntaxError_("limit and offset are whole numbers", clause="limit")
        if len(numbers) == 1:
            return "limit", (numbers[0], None)
        return "limit", (numbers[0], numbers[1])

    # conditions
    def _condition(
        self, column: tuple[tuple[str, ...], Token], op: str, values: tuple[Any, ...], spelled: str
    ) -> ast.Condition:
        path, token = column
        return ast.Condition(path, op, values, spelled, (token.line or 1, token.column or 1))

    def compare(self, items: list[Any]) -> ast.Condition:
        spelled = str(items[1])
        operator = COMPARATORS[spelled]
        if isinstance(items[2], Null):  # "= null" / "!= null": read as is (not) null
            if operator not in (ast.EQ, ast.NE):
                raise InvalidQuery(
                    "null can only be compared with = or !=",
                    clause="where",
                    column_name=".".join(items[0][0]),
                    operator=spelled,
                )
            return self._condition(
                items[0], ast.IS_NULL if operator == ast.EQ else ast.IS_NOT_NULL, (), spelled
            )
        return self._condition(items[0], operator, (items[2],), spelled)

    def like(self, items: list[Any]) -> ast.Condition:
        negated = any(isinstance(i, Token) and i.type == "NOT" for i in items)
        return self._condition(
            items[0],
            ast.NOT_LIKE if negated else ast.LIKE,
            (items[-1],),
            "not like" if negated else "like",
        )

    def in_(self, items: list[Any]) -> ast.Condition:
        negated = any(isinstance(i, Token) and i.type == "NOT" for i in items)
        values = tuple(
            i for i in items[1:] if not (isinstance(i, Token) and i.type in ("NOT", "IN"))
        )
        return self._condition(
            items[0], ast.NOT_IN if negated else ast.IN, values, "not in" if negated else "in"
        )

    def between(self, items: list[Any]) -> ast.Condition:
        negated = any(isinstance(i, Token) and i.type == "NOT" for i in items)
        values = tuple(
            i
            for i in items[1:]
            if not (isinstance(i, Token) and i.type in ("NOT", "BETWEEN", "AND"))
        )
        return self._condition(
            items[0],
            ast.NOT_BETWEEN if negated else ast.BETWEEN,
            values,
            "not between" if negated else "between",
        )

    def is_null(self, items: list[Any]) -> ast.Condition:
        negated = any(isinstance(i, Token) and i.type == "NOT" for i in items)
        return self._condition(
            items[0],
            ast.IS_NOT_NULL if negated else ast.IS_NULL,
            (),
            "is not null" if negated else "is null",
        )

    def and_(self, items: list[Any]) -> ast.And:
        return ast.And((items[0], items[2]))

    def or_(self, items: list[Any]) -> ast.Or:
        return ast.Or((items[0], items[2]))

    def start(self, items: list[Any]) -> CoqlQuery:
        select, module = items[0], items[1]
        query = CoqlQuery(select, module, None)
        for item in items[2:]:
            if not isinstance(item, tuple):
                continue
            kind, value = item
            if kind == "where":
                query.where = value
            elif kind == "group":
                query.group_by = value
            elif kind == "order":
                query.order_by = value
            elif kind == "limit":
                first, second = value
                query.limit, query.offset = (first, None) if second is None else (second, first)
        return query


def _limit_form(source: str) -> str | None:
    """ "offset" when the LIMIT clause is written ``LIMIT n OFFSET m``."""
    match = re.search(r"\blimit\s+\d+\s*(,|offset)", source, re.IGNORECASE)
    return match.group(1).lower() if match else None


def clause_at(source: str, position: int) -> str:
    """The clause an error at ``position`` belongs to: the last keyword before it."""
    lowered = _without_strings(source).lower()
    found = "select"
    best = -1
    for clause in CLAUSES:
        word = clause.split(" ")[0]
        for match in re.finditer(r"\b" + word + r"\b", lowered):
            if best < match.start() < position:
                best, found = match.start(), word
    return found


def parse_coql(source: str) -> CoqlQuery:
    text = source.strip()
    if not text:
        raise SyntaxError_("the query is empty", clause="select")
    if not re.match(r"select\b", text, re.IGNORECASE):
        raise SyntaxError_(
            "only select queries are supported", clause="select", line=1, column=1, near=text[:20]
        )
    if not re.search(r"\bwhere\b", _without_strings(text), re.IGNORECASE):
        raise SyntaxError_("where clause is missing", clause="where")
    try:
        query: CoqlQuery = _parser().parse(text)  # type: ignore[assignment]
    except UnexpectedInput as error:
        position = getattr(error, "pos_in_stream", None) or 0
        token = getattr(error, "token", None)
        if isinstance(error, UnexpectedEOF) or getattr(token, "type", None) == "$END":
            position = len(text)
        line = getattr(error, "line", 1) or 1
        column = getattr(error, "column", position + 1) or position + 1
        near = text[position : position + 20] if not isinstance(error, UnexpectedEOF) else ""
        if isinstance(error, UnexpectedCharacters):
            near = text[position : position + 20]
        raise SyntaxError_(
            "syntax error near the given position",
            clause=clause_at(text, position),
            line=line,
            column=column,
            near=near.strip(),
        ) from None
    except LarkError as error:
        original = getattr(error, "orig_exc", None)
        if isinstance(original, (InvalidQuery, SyntaxError_)):
            raise original from None
        raise SyntaxError_("syntax error", clause="select") from None
    if _limit_form(text) == "offset" and query.offset is not None:
        query.limit, query.offset = query.offset, query.limit
    return query


def _without_strings(text: str) -> str:
    return re.sub(r"'(\\.|''|[^'\\])*'|\"(\\.|[^\"\\])*\"", "''", text)
