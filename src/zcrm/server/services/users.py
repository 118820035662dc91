"""CRM users: listing by type, adding, changing, deactivating and deleting them.

Element-level outcomes (a user added, a bad email) come back as result objects for
the ``users`` array; request-level failures (an id that names no user) are raised.
A deleted user keeps its row (status ``deleted``) and can no longer sign in or use
its tokens: token lookups only accept active users.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from zcrm.server.errors import (
    DuplicateData,
    IdAlreadyDeleted,
    InvalidData,
    MandatoryNotFound,
    NotAllowed,
    ZohoError,
)
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.oauth import forget_callers
from zcrm.server.services.orgs import user_row
from zcrm.server.services.passwords import hash_password
from zcrm.server.services.profiles import profile_by_id, profile_ids, role_by_id, role_ids
from zcrm.server.services.records.values import EMAIL
from zcrm.server.storage.schema import users
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage, to_wire, zone

JsonObject = dict[str, Any]

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
USER_ID_SEGMENT = 1  # /users/{id}
SETTABLE_STATUS = {"active": "active", "inactive": "disabled", "disabled": "disabled"}
MAX_LENGTHS = {"first_name": 40, "last_name": 80, "email": 100, "locale": 16}


def type_filter(user_type: str, caller: Caller) -> list[Any]:
    active = users.c.status == "active"
    admin = users.c.profile == "Administrator"
    confirmed = users.c.confirm.is_(True)
    not_deleted = users.c.status != "deleted"
    return {
        "AllUsers": [not_deleted],
        "ActiveUsers": [active],
        "DeactiveUsers": [users.c.status == "disabled"],
        "ConfirmedUsers": [confirmed, not_deleted],
        "NotConfirmedUsers": [users.c.confirm.is_(False), not_deleted],
        "DeletedUsers": [users.c.status == "deleted"],
        "ActiveConfirmedUsers": [active, confirmed],
        "AdminUsers": [admin, not_deleted],
        "ActiveConfirmedAdmins": [admin, active, confirmed],
        "CurrentUser": [users.c.id == caller.user.id],
    }[user_type]


def _minified(user_id: int | None, names: dict[int, str]) -> JsonObject | None:
    return {"name": names.get(user_id, ""), "id": str(user_id)} if user_id else None


def user_json(
    runtime: Runtime, row: Any, id_prefix: int, tz: str, names: dict[int, str]
) -> JsonObject:
    full_name = " ".join(p for p in (row.first_name, row.last_name) if p)
    offset = runtime.clock.now().astimezone(zone(row.time_zone)).utcoffset()
    return {
        "country": "US",
        "name_format__s": "Salutation,First Name,Last Name",
        "language": "en_US",
        "microsoft": False,
        "id": str(row.id),
        "state": None,
        "fax": None,
        "country_locale": row.locale,
        "sandboxDeveloper": False,
        "zip": None,
        "decimal_separator": "Period",
        "created_time": to_wire(row.created_time, tz),
        "time_format": "hh:mm a",
        "offset": int(offset.total_seconds() * 1000) if offset is not None else 0,
        "profile": {"name": row.profile, "id": profile_ids(id_prefix).get(row.profile)},
        "created_by": _minified(row.created_by, names),
        "zuid": row.zuid,
        "full_name": full_name,
        "phone": None,
        "dob": None,
        "sort_order_preference__s": "First Name,Last Name",
        "status": row.status,
        "type__s": "Regular User",
        "role": {"name": row.role, "id": role_ids(id_prefix).get(row.role)},
        "customize_info": {
            "notes_desc": None,
            "show_right_panel": None,
            "bc_view": None,
            "show_home": False,
            "show_detail_view": True,
            "unpin_recent_item": None,
        },
        "city": None,
        "signature": None,
        "locale": row.locale,
        "personal_account": False,
        "Isonline": False,
        "default_tab_group": "0",
        "Modified_By": _minified(row.modified_by, names),
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


# --- reading ------------------------------------------------------------------------------------


def list_users(
    runtime: Runtime,
    caller: Caller,
    user_type: str,
    page: int,
    per_page: int,
    ids: list[int] | None,
    modified_since: str | None = None,
) -> tuple[list[JsonObject], bool]:
    """One page of the users of a type (those changed after ``modified_since`` only)."""
    with runtime.db.read_org(caller.org.id) as scope:
        query = scope.select(users).where(*type_filter(user_type, caller))
        if ids:
            query = query.where(users.c.id.in_(ids))
        if modified_since is not None:
            query = query.where(users.c.modified_time > modified_since)
        rows = scope.rows(
            query.order_by(users.c.id).offset((page - 1) * per_page).limit(per_page + 1)
        )
        more = len(rows) > per_page
        rows = rows[:per_page]
        names = _names(scope, rows)
    tz = caller.user.time_zone
    return [user_json(runtime, r, caller.org.id_prefix, tz, names) for r in rows], more


def count_users(runtime: Runtime, caller: Caller, user_type: str) -> int:
    with runtime.db.read_org(caller.org.id) as scope:
        query = (
            select(func.count())
            .select_from(users)
            .where(scope.owns(users), *type_filter(user_type, caller))
        )
        return int(scope.scalar(query) or 0)


def get_user(runtime: Runtime, caller: Caller, user_id: int) -> JsonObject | None:
    with runtime.db.read_org(caller.org.id) as scope:
        rows = scope.rows(scope.select(users).where(users.c.id == user_id))
        names = _names(scope, rows)
    if not rows:
        return None
    return user_json(runtime, rows[0], caller.org.id_prefix, caller.user.time_zone, names)


# --- validating a request -----------------------------------------------------------------------


def _path(index: int, key: str) -> str:
    return f"$.users[{index}].{key}"


def _reference(raw: Any) -> str:
    """A profile or role given as ``{"id": …}`` or as the bare id."""
    return str(raw.get("id") if isinstance(raw, dict) else raw)


def _text(raw: JsonObject, key: str, index: int, *, required: bool) -> str | None:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MandatoryNotFound(api_name=key, json_path=_path(index, key))
        return None
    if not isinstance(value, str):
        raise InvalidData(api_name=key, json_path=_path(index, key), expected_data_type="string")
    value = value.strip()
    if len(value) > MAX_LENGTHS.get(key, 255):
        raise InvalidData(
            api_name=key, json_path=_path(index, key), maximum_length=MAX_LENGTHS.get(key, 255)
        )
    return value


def _email(raw: JsonObject, index: int) -> str:
    email = _text(raw, "email", index, required=True)
    assert email is not None
    if not EMAIL.match(email):
        raise InvalidData(
            "Invalid Email Id. Please choose a different email id",
            api_name="email",
            json_path=_path(index, "email"),
        )
    return email


def _profile(caller: Caller, raw: JsonObject, index: int) -> str:
    found = profile_by_id(caller.org.id_prefix, _reference(raw["profile"]))
    if found is None:
        raise InvalidData(api_name="profile", json_path=_path(index, "profile"))
    return found


def _role(caller: Caller, raw: JsonObject, index: int) -> str:
    found = role_by_id(caller.org.id_prefix, _reference(raw["role"]))
    if found is None:
        raise InvalidData(api_name="role", json_path=_path(index, "role"))
    return found


def _time_zone(raw: JsonObject, index: int) -> str | None:
    value = raw.get("time_zone")
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64 or not _known_zone(value):
        raise InvalidData(api_name="time_zone", json_path=_path(index, "time_zone"))
    return value


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _email_taken(scope: OrgScope, email: str, except_id: int | None = None) -> bool:
    query = scope.select(users, users.c.id).where(func.lower(users.c.email) == email.lower())
    if except_id is not None:
        query = query.where(users.c.id != except_id)
    return scope.execute(query).first() is not None


def _duplicate_email() -> DuplicateData:
    return DuplicateData("Failed to add user since same email id is already present")


# --- writing ------------------------------------------------------------------------------------


def add_user(runtime: Runtime, caller: Caller, raw: Any) -> JsonObject:
    """Add one user (Zoho takes one per call): its result object."""
    try:
        if not isinstance(raw, dict):
            raise InvalidData(expected_data_type="jsonobject", json_path="$.users[0]")
        for key in ("role", "profile"):
            if raw.get(key) in (None, "", {}):
                raise MandatoryNotFound(api_name=key, json_path=_path(0, key))
        last_name = _text(raw, "last_name", 0, required=True)
        email = _email(raw, 0)
        first_name = _text(raw, "first_name", 0, required=False)
        profile, role = _profile(caller, raw, 0), _role(caller, raw, 0)
        time_zone = _time_zone(raw, 0) or caller.user.time_zone
        password = raw.get("password")  # zcrm extension: a password to sign in with
        password_hash = hash_password(password) if isinstance(password, str) and password else None
        user_id = runtime.ids.one(caller.org.id, caller.org.id_prefix)
        row = user_row(
            runtime,
            user_id=user_id,
            email=email,
            first_name=first_name,
            last_name=str(last_name),
            password_hash=password_hash,
            profile=profile,
            role=role,
            time_zone=time_zone,
            now=to_storage(runtime.clock.now()),
            created_by=caller.user.id,
        )
        try:
            with runtime.db.write_org(caller.org.id) as scope:
                if _email_taken(scope, email):
                    raise _duplicate_email()
                scope.insert(users, row)
        except IntegrityError:  # the same email added by a concurrent request
            raise _duplicate_email() from None
    except ZohoError as error:
        return error.to_json()
    return {
        "code": "SUCCESS",
        "details": {"id": str(user_id)},
        "message": "User added",
        "status": "success",
    }


def _existing(scope: OrgScope, user_id: int, bulk_index: int | None) -> Any:
    """The user's row; a missing or deleted user fails the request (or, in bulk, the item)."""
    row = scope.execute(scope.select(users).where(users.c.id == user_id)).first()
    where: JsonObject = (
        {"resource_path_index": USER_ID_SEGMENT}
        if bulk_index is None
        else {"id": str(user_id), "json_path": _path(bulk_index, "id")}
    )
    if row is None:
        raise InvalidData("the id given seems to be invalid", **where)
    if row.status == "deleted":
        raise NotAllowed("the id given seems to be invalid", **where)
    return row


def _changes(caller: Caller, target: Any, raw: JsonObject, index: int) -> JsonObject:
    changes: JsonObject = {}
    for key in ("first_name", "locale"):
        if key in raw:
            changes[key] = _text(raw, key, index, required=False)
    if "last_name" in raw:
        changes["last_name"] = _text(raw, "last_name", index, required=True)
    if "email" in raw:
        changes["email"] = _email(raw, index)
    if "time_zone" in raw:
        changes["time_zone"] = _time_zone(raw, index) or target.time_zone
    if "role" in raw:
        changes["role"] = _role(caller, raw, index)
    if "profile" in raw:
        changes["profile"] = _profile(caller, raw, index)
    if "status" in raw:
        if raw["status"] not in SETTABLE_STATUS:
            raise InvalidData(
                api_name="status",
                json_path=_path(index, "status"),
                supported_values=["active", "inactive"],
            )
        changes["status"] = SETTABLE_STATUS[raw["status"]]
    protected = target.is_primary or target.id == caller.user.id
    if protected and (
        changes.get("status", "active") != "active"
        or changes.get("profile", target.profile) != target.profile
    ):
        raise NotAllowed(
            "the primary user and the current user cannot be deactivated or demoted",
            id=str(target.id),
            json_path=_path(index, "id"),
        )
    return changes


def update_user(
    runtime: Runtime, caller: Caller, user_id: int, raw: Any, bulk_index: int | None = None
) -> JsonObject:
    """Change a user: its result object. A missing or deleted user raises (see ``_existing``)."""
    forget_callers()
    index = bulk_index or 0
    now = to_storage(runtime.clock.now())
    try:
        with runtime.db.write_org(caller.org.id) as scope:
            target = _existing(scope, user_id, bulk_index)
            try:
                if not isinstance(raw, dict):
                    raise InvalidData(
                        expected_data_type="jsonobject", json_path=f"$.users[{index}]"
                    )
                changes = _changes(caller, target, raw, index)
                if "email" in changes and _email_taken(scope, changes["email"], user_id):
                    raise DuplicateData(api_name="email", json_path=_path(index, "email"))
            except ZohoError as error:
                return error.to_json()
            scope.execute(
                scope.update(users)
                .where(users.c.id == user_id)
                .values(modified_time=now, modified_by=caller.user.id, **changes)
            )
    except IntegrityError:
        return DuplicateData(api_name="email", json_path=_path(index, "email")).to_json()
    return {
        "code": "SUCCESS",
        "details": {"id": str(user_id)},
        "message": "User updated",
        "status": "success",
    }


def delete_user(runtime: Runtime, caller: Caller, user_id: int) -> JsonObject:
    """Mark a user deleted: its result object. An unknown id raises."""
    forget_callers()
    with runtime.db.write_org(caller.org.id) as scope:
        row = scope.execute(scope.select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise InvalidData(
                "the id given seems to be invalid", resource_path_index=USER_ID_SEGMENT
            )
        where = {"id": str(user_id), "json_path": _path(0, "id")}
        if row.status == "deleted":
            return IdAlreadyDeleted("User is already deleted", **where).to_json()
        if row.is_primary or row.id == caller.user.id:
            return NotAllowed(
                "the primary user and the current user cannot be deleted", **where
            ).to_json()
        scope.execute(
            scope.update(users)
            .where(users.c.id == user_id)
            .values(
                status="deleted",
                modified_time=to_storage(runtime.clock.now()),
                modified_by=caller.user.id,
            )
        )
    return {
        "code": "SUCCESS",
        "details": {"id": str(user_id)},
        "message": "User deleted",
        "status": "success",
    }
