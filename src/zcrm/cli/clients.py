"""``zcrm clients …``: registered OAuth clients, as Zoho's API console makes them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

import typer

from zcrm.cli.common import (
    DbOption,
    JsonOption,
    build_settings,
    console,
    default_org_id,
    fail,
    open_runtime,
    print_fields,
    print_json,
)
from zcrm.server.services import oauth

clients_app = typer.Typer(
    help="Registered OAuth clients (what Zoho's API console creates).", no_args_is_help=True
)


class ClientType(StrEnum):
    self_client = "self"
    server = "server"
    browser = "browser"


@clients_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="A name to recognise the client by.")],
    redirect_uri: Annotated[
        list[str] | None,
        typer.Option(
            "--redirect-uri",
            help="An authorized redirect URI for the consent page (repeat for several).",
            show_default=False,
        ),
    ] = None,
    client_type: Annotated[
        ClientType | None,
        typer.Option(
            "--type",
            help="self (a Self Client: grant codes from `zcrm grant`), server or browser "
            "(the consent page). Default: server with --redirect-uri, else self.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an OAuth client for the default org; print its id and secret (shown once)."""
    uris = list(redirect_uri or [])
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fail(f"--redirect-uri {uri!r} is not an absolute http(s) URL")
    kind = client_type.value if client_type else ("server" if uris else "self")
    if not name.strip():
        fail("--name must not be empty")
    with open_runtime(build_settings(database_url=db)) as runtime:
        org_id = default_org_id(runtime)
        client = oauth.create_client(
            runtime, name=name.strip(), client_type=kind, redirect_uris=uris, org_id=org_id
        )
    if as_json:
        print_json({"client_id": client.client_id, "client_secret": client.client_secret})
        return
    print_fields(
        [
            ("client_id", client.client_id),
            ("client_secret", client.client_secret),
            ("name", client.name),
            ("type", client.client_type),
            ("redirect URIs", ", ".join(client.redirect_uris) or "-"),
        ]
    )
    console.print("[dim]The secret is shown only now: only its hash is stored.[/]")
