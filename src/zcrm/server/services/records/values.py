"""One field value in, one stored value out — or a Zoho ``INVALID_DATA`` error.

:func:`coerce` checks a value a client sent against its field's type and returns
what is stored in the record document. It raises :class:`InvalidData` with the
``details`` Zoho gives (``expected_data_type``, ``maximum_length``, …); the writer
adds ``api_name`` and ``json_path``. Existence of lookup targets is checked by the
writer, in one query per target module.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from zcrm.server.errors import InvalidData
from zcrm.server.services.metadata.model import Field
from zcrm.server.timefmt import parse_date, parse_datetime, to_storage

EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
PHONE = re.compile(r"^[0-9+\-().\s/xX#*]*[0-9][0-9+\-().\s/xX#*]*$")
WEBSITE = re.compile(
    r"^(https?://)?(www\.)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
    r"(:\d{1,5})?([/?#][^\s]*)?$",
    re.IGNORECASE,
)
NONE_OPTION = "-None-"
INTEGER_DIGITS = 9
BIGINT_DIGITS = 18
DECIMAL_DIGITS = 16


def invalid(field: Field, expected: str | None = None, **details: Any) -> InvalidData:
    if expected is not None:
        details = {"expected_data_type": expected, **details}
    return InvalidData(**details)


def coerce(field: Field, raw: Any) -> Any:
    """The stored form of ``raw`` for ``field``; None clears the field."""
    if raw is None:
        return None
    kind = field.data_type
    handler = _HANDLERS.get(kind)
    if handler is None:
        return raw  # structured types (jsonobject, subform, …) are kept as sent
    return handler(field, raw)


def _string(field: Field, raw: Any, expected: str) -> str | None:
    if isinstance(raw, (bool, dict, list)):
        raise invalid(field, expected)
    text = raw if isinstance(raw, str) else _number_text(raw)
    if text == "":
        return None
    if field.length is not None and len(text) > field.length:
        raise invalid(field, None, maximum_length=field.length)
    return text


def _number_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _text(field: Field, raw: Any) -> str | None:
    return _string(field, raw, field.data_type)


def _email(field: Field, raw: Any) -> str | None:
    text = _string(field, raw, "email")
    if text is not None and not EMAIL.match(text.strip()):
        raise invalid(field, "email")
    return text.strip() if text is not None else None


def _phone(field: Field, raw: Any) -> str | None:
    text = _string(field, raw, "phone")
    if text is not None and not PHONE.match(text):
        raise invalid(field, "phone")
    return text


def _website(field: Field, raw: Any) -> str | None:
    text = _string(field, raw, "website")
    if text is not None and not WEBSITE.match(text.strip()):
        raise invalid(field, "website")
    return text.strip() if text is not None else None


def _whole_number(field: Field, raw: Any, digits: int, expected: str) -> int | None:
    if isinstance(raw, bool):
        raise invalid(field, expected)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d+\s*", raw):
        value = int(raw)
    elif isinstance(raw, str) and raw.strip() == "":
        return None
    else:
        raise invalid(field, expected)
    if len(str(abs(value))) > digits:
        raise invalid(field, expected, maximum_length=digits)
    return value


def _integer(field: Field, raw: Any) -> int | None:
    return _whole_number(field, raw, min(field.length or INTEGER_DIGITS, INTEGER_DIGITS), "integer")


def _bigint(field: Field, raw: Any) -> int | None:
    return _whole_number(field, raw, BIGINT_DIGITS, "bigint")


def _decimal(field: Field, raw: Any) -> float | None:
    expected = field.data_type
    if isinstance(raw, bool):
        raise invalid(field, expected)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise invalid(field, expected)
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        if raw.strip() == "":
            return None
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            raise invalid(field, expected) from None
        if not number.is_finite():
            raise invalid(field, expected)
    else:
        raise invalid(field, expected)
    whole_digits = len(str(abs(int(number))))
    limit = field.length or DECIMAL_DIGITS
    if whole_digits > limit:
        raise invalid(field, expected, maximum_length=limit)
    places = field.decimal_place if field.decimal_place is not None else 9
    rounded = round(number, places)
    return float(rounded)


def _boolean(field: Field, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise invalid(field, "boolean")


def _date(field: Field, raw: Any) -> str | None:
    if isinstance(raw, str):
        if raw.strip() == "":
            return None
        parsed = parse_date(raw.strip())
        if parsed is not None:
            return parsed.isoformat()
    raise invalid(field, "date")


def _datetime(field: Field, raw: Any) -> str | None:
    if isinstance(raw, str):
        if raw.strip() == "":
            return None
        parsed = parse_datetime(raw)
        if parsed is not None:
            return to_storage(parsed)
    raise invalid(field, "datetime")


def _picklist(field: Field, raw: Any) -> str | None:
    if not isinstance(raw, str):
        raise invalid(field, "picklist")
    if raw in ("", NONE_OPTION):
        return None
    if not field.picklist:
        return _string(field, raw, "picklist")
    stored = field.picklist_by_value.get(raw)
    if stored is None:
        raise invalid(field, None, supported_values=[o.display_value for o in field.picklist])
    return stored


def _multiselect(field: Field, raw: Any) -> list[str]:
    values = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise invalid(field, "jsonarray")
        if value in ("", NONE_OPTION):
            continue
        stored = field.picklist_by_value.get(value) if field.picklist else value
        if stored is None:
            raise invalid(field, None, supported_values=[o.display_value for o in field.picklist])
        if stored not in out:
            out.append(stored)
    return out


def lookup_id(raw: Any) -> int | None:
    """The id in ``{"id": …}``, a bare id, or its string form; None if there is none."""
    if isinstance(raw, dict):
        raw = raw.get("id")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    if isinstance(raw, str) and raw.strip().isdigit():
        value = int(raw.strip())
        return value if 0 < value < 2**63 else None
    return None


def _lookup(field: Field, raw: Any) -> int | None:
    if isinstance(raw, dict) and raw.get("id") in (None, ""):
        return None
    if isinstance(raw, str) and raw.strip() == "":
        return None
    value = lookup_id(raw)
    if value is None:
        raise invalid(field, "jsonobject")
    return value


def _structured(field: Field, raw: Any) -> Any:
    expected = field.data_type
    if expected in ("jsonobject", "RRULE", "ALARM") and not isinstance(raw, dict):
        raise invalid(field, "jsonobject")
    if expected == "multireminder" and not isinstance(raw, (dict, list)):
        raise invalid(field, "jsonarray")
    if expected == "jsonarray" and not isinstance(raw, list):
        raise invalid(field, "jsonarray")
    return raw


_HANDLERS = {
    "text": _text,
    "textarea": _text,
    "autonumber": _text,
    "profileimage": _text,
    "event_reminder": _text,
    "email": _email,
    "phone": _phone,
    "website": _website,
    "integer": _integer,
    "bigint": _bigint,
    "double": _decimal,
    "currency": _decimal,
    "percent": _decimal,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "picklist": _picklist,
    "multiselectpicklist": _multiselect,
    "lookup": _lookup,
    "ownerlookup": _lookup,
    "userlookup": _lookup,
    "jsonobject": _structured,
    "jsonarray": _structured,
    "multireminder": _structured,
    "RRULE": _structured,
    "ALARM": _structured,
}
