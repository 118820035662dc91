"""Profiles and roles: the two standard profiles and a few roles, with stable ids per org.

Their ids are derived from the org's id prefix (``<prefix>000000026011``), below the
range the id allocator hands out, so they never clash and need no rows.
"""

from __future__ import annotations

from zcrm.server.ids import SEQUENCE_SPAN

PROFILE_NUMBERS = {"Administrator": 26011, "Standard": 26014}
ROLE_NUMBERS = {"CEO": 26005, "Manager": 26008, "Sales Rep": 26011}


def profile_ids(id_prefix: int) -> dict[str, str]:
    return {name: str(id_prefix * SEQUENCE_SPAN + n) for name, n in PROFILE_NUMBERS.items()}


def role_ids(id_prefix: int) -> dict[str, str]:
    return {name: str(id_prefix * SEQUENCE_SPAN + n) for name, n in ROLE_NUMBERS.items()}


def profile_by_id(id_prefix: int, profile_id: str) -> str | None:
    return next((n for n, i in profile_ids(id_prefix).items() if i == str(profile_id)), None)


def role_by_id(id_prefix: int, role_id: str) -> str | None:
    return next((n for n, i in role_ids(id_prefix).items() if i == str(role_id)), None)
