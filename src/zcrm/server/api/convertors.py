"""Path convertors: a record id segment is anything but the module's own sub-resources.

So ``POST /Leads/actions/count`` is a wrong method on the count route, not a related
list called "count" of a record called "actions".
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

RESERVED_SEGMENTS = ("actions", "deleted", "upsert", "search")


class RecordIdConvertor(Convertor[str]):
    regex = r"(?!(?:" + "|".join(RESERVED_SEGMENTS) + r")(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("record", RecordIdConvertor())
