"""Property tests over the query languages (hypothesis).

1. Any string at all, as criteria or as COQL, gets a Zoho-shaped answer: 200/204 with
   data, or 400 with ``{"code","details","message","status"}`` — never a 500.
2. Generated *valid* filters return exactly the records a brute-force Python
   evaluation of the same filter selects from the dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from query_dataset import LABELS, LEAD_ROWS

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Record = dict[str, Any]
Predicate = Callable[[Record], bool]


def zoho_shaped(response: Any) -> None:
    assert response.status_code in (200, 204, 400), (response.status_code, response.text)
    if response.status_code == 400:
        body = response.json()
        assert set(body) == {"code", "details", "message", "status"}, body
        assert body["status"] == "error" and isinstance(body["details"], dict)
    elif response.status_code == 200:
        assert "data" in response.json()


@SETTINGS
@given(st.text(max_size=80))
def test_any_criteria_is_answered_zoho_style(dataset: Any, text: str) -> None:
    zoho_shaped(dataset.api.get("Leads/search", params={"criteria": text}))


ALPHABET = st.sampled_from(
    list(
        "()':,=<>!%\\\" and or not in like between is null select "
        "from where limit order by group Last_Name Leads 0123456789"
    )
)


@SETTINGS
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_any_coql_is_answered_zoho_style(dataset: Any, text: str) -> None:
    response = dataset.api.post("coql", json={"select_query": text})
    zoho_shaped(response)
    assert response.status_code != 500


@SETTINGS
@given(st.text(max_size=60))
def test_any_coql_where_is_answered_zoho_style(dataset: Any, where: str) -> None:
    response = dataset.api.post(
        "coql", json={"select_query": f"select Last_Name from Leads where {where}"}
    )
    zoho_shaped(response)


# --- generated filters vs brute force -----------------------------------------------------------

TEXT_FIELDS = {
    "Last_Name": ["Smith", "Jones", "smith", "O'Neil", "Zed", "Sto"],
    "Company": ["ABC", "ABC Inc", "ABCD", "Smithson", "Northwind (EU), Ltd", "nothing"],
}
PICK_FIELDS = {
    "Lead_Source": ["Cold Call", "Partner", "Trade Show", "Web Download", "Advertisement"]
}
NUM_FIELDS = {
    "Annual_Revenue": [100, 250, 500, 1500, 999999.5, 0, 42],
    "No_of_Employees": [5, 10, 250, 1, 1000],
}


def text_eq(record_value: Any, wanted: str, word: bool) -> bool:
    if record_value is None:
        return False
    have, want = str(record_value).lower(), wanted.lower()
    return have == want or (word and have.startswith(want + " "))


def criteria_condition() -> st.SearchStrategy[tuple[str, Predicate]]:
    def text_case(field: str) -> st.SearchStrategy[tuple[str, Predicate]]:
        values = st.sampled_from(TEXT_FIELDS[field])
        equals = values.map(
            lambda v: (
                f"({field}:equals:{escape(v)})",
                lambda r, v=v: text_eq(r.get(field), v, True),
            )
        )
        not_equal = values.map(
            lambda v: (
                f"({field}:not_equal:{escape(v)})",
                lambda r, v=v: not text_eq(r.get(field), v, False),
            )
        )
        starts = values.map(
            lambda v: (
                f"({field}:starts_with:{escape(v)})",
                lambda r, v=v: (
                    r.get(field) is not None and str(r[field]).lower().startswith(v.lower())
                ),
            )
        )
        return st.one_of(equals, not_equal, starts)

    def pick_case(field: str) -> st.SearchStrategy[tuple[str, Predicate]]:
        values = st.sampled_from(PICK_FIELDS[field])
        equals = values.map(lambda v: (f"({field}:equals:{v})", lambda r, v=v: r.get(field) == v))
        within = st.lists(values, min_size=1, max_size=3).map(
            lambda vs: (f"({field}:in:{','.join(vs)})", lambda r, vs=vs: r.get(field) in vs)
        )
        return st.one_of(equals, within)

    def num_case(field: str) -> st.SearchStrategy[tuple[str, Predicate]]:
        values = st.sampled_from(NUM_FIELDS[field])
        ops: dict[str, Callable[[Any, Any], bool]] = {
            "equals": lambda a, b: a == b,
            "greater_than": lambda a, b: a > b,
            "greater_equal": lambda a, b: a >= b,
            "less_than": lambda a, b: a < b,
            "less_equal": lambda a, b: a <= b,
        }

        def build(op: str, v: Any) -> tuple[str, Predicate]:
            return (
                f"({field}:{op}:{v})",
                lambda r: (
                    r.get(field) is not None and ops[op](Decimal(str(r[field])), Decimal(str(v)))
                ),
            )

        simple = st.builds(build, st.sampled_from(sorted(ops)), values)
        between = st.tuples(values, values).map(
            lambda p: (
                f"({field}:between:{min(p)},{max(p)})",
                lambda r, p=p: r.get(field) is not None and min(p) <= r[field] <= max(p),
            )
        )
        return st.one_of(simple, between)

    return st.one_of(
        *[text_case(f) for f in TEXT_FIELDS],
        *[pick_case(f) for f in PICK_FIELDS],
        *[num_case(f) for f in NUM_FIELDS],
    )


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace(",", "\\,")


def criteria_tree(depth: int = 2) -> st.SearchStrategy[tuple[str, Predicate]]:
    if depth == 0:
        return criteria_condition()
    sub = criteria_tree(depth - 1)

    def join(parts: list[tuple[str, Predicate]], word: str) -> tuple[str, Predicate]:
        text = "(" + word.join(p[0] for p in parts) + ")"
        preds = [p[1] for p in parts]
        if word == "and":
            return text, lambda r: all(p(r) for p in preds)
        return text, lambda r: any(p(r) for p in preds)

    return st.one_of(
        criteria_condition(),
        st.builds(join, st.lists(sub, min_size=2, max_size=3), st.sampled_from(["and", "or"])),
    )


@SETTINGS
@given(criteria_tree())
def test_criteria_agree_with_brute_force(dataset: Any, case: tuple[str, Predicate]) -> None:
    criteria, predicate = case
    if criteria.count(":") // 2 > 10:
        return
    response = dataset.api.get("Leads/search", params={"criteria": criteria})
    assert response.status_code in (200, 204), (criteria, response.text)
    found = (
        set()
        if response.status_code == 204
        else {dataset.names[r["id"]] for r in response.json()["data"]}
    )
    expected = {label for label, row in zip(LABELS, LEAD_ROWS, strict=True) if predicate(row)}
    assert found == expected, criteria


def coql_condition() -> st.SearchStrategy[tuple[str, Predicate]]:
    def quote(v: str) -> str:
        return "'" + v.replace("'", "''") + "'"

    text = st.sampled_from(sorted(TEXT_FIELDS)).flatmap(
        lambda f: st.sampled_from(TEXT_FIELDS[f]).flatmap(
            lambda v: st.sampled_from(
                [
                    (f"{f} = {quote(v)}", lambda r: text_eq(r.get(f), v, False)),
                    (f"{f} != {quote(v)}", lambda r: not text_eq(r.get(f), v, False)),
                    (
                        f"{f} like {quote(v + '%')}",
                        lambda r: r.get(f) is not None and str(r[f]).lower().startswith(v.lower()),
                    ),
                    (f"{f} is null", lambda r: r.get(f) is None),
                ]
            )
        )
    )
    number = st.sampled_from(sorted(NUM_FIELDS)).flatmap(
        lambda f: st.sampled_from(NUM_FIELDS[f]).flatmap(
            lambda v: st.sampled_from(
                [
                    (f"{f} > {v}", lambda r: r.get(f) is not None and r[f] > v),
                    (f"{f} <= {v}", lambda r: r.get(f) is not None and r[f] <= v),
                    (f"{f} = {v}", lambda r: r.get(f) is not None and r[f] == v),
                    (f"{f} is not null", lambda r: r.get(f) is not None),
                ]
            )
        )
    )
    return st.one_of(text, number)


def coql_tree(depth: int = 2) -> st.SearchStrategy[tuple[str, Predicate]]:
    if depth == 0:
        return coql_condition()
    sub = coql_tree(depth - 1)

    def pair(
        a: tuple[str, Predicate], b: tuple[str, Predicate], word: str
    ) -> tuple[str, Predicate]:
        if word == "and":
            return f"({a[0]} and {b[0]})", lambda r: a[1](r) and b[1](r)
        return f"({a[0]} or {b[0]})", lambda r: a[1](r) or b[1](r)

    return st.one_of(coql_condition(), st.builds(pair, sub, sub, st.sampled_from(["and", "or"])))


@SETTINGS
@given(coql_tree())
def test_coql_agrees_with_brute_force(dataset: Any, case: tuple[str, Predicate]) -> None:
    where, predicate = case
    response = dataset.api.post(
        "coql", json={"select_query": f"select Last_Name from Leads where {where} limit 200"}
    )
    assert response.status_code in (200, 204), (where, response.text)
    found = (
        set()
        if response.status_code == 204
        else {dataset.names[r["id"]] for r in response.json()["data"]}
    )
    expected = {label for label, row in zip(LABELS, LEAD_ROWS, strict=True) if predicate(row)}
    assert found == expected, where
