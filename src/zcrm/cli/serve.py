"""``zcrm serve``: the CRM API and the accounts server on one port.

The first start on a database creates the default org and its administrator and prints
the admin's password, once (only its argon2 hash is kept). ``--demo`` fills the default
org with demo records (once) and prints a ready client id/secret and tokens (every time).
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from typing import Annotated

import typer
import uvicorn
from rich.markup import escape

from zcrm.cli.common import (
    EXIT_USAGE,
    DbOption,
    build_settings,
    console,
    display_url,
    fail,
    open_runtime,
)
from zcrm.server.app import create_app
from zcrm.server.errors import ZohoError
from zcrm.server.runtime import Runtime
from zcrm.server.services import demo
from zcrm.server.services.orgs import CreatedOrg, create_org, default_org, set_plan
from zcrm.server.services.plans import plan_names, resolve_plan
from zcrm.server.services.system_caller import admin_caller
from zcrm.settings import Settings

DEFAULT_COMPANY = "My Company"
DEFAULT_ADMIN_EMAIL = "admin@zcrm.local"


class LogLevel(StrEnum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"


class Mode(StrEnum):
    emulator = "emulator"
    production = "production"


class LimiterKind(StrEnum):
    memory = "memory"
    sql = "sql"
    redis = "redis"


def serve(
    host: Annotated[
        str | None,
        typer.Option(
            help="Interface to listen on (default 127.0.0.1; env ZCRM_HOST).", show_default=False
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port to listen on (default 8000; env ZCRM_PORT).", show_default=False),
    ] = None,
    db: DbOption = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            help="The URL clients reach this server on; token responses report it as "
            "api_domain (env ZCRM_PUBLIC_URL; default http://HOST:PORT).",
            show_default=False,
        ),
    ] = None,
    demo_org: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Fill the default org with demo records (first time only) and print a "
            "client id/secret and tokens to try the API with.",
        ),
    ] = False,
    admin_email: Annotated[
        str | None,
        typer.Option(
            help=f"First start only: the admin's e-mail (default {DEFAULT_ADMIN_EMAIL}; "
            "env ZCRM_ADMIN_EMAIL).",
            show_default=False,
        ),
    ] = None,
    admin_password: Annotated[
        str | None,
        typer.Option(
            help="First start only: the admin's password (env ZCRM_ADMIN_PASSWORD; "
            "default: generated and printed once).",
            show_default=False,
        ),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            help="The default org's edition, set on every start it is given "
            f"({', '.join(plan_names())}; default enterprise; env ZCRM_PLAN).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Seed for the demo records: the same seed gives the same records "
            f"(default {demo.DEFAULT_SEED}; env ZCRM_SEED). Secrets and tokens stay random.",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[
        LogLevel | None,
        typer.Option(
            help="Server log level (default info; env ZCRM_LOG_LEVEL).", show_default=False
        ),
    ] = None,
    mode: Annotated[
        Mode | None,
        typer.Option(
            help="emulator (default: /_emulator/ controls on) or production (no such "
            "prefix at all); env ZCRM_MODE.",
            show_default=False,
        ),
    ] = None,
    admin_key: Annotated[
        str | None,
        typer.Option(
            help="Key for the /_emulator/ controls (header X-Zcrm-Admin-Key); required when "
            "--host is not a loopback address (env ZCRM_ADMIN_KEY).",
            show_default=False,
        ),
    ] = None,
    redis: Annotated[
        str | None,
        typer.Option(
            help="Keep API-limit counters in this Redis (several server processes; env "
            "ZCRM_REDIS_URL).",
            show_default=False,
        ),
    ] = None,
    limiter: Annotated[
        LimiterKind | None,
        typer.Option(
            help="Where API-limit counters live: memory (one process, default), sql (several "
            "processes on one database) or redis (env ZCRM_LIMITER).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start the zcrm server: the Zoho CRM v6 API and its OAuth accounts server."""
    settings = build_settings(
        host=host,
        port=port,
        database_url=db,
        public_url=public_url,
        admin_email=admin_email,
        admin_password=admin_password,
        plan=plan,
        seed=seed,
        log_level=log_level.value if log_level else None,
        mode=mode.value if mode else None,
        admin_key=admin_key,
        redis_url=redis,
        limiter=limiter.value if limiter else None,
    )
    loopback = settings.host in ("127.0.0.1", "localhost", "::1")
    if settings.mode == "emulator" and not loopback and not settings.admin_key:
        fail(
            "the emulator controls need --admin-key when --host is not a loopback address "
            "(or use --mode production)",
            EXIT_USAGE,
        )
    if settings.limiter_backend() == "redis" and not settings.redis_url:
        fail("--limiter redis needs --redis URL", EXIT_USAGE)
    try:
        resolve_plan(settings.plan)
    except ZohoError:
        fail(f"unknown plan {settings.plan!r}: choose one of {', '.join(plan_names())}", EXIT_USAGE)
    with open_runtime(settings) as runtime:
        org_id = ensure_default_org(runtime, settings)
        if demo_org:
            prepare_demo(runtime, org_id, settings)
        console.print(
            f"zcrm serving [bold]{escape(settings.base_url())}[/] "
            f"(database {escape(display_url(settings.database_url))})"
        )
        sys.stdout.flush()
        run_server(runtime, settings)


def ensure_default_org(runtime: Runtime, settings: Settings) -> int:
    """The default org's id; on the first start, create it and print its admin's sign-in."""
    existing = default_org(runtime)
    if existing is not None:
        if settings.plan:
            name = set_plan(runtime, int(existing.id), settings.plan)
            console.print(f"the default org is on the [bold]{name}[/] plan")
        given = [
            flag
            for flag, value in (
                ("--admin-email", settings.admin_email),
                ("--admin-password", settings.admin_password),
            )
            if value
        ]
        if given:
            verb = "is" if len(given) == 1 else "are"
            console.print(
                f"[dim]the default org exists already: {', '.join(given)} (first start only) "
                f"{verb} ignored[/]"
            )
        return int(existing.id)
    created = create_org(
        runtime,
        company_name=DEFAULT_COMPANY,
        admin_email=settings.admin_email or DEFAULT_ADMIN_EMAIL,
        admin_password=settings.admin_password,
        plan=settings.plan,
        is_default=True,
    )
    print_first_start(created, resolve_plan(settings.plan).name)
    return created.org_id


def print_first_start(created: CreatedOrg, plan: str) -> None:
    console.rule("first start: created the default org")
    console.print(f"  org             {escape(DEFAULT_COMPANY)} ({plan} plan)")
    console.print(f"  admin email     {escape(created.admin_email)}")
    console.print(
        f"  admin password  {escape(created.admin_password)}"
        "  [dim](shown once: only its hash is stored)[/]"
    )
    console.print()


def prepare_demo(runtime: Runtime, org_id: int, settings: Settings) -> None:
    caller = admin_caller(runtime, org_id)
    if demo.has_records(runtime, org_id):
        console.print("[dim]demo: the default org has records already; not seeding again[/]")
    else:
        seed = settings.seed if settings.seed is not None else demo.DEFAULT_SEED
        counts = demo.seed_demo(runtime, org_id, seed=seed, caller=caller)
        summary = ", ".join(f"{count} {module}" for module, count in counts.items())
        console.print(f"demo: added {sum(counts.values())} records ({summary})")
    access = demo.demo_access(runtime, org_id, caller.user.id)
    print_demo_access(settings.base_url(), access)


def print_demo_access(base_url: str, access: demo.DemoAccess) -> None:
    # Plain lines, no boxes: every value must survive a copy and paste.
    console.rule("demo org: paste these into a shell")
    for name, value in (
        ("ZCRM_URL", base_url),
        ("ZCRM_CLIENT_ID", access.client_id),
        ("ZCRM_CLIENT_SECRET", access.client_secret),
        ("ZCRM_REFRESH_TOKEN", access.refresh_token),
        ("ZCRM_ACCESS_TOKEN", access.access_token),
    ):
        console.print(f"export {name}={escape(value)}")
    minutes = access.expires_in // 60
    console.print(
        f"[dim]# the access token lasts {minutes} minutes; the refresh token until revoked; "
        "the client secret until the next `zcrm serve --demo`[/]"
    )
    console.print("try:")
    console.print(
        f'curl -H "Authorization: Zoho-oauthtoken {escape(access.access_token)}" '
        f'"{escape(base_url)}/crm/v6/Leads?fields=Last_Name,Company,Email&per_page=3"'
    )
    console.print()


def run_server(runtime: Runtime, settings: Settings) -> None:
    logging.getLogger("zcrm").setLevel(settings.log_level.upper())
    config = uvicorn.Config(
        create_app(runtime),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        lifespan="on",
        # Behind a reverse proxy on the same host: trust its X-Forwarded-* headers.
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run()
