"""``zcrm orgs …``: the orgs on a database, their editions and their limits."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from zcrm.cli.common import (
    EXIT_STATE,
    DbOption,
    JsonOption,
    build_settings,
    console,
    default_org_id,
    fail,
    open_runtime,
    print_json,
)
from zcrm.server.runtime import Runtime
from zcrm.server.services.orgs import org_by_id, set_limits, set_plan
from zcrm.server.services.plans import Plan, plan_names, resolve_plan
from zcrm.server.storage.schema import orgs

orgs_app = typer.Typer(help="Orgs, their editions (plans) and limits.", no_args_is_help=True)

OrgOption = Annotated[
    str | None,
    typer.Option("--org", help="The org id (default: the default org).", show_default=False),
]
LIMIT_NAMES = [name for name in Plan.__dataclass_fields__ if name != "name"]


def _org(runtime: Runtime, org: str | None) -> int:
    if org is None:
        return default_org_id(runtime)
    if not org.isdigit() or org_by_id(runtime, int(org)) is None:
        fail(f"no org {org!r} in this database", EXIT_STATE)
    return int(org)


def _effective(runtime: Runtime, org_id: int) -> Plan:
    return runtime.limiter.policies.get(org_id).plan


@orgs_app.command("list")
def list_orgs(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every org on the database with its plan."""
    with open_runtime(build_settings(database_url=db)) as runtime, runtime.db.read() as conn:
        rows = conn.execute(select(orgs).order_by(orgs.c.id)).all()
    if as_json:
        print_json(
            {
                "orgs": [
                    {
                        "id": str(r.id),
                        "zgid": r.zgid,
                        "name": r.company_name,
                        "plan": r.plan,
                        "default": r.is_default,
                    }
                    for r in rows
                ]
            }
        )
        return
    table = Table("id", "zgid", "name", "plan", "default", box=None)
    for r in rows:
        table.add_row(str(r.id), r.zgid, r.company_name, r.plan, "yes" if r.is_default else "")
    console.print(table)


@orgs_app.command("set-plan")
def set_plan_command(
    plan: Annotated[str, typer.Argument(help=f"One of: {', '.join(plan_names())}.")],
    org: OrgOption = None,
    db: DbOption = None,
) -> None:
    """Move an org to another edition (its quotas and features follow)."""
    if plan.lower() not in plan_names():
        fail(f"unknown plan {plan!r}: choose one of {', '.join(plan_names())}")
    with open_runtime(build_settings(database_url=db)) as runtime:
        org_id = _org(runtime, org)
        name = set_plan(runtime, org_id, plan)
    console.print(
        f"org {org_id} is now on the [bold]{name}[/] plan "
        "(a running server sees it within 2 seconds)"
    )


@orgs_app.command("set-limit")
def set_limit_command(
    assignments: Annotated[
        list[str],
        typer.Argument(
            help="NAME=VALUE pairs (NAME=default removes the override). Names: "
            + ", ".join(LIMIT_NAMES)
            + "."
        ),
    ],
    org: OrgOption = None,
    db: DbOption = None,
) -> None:
    """Override individual figures of an org's plan, e.g. api_calls_per_day=500."""
    overrides: dict[str, object] = {}
    for item in assignments:
        name, _, raw = item.partition("=")
        if name not in LIMIT_NAMES or not raw:
            fail(f"{item!r}: expected NAME=VALUE with NAME one of {', '.join(LIMIT_NAMES)}")
        current = getattr(resolve_plan(None), name)
        if raw == "default":
            overrides[name] = None
        elif isinstance(current, bool):
            if raw.lower() not in ("true", "false"):
                fail(f"{name} takes true or false")
            overrides[name] = raw.lower() == "true"
        else:
            if not raw.isdigit():
                fail(f"{name} takes a whole number")
            overrides[name] = int(raw)
    with open_runtime(build_settings(database_url=db)) as runtime:
        org_id = _org(runtime, org)
        set_limits(runtime, org_id, **overrides)
        effective = _effective(runtime, org_id)
    _print_plan(effective)


@orgs_app.command("limits")
def show_limits(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """The figures an org is held to: its plan with the org's overrides."""
    with open_runtime(build_settings(database_url=db)) as runtime:
        effective = _effective(runtime, _org(runtime, org))
    if as_json:
        print_json(asdict(effective))
        return
    _print_plan(effective)


def _print_plan(plan: Plan) -> None:
    table = Table("limit", "value", box=None)
    for name, value in asdict(plan).items():
        table.add_row(name, str(value))
    console.print(table)
