"""The filter AST shared by search criteria, COQL and webhook conditions.

Parsers produce :class:`Condition` leaves (a field path, an operator, raw values)
joined by :class:`And` / :class:`Or`; the validator turns leaves into
:class:`Bound` leaves that know their field and hold values already coerced to the
stored form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Operators, whichever syntax they came from.
EQ, NE, LT, LE, GT, GE = "eq", "ne", "lt", "le", "gt", "ge"
STARTS_WITH, LIKE, NOT_LIKE = "starts_with", "like", "not_like"
IN, NOT_IN, BETWEEN, NOT_BETWEEN = "in", "not_in", "between", "not_between"
IS_NULL, IS_NOT_NULL = "is_null", "is_not_null"
WORD_EQ = "word_eq"  # criteria "equals" on text: the value, or the value as first word(s)

OPERATORS = frozenset(
    {
        EQ,
        NE,
        LT,
        LE,
        GT,
        GE,
        STARTS_WITH,
        LIKE,
        NOT_LIKE,
        IN,
        NOT_IN,
        BETWEEN,
        NOT_BETWEEN,
        IS_NULL,
        IS_NOT_NULL,
        WORD_EQ,
    }
)


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]  # ("Last_Name",) or ("Account_Name", "Account_Name")
    operator: str
    values: tuple[Any, ...] = ()
    spelled: str = ""  # the operator as the user wrote it, for error details
    position: tuple[int, int] | None = None  # (line, column) in the source, when known

    @property
    def name(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Bound:
    """A condition resolved against metadata: ``fields`` is the chain of fields walked."""

    condition: Condition
    fields: tuple[Any, ...]  # tuple[Field, ...]; the last one is compared
    modules: tuple[Any, ...]  # module of each step (the first is the queried module)
    operator: str
    values: tuple[Any, ...] = field(default=())
    by_name: bool = False  # lookup/owner compared by display name instead of id


Node = Condition | And | Or | Bound


def conditions(node: Node) -> list[Condition | Bound]:
    if isinstance(node, (And, Or)):
        out: list[Condition | Bound] = []
        for item in node.items:
            out.extend(conditions(item))
        return out
    return [node]
