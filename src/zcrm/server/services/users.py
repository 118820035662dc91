"""CRM users: listing by type, adding, changing and deactivating them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from zcrm.server.errors import DuplicateData, InvalidData, MandatoryNotFound
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.orgs import user_row
from zcrm.server.services.passwords import hash_password
from zcrm.server.services.profiles import profile_by_id, profile_ids, role_by_id, role_ids
from zcrm.server.services.records.values import EMAIL
from zcrm.server.storage.schema import users
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage, to_wire, zone

USER_TYPES = (
    "AllUsers",
    "ActiveUsers",
    "DeactiveUsers",
    "ConfirmedUsers",
    "NotConfirmedUsers",
    "DeletedUsers",
    "ActiveConfirmedUsers",
    "AdminUsers",
    "ActiveConfirmedAdmins",
    "CurrentUser",
)


def type_filter(user_type: str, caller: Caller) -> list[Any]:
    active = users.c.status == "active"
    admin = users.c.profile == "Administrator"
    confirmed = users.c.confirm.is_(True)
    return {
        "AllUsers": [users.c.status != "deleted"],
        "ActiveUsers": [active],
        "DeactiveUsers": [users.c.status == "disabled"],
        "ConfirmedUsers": [confirmed, users.c.status != "deleted"],
        "NotConfirmedUsers": [users.c.confirm.is_(False)],
        "DeletedUsers": [users.c.status == "deleted"],
        "ActiveConfirmedUsers": [active, confirmed],
        "AdminUsers": [admin, users.c.status != "deleted"],
        "ActiveConfirmedAdmins": [admin, active, confirmed],
        "CurrentUser": [users.c.id == caller.user.id],
    }[user_type]


def user_json(row: Any, id_prefix: int, tz: str, names: dict[int, str]) -> dict[str, Any]:
    profiles = profile_ids(id_prefix)
    roles = role_ids(id_prefix)
    full_name = " ".join(p for p in (row.first_name, row.last_name) if p)
    offset = zone(row.time_zone).utcoffset(None)
    return {
        "country": "US",
        "name_format__s": "Salutation,First Name,Last Name",
        "language": "en_US",
        "microsoft": False,
        "id": str(row.id),
        "state": None,
        "fax": None,
        "country_locale": row.locale,
        "zip": None,
        "decimal_separator": "Period",
        "created_time": to_wire(row.created_time, tz),
        "time_format": "hh:mm a",
        "offset": int(offset.total_seconds() * 1000) if offset is not None else 0,
        "profile": {"name": row.profile, "id": profiles.get(row.profile)},
        "created_by": {"name": names.get(row.created_by, ""), "id": str(row.created_by)}
        if row.created_by
        else None,
        "zuid": row.zuid,
        "full_name": full_name,
        "phone": None,
        "dob": None,
        "sort_order_preference__s": "First Name,Last Name",
        "status": row.status,
        "type__s": "AllUsers",
        "role": {"name": row.role, "id": roles.get(row.role)},
        "city": None,
        "signature": None,
        "locale": row.locale,
        "personal_account": False,
        "Isonline": False,
        "default_tab_group": "0",
        "Modified_By": {"name": names.get(row.modified_by, ""), "id": str(row.modified_by)}
        if row.modified_by
        else None,
        "street": None,
        "alias": None,
        "first_name": row.first_name,
        "email": row.email,
        "status_reason__s": None,
        "website": None,
        "Modified_Time": to_wire(row.modified_time, tz),
        "mobile": None,
        "last_name": row.last_name,
        "time_zone": row.time_zone,
        "number_separator": "Comma",
        "confirm": row.confirm,
        "date_format": "MMM d, yyyy",
    }


def _names(scope: OrgScope, rows: list[Any]) -> dict[int, str]:
    ids = {r.created_by for r in rows} | {r.modified_by for r in rows}
    found = scope.rows(
        scope.select(users, users.c.id, users.c.first_name, users.c.last_name).where(
            users.c.id.in_([i for i in ids if i])
        )
    )
    return {r.id: " ".join(p for p in (r.first_name, r.last_name) if p) for r in found}


def list_users(
    runtime: Runtime,
    caller: Caller,
    user_type: str,
    page: int,
    per_page: int,
    ids: list[int] | None,
) -> tuple[list[dict[str, Any]], bool]:
    with runtime.db.read_org(caller.org.id) as scope:
        query = scope.select(users).where(*type_filter(user_type, caller))
        if ids:
            query = query.where(users.c.id.in_(ids))
        rows = scope.rows(
            query.order_by(users.c.id).offset((page - 1) * per_page).limit(per_page + 1)
        )
        more = len(rows) > per_page
        rows = rows[:per_page]
        names = _names(scope, rows)
    tz = caller.user.time_zone
    return [user_json(r, caller.org.id_prefix, tz, names) for r in rows], more


def count_users(runtime: Runtime, caller: Caller, user_type: str) -> int:
    with runtime.db.read_org(caller.org.id) as scope:
        return int(
            scope.scalar(
                select(func.count())
                .select_from(users)
                .where(scope.owns(users), *type_filter(user_type, caller))
            )
            or 0
        )


def get_user(runtime: Runtime, caller: Caller, user_id: int) -> dict[str, Any] | None:
    with runtime.db.read_org(caller.org.id) as scope:
        rows = scope.rows(scope.select(users).where(users.c.id == user_id))
        names = _names(scope, rows)
    if not rows:
        return None
    return user_json(rows[0], caller.org.id_prefix, caller.user.time_zone, names)


def _profile_and_role(caller: Caller, raw: dict[str, Any], index: int) -> tuple[str, str]:
    profile = "Standard"
    role = "Sales Rep"
    if "profile" in raw:
        ref = raw["profile"]
        pid = ref.get("id") if isinstance(ref, dict) else ref
        found = profile_by_id(caller.org.id_prefix, str(pid))
        if found is None:
            raise InvalidData(api_name="profile", json_path=f"$.users[{index}].profile")
        profile = found
    if "role" in raw:
        ref = raw["role"]
        rid = ref.get("id") if isinstance(ref, dict) else ref
        found = role_by_id(caller.org.id_prefix, str(rid))
        if found is None:
            raise InvalidData(api_name="role", json_path=f"$.users[{index}].role")
        role = found
    return profile, role


def add_users(runtime: Runtime, caller: Caller, items: list[Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    now = to_storage(runtime.clock.now())
    new_ids = runtime.ids.allocate(caller.org.id, caller.org.id_prefix, len(items))
    for index, raw in enumerate(items):
        try:
            if not isinstance(raw, dict):
                raise InvalidData(expected_data_type="jsonobject", json_path=f"$.users[{index}]")
            email = raw.get("email")
            last_name = raw.get("last_name")
            if not email:
                raise MandatoryNotFound(api_name="email", json_path=f"$.users[{index}].email")
            if not last_name:
                raise MandatoryNotFound(
                    api_name="last_name", json_path=f"$.users[{index}].last_name"
                )
            if not isinstance(email, str) or not EMAIL.match(email):
                raise InvalidData(
                    api_name="email",
                    json_path=f"$.users[{index}].email",
                    expected_data_type="email",
                )
            profile, role = _profile_and_role(caller, raw, index)
            password = raw.get("password")
            with runtime.db.write_org(caller.org.id) as scope:
                clash = scope.execute(
                    scope.select(users, users.c.id).where(
                        func.lower(users.c.email) == email.lower()
                    )
                ).first()
                if clash is not None:
                    raise DuplicateData(api_name="email", json_path=f"$.users[{index}].email")
                user_id = new_ids[index]
                scope.insert(
                    users,
                    user_row(
                        runtime,
                        user_id=user_id,
                        email=email,
                        first_name=raw.get("first_name"),
                        last_name=str(last_name),
                        password_hash=hash_password(password)
                        if isinstance(password, str) and password
                        else None,
                        profile=profile,
                        role=role,
                        time_zone=str(raw.get("time_zone") or caller.user.time_zone),
                        now=now,
                        created_by=caller.user.id,
                    ),
                )
            results.append(
                {
                    "code": "SUCCESS",
                    "details": {"id": str(user_id)},
                    "message": "User added",
                    "status": "success",
                }
            )
        except (InvalidData, MandatoryNotFound, DuplicateData) as error:
            results.append(error.to_json())
    return results


def update_user(
    runtime: Runtime, caller: Caller, user_id: int, raw: Any, index: int = 0
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidData(expected_data_type="jsonobject", json_path=f"$.users[{index}]")
    changes: dict[str, Any] = {}
    for key in ("first_name", "last_name", "time_zone", "locale"):
        if key in raw:
            value = raw[key]
            if key == "last_name" and not value:
                raise MandatoryNotFound(
                    api_name="last_name", json_path=f"$.users[{index}].last_name"
                )
            changes[key] = value
    if "profile" in raw or "role" in raw:
        profile, role = _profile_and_role(caller, raw, index)
        if "profile" in raw:
            changes["profile"] = profile
        if "role" in raw:
            changes["role"] = role
    if "status" in raw:
        if raw["status"] not in ("active", "disabled"):
            raise InvalidData(api_name="status", supported_values=["active", "disabled"])
        changes["status"] = raw["status"]
    with runtime.db.write_org(caller.org.id) as scope:
        found = scope.execute(
            scope.update(users)
            .where(users.c.id == user_id)
            .values(
                modified_time=to_storage(runtime.clock.now()), modified_by=caller.user.id, **changes
            )
        ).rowcount
    if not found:
        raise InvalidData("the id given seems to be invalid", id=str(user_id))
    return {
        "code": "SUCCESS",
        "details": {"id": str(user_id)},
        "message": "User updated",
        "status": "success",
    }


def delete_user(runtime: Runtime, caller: Caller, user_id: int) -> dict[str, Any]:
    if user_id == caller.user.id:
        raise InvalidData("you cannot delete yourself", id=str(user_id))
    with runtime.db.write_org(caller.org.id) as scope:
        found = scope.execute(
            scope.update(users)
            .where(users.c.id == user_id, users.c.status != "deleted")
            .values(
                status="deleted",
                modified_time=to_storage(runtime.clock.now()),
                modified_by=caller.user.id,
            )
        ).rowcount
    if not found:
        raise InvalidData("the id given seems to be invalid", id=str(user_id))
    return {
        "code": "SUCCESS",
        "details": {"id": str(user_id)},
        "message": "User deleted",
        "status": "success",
    }
