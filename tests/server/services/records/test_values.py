"""Every field type's accepted and refused values (services/records/values.py)."""

from __future__ import annotations

from typing import Any

import pytest

from zcrm.server.errors import InvalidData
from zcrm.server.services.metadata.model import Field, PicklistValue
from zcrm.server.services.records.values import coerce


def make_field(data_type: str, **kw: Any) -> Field:
    base: dict[str, Any] = {
        "id": 1,
        "module_id": 1,
        "api_name": "F",
        "label": "F",
        "data_type": data_type,
        "length": None,
        "decimal_place": None,
        "mandatory": False,
        "read_only": False,
        "unique": False,
        "custom": False,
        "system_column": False,
        "searchable": True,
        "lookup_module": None,
        "multi_module": (),
        "picklist": (),
        "default": None,
        "textarea_type": None,
        "sequence": 1,
        "created_time": "",
        "modified_time": "",
    }
    base.update(kw)
    return Field(**base)


PICKS = (
    PicklistValue("Cold Call", "Cold Call", 1, 11, {}),
    PicklistValue("Identify Decision Makers", "Id. Decision Makers", 2, 12, {}),
)

ACCEPTED = [
    ("text", {"length": 5}, "abcde", "abcde"),
    ("text", {"length": 5}, 42, "42"),
    ("text", {}, "", None),
    ("textarea", {"length": 10}, "line\nline", "line\nline"),
    ("email", {"length": 100}, "a.b+c@example.co.uk", "a.b+c@example.co.uk"),
    ("phone", {"length": 30}, "+1 (555) 010-0199 x12", "+1 (555) 010-0199 x12"),
    ("website", {"length": 255}, "https://www.zoho.com/crm?x=1", "https://www.zoho.com/crm?x=1"),
    ("website", {"length": 255}, "example.org", "example.org"),
    ("integer", {"length": 9}, 123456789, 123456789),
    ("integer", {"length": 9}, "-42", -42),
    ("integer", {"length": 9}, 7.0, 7),
    ("bigint", {}, "123456789012345678", 123456789012345678),
    ("double", {"length": 16, "decimal_place": 2}, 10.555, 10.56),
    ("double", {"length": 16, "decimal_place": 2}, "3.5", 3.5),
    ("currency", {"length": 16, "decimal_place": 2}, 100, 100.0),
    ("percent", {"length": 5, "decimal_place": 2}, 12.5, 12.5),
    ("boolean", {}, True, True),
    ("boolean", {}, "false", False),
    ("date", {}, "2024-02-29", "2024-02-29"),
    ("datetime", {}, "2024-08-01T10:00:00+05:30", "2024-08-01T04:30:00+00:00"),
    ("datetime", {}, "2024-08-01T10:00:00Z", "2024-08-01T10:00:00+00:00"),
    ("datetime", {}, "2024-08-01T10:00:00.123-07:00", "2024-08-01T17:00:00+00:00"),
    ("picklist", {"picklist": PICKS}, "Cold Call", "Cold Call"),
    ("picklist", {"picklist": PICKS}, "Identify Decision Makers", "Id. Decision Makers"),
    ("picklist", {"picklist": PICKS}, "Id. Decision Makers", "Id. Decision Makers"),
    ("picklist", {"picklist": PICKS}, "-None-", None),
    ("multiselectpicklist", {"picklist": PICKS}, ["Cold Call", "Cold Call"], ["Cold Call"]),
    ("multiselectpicklist", {"picklist": PICKS}, [], []),
    ("lookup", {"lookup_module": "Accounts"}, {"id": "5725767000000000001"}, 5725767000000000001),
    ("lookup", {"lookup_module": "Accounts"}, {"id": 5725767000000000001}, 5725767000000000001),
    ("lookup", {"lookup_module": "Accounts"}, "5725767000000000001", 5725767000000000001),
    ("lookup", {"lookup_module": "Accounts"}, {"id": None}, None),
    ("ownerlookup", {"lookup_module": "users"}, {"id": "12"}, 12),
]


@pytest.mark.parametrize(("data_type", "kw", "raw", "stored"), ACCEPTED)
def test_accepted_values(data_type: str, kw: dict[str, Any], raw: Any, stored: Any) -> None:
    assert coerce(make_field(data_type, **kw), raw) == stored


REFUSED = [
    ("text", {"length": 5}, "abcdef", {"maximum_length": 5}),
    ("text", {"length": 5}, {"a": 1}, {"expected_data_type": "text"}),
    ("text", {"length": 5}, True, {"expected_data_type": "text"}),
    ("email", {"length": 100}, "not-an-email", {"expected_data_type": "email"}),
    ("email", {"length": 100}, "a@b", {"expected_data_type": "email"}),
    ("phone", {"length": 30}, "call me", {"expected_data_type": "phone"}),
    ("phone", {"length": 5}, "+1 555 0101", {"maximum_length": 5}),
    ("website", {"length": 255}, "not a url", {"expected_data_type": "website"}),
    ("integer", {"length": 9}, 1234567890, {"expected_data_type": "integer"}),
    ("integer", {"length": 9}, "12a", {"expected_data_type": "integer"}),
    ("integer", {"length": 9}, 1.5, {"expected_data_type": "integer"}),
    ("integer", {"length": 9}, True, {"expected_data_type": "integer"}),
    ("bigint", {}, "1234567890123456789", {"expected_data_type": "bigint"}),
    ("double", {"length": 16, "decimal_place": 2}, "abc", {"expected_data_type": "double"}),
    ("double", {"length": 16, "decimal_place": 2}, "NaN", {"expected_data_type": "double"}),
    ("currency", {"length": 16, "decimal_place": 2}, 1e17, {"expected_data_type": "currency"}),
    ("currency", {"length": 16, "decimal_place": 2}, [1], {"expected_data_type": "currency"}),
    ("percent", {"length": 5, "decimal_place": 2}, False, {"expected_data_type": "percent"}),
    ("boolean", {}, "yes", {"expected_data_type": "boolean"}),
    ("boolean", {}, 1, {"expected_data_type": "boolean"}),
    ("date", {}, "2024-02-30", {"expected_data_type": "date"}),
    ("date", {}, "02/01/2024", {"expected_data_type": "date"}),
    ("datetime", {}, "2024-08-01T10:00:00", {"expected_data_type": "datetime"}),
    ("datetime", {}, "2024-08-01", {"expected_data_type": "datetime"}),
    ("datetime", {}, 1722500000, {"expected_data_type": "datetime"}),
    (
        "picklist",
        {"picklist": PICKS},
        "Carrier Pigeon",
        {"supported_values": ["Cold Call", "Identify Decision Makers"]},
    ),
    ("picklist", {"picklist": PICKS}, 3, {"expected_data_type": "picklist"}),
    (
        "multiselectpicklist",
        {"picklist": PICKS},
        ["Cold Call", "Nope"],
        {"supported_values": ["Cold Call", "Identify Decision Makers"]},
    ),
    ("multiselectpicklist", {"picklist": PICKS}, [1], {"expected_data_type": "jsonarray"}),
    ("lookup", {"lookup_module": "Accounts"}, {"id": "abc"}, {"expected_data_type": "jsonobject"}),
    ("lookup", {"lookup_module": "Accounts"}, [1], {"expected_data_type": "jsonobject"}),
    ("ownerlookup", {"lookup_module": "users"}, {"id": -4}, {"expected_data_type": "jsonobject"}),
]


@pytest.mark.parametrize(("data_type", "kw", "raw", "details"), REFUSED)
def test_refused_values(
    data_type: str, kw: dict[str, Any], raw: Any, details: dict[str, Any]
) -> None:
    with pytest.raises(InvalidData) as caught:
        coerce(make_field(data_type, **kw), raw)
    assert caught.value.code == "INVALID_DATA"
    for key, value in details.items():
        assert caught.value.details[key] == value


def test_none_clears_every_type() -> None:
    for data_type, kw, _raw, _stored in ACCEPTED:
        assert coerce(make_field(data_type, **kw), None) is None
