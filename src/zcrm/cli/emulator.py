"""``zcrm emulator …``: a running server's emulator controls, from the shell."""

from __future__ import annotations

import json
from typing import Annotated, Any

import httpx
import typer

from zcrm.cli.common import EXIT_STATE, console, fail
from zcrm.testing.emulator import EmulatorControls

emulator_app = typer.Typer(
    help="Move a running server's clock, inject faults, reset and seed data.",
    no_args_is_help=True,
)

UrlOption = Annotated[
    str, typer.Option("--url", envvar="ZCRM_URL", help="The server (env ZCRM_URL).")
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--admin-key",
        envvar="ZCRM_ADMIN_KEY",
        help="The server's admin key, when it listens beyond loopback.",
        show_default=False,
    ),
]
OrgOption = Annotated[
    str | None,
    typer.Option(
        "--org",
        help="Limit to one org (faults) or act on it (reset, seed); "
        "default: every org for faults, the default org otherwise.",
        show_default=False,
    ),
]


def _controls(url: str, key: str | None, org: str | None) -> EmulatorControls:
    if org is not None and not org.isdigit():
        fail("--org takes an org id")
    return EmulatorControls(url, org_id=int(org) if org else None, admin_key=key)


def _run(controls: EmulatorControls, action: Any) -> None:
    try:
        with controls:
            result = action(controls)
    except httpx.HTTPStatusError as exc:
        fail(f"the server said {exc.response.status_code}: {exc.response.text[:300]}", EXIT_STATE)
    except httpx.HTTPError as exc:
        fail(f"cannot reach the server: {exc}", EXIT_STATE)
    console.print_json(json.dumps(result))


@emulator_app.command("clock")
def clock(url: UrlOption = "http://127.0.0.1:8000", admin_key: KeyOption = None) -> None:
    """Show the server's (possibly moved) time."""
    _run(_controls(url, admin_key, None), lambda c: {"now": c.now()})


@emulator_app.command("advance")
def advance(
    seconds: float, url: UrlOption = "http://127.0.0.1:8000", admin_key: KeyOption = None
) -> None:
    """Move the server's time forward (tokens expire, rate windows roll, retries fire)."""
    _run(_controls(url, admin_key, None), lambda c: {"now": c.advance(seconds)})


@emulator_app.command("set-time")
def set_time(
    when: Annotated[str, typer.Argument(help="ISO-8601 with an offset.")],
    url: UrlOption = "http://127.0.0.1:8000",
    admin_key: KeyOption = None,
) -> None:
    """Set the server's time."""
    _run(_controls(url, admin_key, None), lambda c: {"now": c.set_time(when)})


@emulator_app.command("fault")
def fault(
    status: Annotated[int | None, typer.Option(help="HTTP status to answer with.")] = None,
    code: Annotated[str | None, typer.Option(help="Zoho error code in the body.")] = None,
    route: Annotated[str, typer.Option(help="Glob on the path, e.g. /crm/v6/Leads*.")] = "*",
    method: Annotated[str, typer.Option(help="GET, POST, … or *.")] = "*",
    latency_ms: Annotated[int, typer.Option(help="Added latency.")] = 0,
    drop: Annotated[bool, typer.Option("--drop", help="Drop the connection.")] = False,
    probability: Annotated[float, typer.Option(help="0 < p ≤ 1.")] = 1.0,
    count: Annotated[int | None, typer.Option(help="Fire this many times.")] = None,
    retry_after: Annotated[int | None, typer.Option(help="Retry-After seconds.")] = None,
    org: OrgOption = None,
    url: UrlOption = "http://127.0.0.1:8000",
    admin_key: KeyOption = None,
) -> None:
    """Inject a fault."""
    _run(
        _controls(url, admin_key, org),
        lambda c: c.fault(
            route=route,
            method=method.upper(),
            status=status,
            code=code,
            latency_ms=latency_ms,
            drop_connection=drop,
            probability=probability,
            count=count,
            retry_after=retry_after,
        ),
    )


@emulator_app.command("faults")
def faults(url: UrlOption = "http://127.0.0.1:8000", admin_key: KeyOption = None) -> None:
    """List the faults in force."""
    _run(_controls(url, admin_key, None), lambda c: {"faults": c.faults()})


@emulator_app.command("clear-faults")
def clear_faults(
    org: OrgOption = None, url: UrlOption = "http://127.0.0.1:8000", admin_key: KeyOption = None
) -> None:
    """Remove every fault (or one org's)."""
    _run(_controls(url, admin_key, org), lambda c: (c.clear_faults(), {"cleared": True})[1])


@emulator_app.command("reset")
def reset(
    drop_metadata: Annotated[bool, typer.Option(help="Also drop custom fields.")] = False,
    org: OrgOption = None,
    url: UrlOption = "http://127.0.0.1:8000",
    admin_key: KeyOption = None,
) -> None:
    """Wipe an org's records (users and clients stay)."""
    _run(_controls(url, admin_key, org), lambda c: c.reset(keep_metadata=not drop_metadata))


@emulator_app.command("seed")
def seed(
    module: Annotated[str | None, typer.Argument(help="A module, e.g. Leads.")] = None,
    count: Annotated[int, typer.Option(help="How many records.")] = 10,
    demo: Annotated[bool, typer.Option("--demo", help="The demo data set instead.")] = False,
    org: OrgOption = None,
    url: UrlOption = "http://127.0.0.1:8000",
    admin_key: KeyOption = None,
) -> None:
    """Add demo data, or COUNT generated records of MODULE."""
    if not demo and not module:
        fail("name a module or give --demo")
    _run(_controls(url, admin_key, org), lambda c: c.seed(module, count, demo=demo))
