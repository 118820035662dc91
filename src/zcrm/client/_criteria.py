"""A small builder for search criteria strings, with Zoho's escaping.

>>> from zcrm.client import field
>>> str((field("Last_Name").equals("O'Neil (Jr)")) & field("Annual_Revenue").greater_than(5))
"((Last_Name:equals:O'Neil \\\\(Jr\\\\))and(Annual_Revenue:greater_than:5))"
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def escape(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime):
        if value.utcoffset() is None:  # Zoho refuses it (INVALID_QUERY); we will not guess
            raise ValueError(
                f"{value!r} has no time zone: give it a tzinfo (Zoho needs the offset)"
            )
        text = value.isoformat(timespec="seconds")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace(",", "\\,")


class Criteria:
    def __init__(self, text: str) -> None:
        self.text = text

    def __and__(self, other: Criteria) -> Criteria:
        return Criteria(f"({self.text}and{other.text})")

    def __or__(self, other: Criteria) -> Criteria:
        return Criteria(f"({self.text}or{other.text})")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Criteria({self.text!r})"


class FieldRef:
    def __init__(self, api_name: str) -> None:
        self.api_name = api_name

    def _op(self, operator: str, *values: Any) -> Criteria:
        joined = ",".join(escape(v) for v in values)
        return Criteria(f"({self.api_name}:{operator}:{joined})")

    def equals(self, value: Any) -> Criteria:
        return self._op("equals", value)

    def not_equal(self, value: Any) -> Criteria:
        return self._op("not_equal", value)

    def starts_with(self, value: Any) -> Criteria:
        return self._op("starts_with", value)

    def in_(self, *values: Any) -> Criteria:
        return self._op("in", *values)

    def not_in(self, *values: Any) -> Criteria:
        return self._op("not_in", *values)

    def between(self, low: Any, high: Any) -> Criteria:
        return self._op("between", low, high)

    def greater_than(self, value: Any) -> Criteria:
        return self._op("greater_than", value)

    def greater_equal(self, value: Any) -> Criteria:
        return self._op("greater_equal", value)

    def less_than(self, value: Any) -> Criteria:
        return self._op("less_than", value)

    def less_equal(self, value: Any) -> Criteria:
        return self._op("less_equal", value)


def field(api_name: str) -> FieldRef:
    return FieldRef(api_name)
