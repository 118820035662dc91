"""Orgs: creating one (metadata seeded, admin user made) and finding the default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from zcrm.server.catalogue.standard import STANDARD_MODULES
from zcrm.server.ids import GLOBAL
from zcrm.server.runtime import Runtime
from zcrm.server.services.metadata.seed import ids_needed, seed_modules
from zcrm.server.services.passwords import hash_password
from zcrm.server.services.plans import DEFAULT_PLAN, resolve_plan
from zcrm.server.storage.schema import orgs, users
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage

ORG_ID_PREFIX = 6_000_000  # org ids: 6000000000001000000, 6000000000001000001, ...


@dataclass(frozen=True)
class CreatedOrg:
    org_id: int
    zgid: str
    id_prefix: int
    admin_user_id: int
    admin_email: str
    admin_password: str  # as given, or generated (print it once; only its hash is stored)


def create_org(
    runtime: Runtime,
    *,
    company_name: str,
    admin_email: str,
    admin_password: str | None = None,
    admin_first_name: str = "Admin",
    admin_last_name: str = "User",
    plan: str | None = None,
    time_zone: str = "UTC",
    is_default: bool = False,
    admin_password_hash: str | None = None,
) -> CreatedOrg:
    """A new org with the standard modules and its admin user.

    ``admin_password_hash`` (an argon2 hash of ``admin_password``) skips the deliberately
    slow hashing when the caller already has one (test fixtures creating many orgs).
    """
    plan_name = resolve_plan(plan or DEFAULT_PLAN).name
    password = admin_password or generate_password(runtime)
    password_hash = admin_password_hash or hash_password(password)
    org_id = runtime.ids.one(GLOBAL, ORG_ID_PREFIX)
    now = to_storage(runtime.clock.now())
    with runtime.db.read() as conn:
        prefix = _unused_prefix(runtime, conn)
    # Ids are reserved before the write transaction: on SQLite a reservation inside it
    # would wait for the very lock it holds.
    pool = runtime.ids.allocate(org_id, prefix, ids_needed(STANDARD_MODULES) + 1)
    with runtime.db.write() as conn:
        zgid = str(prefix * 1000 + runtime.random.randbelow(1000))
        conn.execute(
            orgs.insert().values(
                id=org_id,
                zgid=zgid,
                id_prefix=prefix,
                company_name=company_name,
                plan=plan_name,
                time_zone=time_zone,
                currency="US Dollar - USD",
                currency_symbol="$",
                iso_code="USD",
                country="United States",
                is_default=is_default,
                metadata_version=1,
                settings={},
                created_time=now,
            )
        )
        scope = OrgScope(conn, org_id)

        def new_ids(count: int) -> list[int]:
            taken = pool[:count]
            del pool[:count]
            return taken

        seed_modules(scope, STANDARD_MODULES, new_ids, now)
        admin_id = new_ids(1)[0]
        scope.insert(
            users,
            user_row(
                runtime,
                user_id=admin_id,
                email=admin_email,
                first_name=admin_first_name,
                last_name=admin_last_name,
                password_hash=password_hash,
                profile="Administrator",
                role="CEO",
                time_zone=time_zone,
                now=now,
                is_primary=True,
            ),
        )
    return CreatedOrg(org_id, zgid, prefix, admin_id, admin_email, password)


def user_row(
    runtime: Runtime,
    *,
    user_id: int,
    email: str,
    first_name: str | None,
    last_name: str,
    password_hash: str | None,
    profile: str,
    role: str,
    time_zone: str,
    now: str,
    is_primary: bool = False,
    created_by: int | None = None,
) -> dict[str, Any]:
    return {
        "id": user_id,
        "zuid": str(700_000_000 + runtime.random.randbelow(99_999_999)),
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "password_hash": password_hash,
        "profile": profile,
        "role": role,
        "status": "active",
        "confirm": True,
        "time_zone": time_zone,
        "locale": "en_US",
        "is_primary": is_primary,
        "created_time": now,
        "modified_time": now,
        "created_by": created_by if created_by is not None else user_id,
        "modified_by": created_by if created_by is not None else user_id,
    }


def generate_password(runtime: Runtime) -> str:
    return runtime.random.token_hex(9)


def _unused_prefix(runtime: Runtime, conn: Connection) -> int:
    for _ in range(100):
        # 7 digits, and small enough that prefix * 10**12 + sequence fits a signed 64-bit int.
        prefix = 1_000_000 + runtime.random.randbelow(8_199_999)
        if prefix == ORG_ID_PREFIX:
            continue
        taken = conn.execute(select(orgs.c.id).where(orgs.c.id_prefix == prefix)).first()
        if taken is None:
            return prefix
    raise RuntimeError("could not find a free id prefix for a new org")


def default_org(runtime: Runtime) -> Any | None:
    with runtime.db.read() as conn:
        return conn.execute(
            select(orgs).where(orgs.c.is_default.is_(True)).order_by(orgs.c.id).limit(1)
        ).first()


def org_by_id(runtime: Runtime, org_id: int) -> Any | None:
    with runtime.db.read() as conn:
        return conn.execute(select(orgs).where(orgs.c.id == org_id)).first()


def primary_admin(runtime: Runtime, org_id: int) -> Any | None:
    with runtime.db.read_org(org_id) as scope:
        return scope.execute(
            scope.select(users)
            .where(users.c.profile == "Administrator", users.c.status == "active")
            .order_by(users.c.is_primary.desc(), users.c.id)
            .limit(1)
        ).first()


def _forget() -> None:
    from zcrm.server.services.oauth import forget_callers  # oauth imports this module

    forget_callers()


def set_plan(runtime: Runtime, org_id: int, plan: str) -> str:
    """Move an org to another edition; its limits follow at once in this process."""
    _forget()
    name = resolve_plan(plan).name
    with runtime.db.write() as conn:
        conn.execute(orgs.update().where(orgs.c.id == org_id).values(plan=name))
    runtime.limiter.policies.invalidate(org_id)
    return name


def set_limits(runtime: Runtime, org_id: int, **overrides: Any) -> dict[str, Any]:
    """Override individual plan figures for one org (None removes an override)."""
    _forget()
    known = set(resolve_plan(None).__dataclass_fields__) - {"name"}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
    with runtime.db.write() as conn:
        row = conn.execute(select(orgs.c.settings).where(orgs.c.id == org_id)).first()
        if row is None:
            raise ValueError(f"no org {org_id}")
        settings = dict(row.settings or {})
        limits = dict(settings.get("limits") or {})
        for key, value in overrides.items():
            if value is None:
                limits.pop(key, None)
            else:
                limits[key] = value
        settings["limits"] = limits
        conn.execute(orgs.update().where(orgs.c.id == org_id).values(settings=settings))
    runtime.limiter.policies.invalidate(org_id)
    return limits
