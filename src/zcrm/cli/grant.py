"""``zcrm grant``: a one-time grant code, as Zoho's "Self Client" page gives one."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import func

from zcrm.cli.common import (
    DbOption,
    JsonOption,
    build_settings,
    default_org_id,
    fail,
    open_runtime,
    print_fields,
    print_json,
)
from zcrm.server.runtime import Runtime
from zcrm.server.services import oauth
from zcrm.server.services.orgs import primary_admin
from zcrm.server.storage.schema import users

MAX_GRANT_SECONDS = 3600


def grant(
    client_id: Annotated[
        str, typer.Option("--client-id", help="The client the code is for (zcrm clients create).")
    ],
    scope: Annotated[
        str,
        typer.Option(
            "--scope",
            help='Comma-separated scopes, e.g. "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,'
            'ZohoCRM.users.READ,ZohoCRM.org.READ".',
        ),
    ],
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="E-mail of the user the tokens will act as (default: the org's admin).",
            show_default=False,
        ),
    ] = None,
    expires_in: Annotated[
        int | None,
        typer.Option(
            "--expires-in",
            help="Seconds the code stays valid (default 180, Zoho's self client: 3-10 minutes).",
            show_default=False,
            min=1,
            max=MAX_GRANT_SECONDS,
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print a single-use grant code to exchange at /oauth/v2/token, as Zoho's Self Client does.

    The code is for the client's org (the default org), acting as its admin unless --user.
    """
    try:
        scopes = oauth.validate_scopes(scope)
    except oauth.OAuthError:
        fail(
            f"invalid scope {scope!r}: give comma-separated scopes such as "
            "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL"
        )
    with open_runtime(build_settings(database_url=db)) as runtime:
        with runtime.db.read() as conn:
            client = oauth.find_client(conn, client_id.strip())
        if client is None:
            fail(
                f"unknown client id {client_id!r}: register one with "
                "`zcrm clients create --name NAME` (same --db)"
            )
        org_id = client.org_id if client.org_id is not None else default_org_id(runtime)
        user_id = _user_id(runtime, org_id, user)
        code, ttl = oauth.issue_grant_code(
            runtime,
            client_id=client.client_id,
            org_id=org_id,
            user_id=user_id,
            scopes=scopes,
            ttl_seconds=expires_in,
        )
    if as_json:
        print_json({"code": code, "expires_in": ttl})
        return
    print_fields([("code", code), ("expires_in", f"{ttl} seconds (single use)"), ("scope", scopes)])


def _user_id(runtime: Runtime, org_id: int, email: str | None) -> int:
    row: Any
    if email is None:
        row = primary_admin(runtime, org_id)
        if row is None:
            fail("the org has no active administrator: name a user with --user")
        return int(row.id)
    with runtime.db.read_org(org_id) as scope:
        row = scope.execute(
            scope.select(users, users.c.id).where(
                func.lower(users.c.email) == email.strip().lower(), users.c.status == "active"
            )
        ).first()
    if row is None:
        fail(f"no active user with the e-mail {email!r} in the org")
    return int(row.id)
