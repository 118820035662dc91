"""Fields the query language knows besides a module's own: ``id`` and the user fields
reached through ``Owner.`` / ``Created_By.`` / ``Modified_By.`` (and user lookups)."""

from __future__ import annotations

from zcrm.server.services.metadata.model import Field


def pseudo_field(api_name: str, data_type: str, module_id: int = 0) -> Field:
    return Field(
        id=0,
        module_id=module_id,
        api_name=api_name,
        label=api_name,
        data_type=data_type,
        length=None,
        decimal_place=None,
        mandatory=False,
        read_only=True,
        unique=False,
        custom=False,
        system_column=True,
        searchable=True,
        lookup_module=None,
        multi_module=(),
        picklist=(),
        default=None,
        textarea_type=None,
        sequence=0,
        created_time="",
        modified_time="",
    )


ID_FIELD = pseudo_field("id", "bigint")

# users table column -> (field api name, data type)
USER_FIELDS: dict[str, Field] = {
    "id": pseudo_field("id", "bigint"),
    "email": pseudo_field("email", "email"),
    "first_name": pseudo_field("first_name", "text"),
    "last_name": pseudo_field("last_name", "text"),
    "full_name": pseudo_field("full_name", "text"),
    "status": pseudo_field("status", "text"),
    "zuid": pseudo_field("zuid", "text"),
    "profile": pseudo_field("profile", "text"),
    "role": pseudo_field("role", "text"),
    "time_zone": pseudo_field("time_zone", "text"),
}
# "Owner.profile.name" / "Owner.role.name" in Zoho's COQL: the names of both.
USER_NESTED = {("profile", "name"): "profile", ("role", "name"): "role"}
