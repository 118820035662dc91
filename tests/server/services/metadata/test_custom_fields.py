"""Custom-field request rules (services/metadata/custom_fields.py), without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from zcrm.server.errors import (
    DuplicateData,
    InvalidData,
    MandatoryNotFound,
    ReservedKeywordNotAllowed,
    ZohoError,
)
from zcrm.server.services.metadata.custom_fields import (
    MAX_API_NAME,
    api_name_from_label,
    parse_request,
    unique_api_name,
)


@pytest.mark.parametrize(
    ("label", "api_name"),
    [
        ("Renewal Date", "Renewal_Date"),
        ("Contact Lookup Testing", "Contact_Lookup_Testing"),
        ("Age1", "Age1"),
        ("  Spaced   out  ", "Spaced_out"),
        ("Net (EUR) %", "Net_EUR"),
        ("e-mail 2", "email_2"),
        ("already_snake", "already_snake"),
        ("2nd Phone", "F_2nd_Phone"),
        ("!!!", ""),
    ],
)
def test_api_name_from_label(label: str, api_name: str) -> None:
    assert api_name_from_label(label) == api_name


@pytest.mark.parametrize(
    ("base", "suffix", "taken", "expected"),
    [
        ("Name", "__c", set(), "Name__c"),
        ("Name", "__c", {"name__c"}, "Name1__c"),
        ("Name", "__c", {"Name__c", "Name1__c"}, "Name2__c"),
        ("Name", "", {"Name"}, "Name1"),
        ("N" * 120, "__c", set(), "N" * (MAX_API_NAME - 3) + "__c"),
    ],
)
def test_unique_api_name(base: str, suffix: str, taken: set[str], expected: str) -> None:
    assert unique_api_name(base, suffix, taken) == expected


def test_parse_request_defaults() -> None:
    spec = parse_request(0, {"field_label": " Seats ", "data_type": "integer"}, True, set())
    assert (spec.api_name, spec.label, spec.length, spec.unique) == ("Seats__c", "Seats", 9, False)
    money = parse_request(0, {"field_label": "Fee", "data_type": "currency"}, False, set())
    assert (money.api_name, money.length, money.decimal_place) == ("Fee", 16, 2)
    note = parse_request(
        0,
        {"field_label": "Memo", "data_type": "textarea", "textarea": {"type": "small"}},
        True,
        set(),
    )
    assert (note.length, note.textarea_type) == (2000, "small")
    tiers = parse_request(
        0,
        {"field_label": "Tiers", "data_type": "multiselectpicklist", "pick_list_values": ["A"]},
        True,
        set(),
    )
    assert [o.display_value for o in tiers.picklist] == ["A"]  # no -None- in a multi-select


@pytest.mark.parametrize(
    ("raw", "error", "json_path"),
    [
        ({"data_type": "text"}, MandatoryNotFound, "$.fields[3].field_label"),
        ({"field_label": "X"}, MandatoryNotFound, "$.fields[3].data_type"),
        ({"field_label": "X", "data_type": "formula"}, InvalidData, "$.fields[3].data_type"),
        (
            {"field_label": "X", "data_type": "website", "length": 451},
            InvalidData,
            "$.fields[3].length",
        ),
        (
            {"field_label": "X", "data_type": "percent", "length": True},
            InvalidData,
            "$.fields[3].length",
        ),
        (
            {"field_label": "X", "data_type": "text", "api_name": "x y"},
            InvalidData,
            "$.fields[3].api_name",
        ),
        (
            {"field_label": "X", "data_type": "text", "api_name": "taken"},
            DuplicateData,
            "$.fields[3].api_name",
        ),
        (
            {"field_label": "Where", "data_type": "text"},
            ReservedKeywordNotAllowed,
            "$.fields[3].field_label",
        ),
        (
            {"field_label": "X", "data_type": "date", "unique": True},
            InvalidData,
            "$.fields[3].unique",
        ),
        (
            {
                "field_label": "X",
                "data_type": "picklist",
                "pick_list_values": [{"display_value": 3}],
            },
            InvalidData,
            "$.fields[3].pick_list_values[0]",
        ),
    ],
)
def test_parse_request_errors(raw: dict[str, Any], error: type[ZohoError], json_path: str) -> None:
    with pytest.raises(error) as caught:
        parse_request(3, raw, True, {"Taken"})
    assert caught.value.details["json_path"] == json_path


def test_length_errors_give_the_range() -> None:
    with pytest.raises(InvalidData) as caught:
        parse_request(0, {"field_label": "X", "data_type": "phone", "length": 31}, True, set())
    assert caught.value.details["minimum_length"] == 1
    assert caught.value.details["maximum_length"] == 30


def test_unique_given_as_an_empty_object_is_not_unique() -> None:
    spec = parse_request(0, {"field_label": "X", "data_type": "text", "unique": {}}, True, set())
    assert spec.unique is False
